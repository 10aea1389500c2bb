import Foundation
import Manifest
import MeterSources
import Validation

/// Builds manifests around fixtures/manifests/dst-settlement.yaml with another `validation`
/// section, in a temporary folder that also holds the fixture's meter file and documents.
struct MeterSourceFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("fixtures/manifests")
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("meter-sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("meters"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("docs"), to: folder.appendingPathComponent("docs"))
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("meters/2026-10-25.csv"),
            to: folder.appendingPathComponent("meters/2026-10-25.csv"))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// The fixture manifest with `validation` replaced by `section` (YAML, indented by two).
    func manifest(validation section: String) throws -> SessionManifest {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("dst-settlement.yaml"), encoding: .utf8)
        let start = text.range(of: "validation:\n")!.lowerBound
        let end = text.range(of: "settlement:")!.lowerBound
        let changed = text[..<start] + "validation:\n" + section + "\n" + text[end...]
        let url = folder.appendingPathComponent("manifest.yaml")
        try String(changed).write(to: url, atomically: true, encoding: .utf8)
        // `{date}` (in URLs and paths) is the delivery day, as when cron runs it with --date.
        return try ManifestLoader.load(path: url.path, date: DeliveryCalendar.Day(year: 2026, month: 10, day: 25))
    }

    func reader(_ manifest: SessionManifest, environment: [String: String] = [:]) -> MeterSourceReader {
        MeterSourceReader(
            settings: manifest.validation!, session: manifest.session, manifestFolder: folder, environment: environment)
    }

    static let pods = ["IT001E20000001", "IT001E20000002", "IT001E20000003", "IT001E20000004"]

    /// The fixture day read from its CSV file: what every other source must reproduce.
    func referenceDay() async throws -> MeterDay {
        let manifest = try manifest(validation: "  source:\n    csv: {files: meters/2026-10-25.csv}")
        return try await reader(manifest).meterDay(pods: Self.pods).day
    }

    func referenceReadings() async throws -> [MeterReading] {
        let manifest = try manifest(validation: "  source:\n    csv: {files: meters/2026-10-25.csv}")
        return try await reader(manifest).readings(pods: Self.pods)
    }
}

/// A helper process that prints one line (a port) and lives until its stdin closes.
final class HelperProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let firstLine: String

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        firstLine = String(decoding: line, as: UTF8.self)
    }

    /// Closes stdin and waits (yielding, so the pool can reap the child).
    func stop() async {
        try? input.fileHandleForWriting.close()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
