import Chain
import Foundation
import PhaseRunner

/// The session report's exports in a run folder: `report-data.json` and the `report-*.csv`
/// tables (docs/report.md). Only these names are ever read.
public enum SessionExports {
    /// One export file.
    public struct Item: Sendable, Equatable {
        public let name: String
        public let mediaType: String
        public let bytes: Int
    }

    /// Whether `name` is the name of an export (not a path: letters, digits and `-` only before
    /// the extension).
    public static func isExportName(_ name: String) -> Bool {
        if name == "report-data.json" { return true }
        guard name.hasPrefix("report-"), name.hasSuffix(".csv") else { return false }
        let table = name.dropFirst("report-".count).dropLast(".csv".count)
        return !table.isEmpty && table.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    /// The media type of an export.
    public static func mediaType(_ name: String) -> String {
        name.hasSuffix(".json") ? "application/json" : "text/csv; charset=utf-8"
    }

    /// The exports present in `run`, by name.
    public static func list(_ run: RunFolder) -> [Item] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.url.path)) ?? []
        return names.filter(isExportName).sorted().compactMap { name in
            guard let data = run.data(name) else { return nil }
            return Item(name: name, mediaType: mediaType(name), bytes: data.count)
        }
    }

    /// The bytes of export `name` of `run`.
    public static func file(_ run: RunFolder, _ name: String) throws(PortalError) -> [UInt8] {
        guard isExportName(name) else {
            throw .notFound("\(name) is not an export: use a name from GET /api/v1/sessions/{id}/exports")
        }
        guard let data = run.data(name) else {
            throw .notFound(
                "session \(run.manifest.session.id) has no \(name) yet: the report is written when the session ends "
                    + "(or run `cer-run report`)")
        }
        return Array(data)
    }
}
