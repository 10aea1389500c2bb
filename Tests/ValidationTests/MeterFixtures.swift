import Foundation
import Validation

/// Fixture files and independent time arithmetic for the meter tests.
enum MeterFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let seller = "IT001E00000001"
    static let buyer = "IT001E00000002"
    static let rome = TimeZone(identifier: "Europe/Rome")!

    /// The bytes of `fixtures/meters/<name>`.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("fixtures/meters/\(name)")))
    }

    static func parse(_ name: String, _ format: MeterCSVFormat) throws -> [MeterReading] {
        try MeterCSVParser(format: format).parse(try bytes(name), file: name)
    }

    /// Unix seconds of an ISO-8601 UTC text, through Foundation's own parser (independent of
    /// the code under test).
    static func utc(_ text: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970)
    }

    /// The error thrown by `body`, or nil.
    static func error(_ body: () throws -> Void) -> MeterDataError? {
        do {
            try body()
            return nil
        } catch let error as MeterDataError {
            return error
        } catch {
            return nil
        }
    }
}
