import Foundation
import Manifest
import Validation

/// Reads a session's meter data from the manifest's source and sums it into session slots.
public struct MeterSourceReader: Sendable {
    public let settings: SessionManifest.ValidationSettings
    public let session: SessionManifest.Session
    /// Folder that relative file paths start from.
    public let manifestFolder: URL
    /// Where `token_env` and `password_env` are looked up.
    public let environment: [String: String]

    public init(
        settings: SessionManifest.ValidationSettings, session: SessionManifest.Session, manifestFolder: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.settings = settings
        self.session = session
        self.manifestFolder = manifestFolder
        self.environment = environment
    }

    /// The delivery day's end, Unix seconds.
    public var dayEnd: Int64 { session.deliveryStart + Int64(session.slots * session.slotMinutes * 60) }

    /// Every reading the source has for `pods` on the delivery day.
    public func readings(pods: [String]) async throws(MeterSourceError) -> [MeterReading] {
        switch settings.source {
        case .csv(let csv):
            return try CSVMeterFiles(settings: csv, manifestFolder: manifestFolder).readings()
        case .http(let http):
            let token = try http.tokenEnv.map { name throws(MeterSourceError) in try variable(name, for: "token_env") }
            return try await HTTPMeterFetcher(settings: http, token: token).readings(
                pods: pods, day: "\(session.deliveryDay)")
        case .postgres(let pg):
            let password = try pg.passwordEnv.map { name throws(MeterSourceError) in
                try variable(name, for: "password_env")
            }
            return try await PostgresMeterQuery(settings: pg, password: password).readings(
                pods: pods, dayStart: session.deliveryStart, dayEnd: dayEnd)
        }
    }

    /// Readings summed into the session's slots, with the manifest's missing-data policy.
    public func meterDay(pods: [String]) async throws(MeterSourceError) -> MeterAggregation {
        let readings = try await readings(pods: pods)
        // A POD without a single reading of the day has not been loaded yet (a database or
        // service filled later): wait rather than validate it as zero. `missing: zero` only
        // fills gaps inside data that is there.
        let day = session.deliveryStart..<dayEnd
        let present = Set(readings.filter { day.contains($0.start) }.map(\.pod))
        let absent = pods.filter { !present.contains($0) }
        if !absent.isEmpty {
            throw MeterSourceError(
                source: "meter data",
                message: "no reading at all on \(session.deliveryDay) for \(absent.count) POD(s): "
                    + absent.prefix(5).joined(separator: ", ") + (absent.count > 5 ? ", …" : ""),
                hint: "not loaded yet? cer-run waits (exit 75) and tries again on the next run", notYetAvailable: true)
        }
        let aggregator = MeterAggregator(
            pods: pods, dayStart: session.deliveryStart, slotLength: Int64(session.slotMinutes * 60),
            slotCount: session.slots, policy: MeterPolicy(missing: settings.missing == .zero ? .zero : .fail))
        do { return try aggregator.aggregate(readings) } catch {
            throw MeterSourceError(
                source: "meter data",
                message: "\(error.issues.count) problem(s):\n  "
                    + error.issues.map(\.description).joined(separator: "\n  "))
        }
    }

    func variable(_ name: String, for field: String) throws(MeterSourceError) -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw MeterSourceError(
                source: "validation.source.\(field)", message: "the environment variable $\(name) is not set",
                hint: "export it before running cer-run")
        }
        return value
    }
}
