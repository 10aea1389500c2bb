import BigInt
import Chain
import Foundation
import Manifest
import Validation

/// The JSON document an `http` meter source serves, one per POD and day:
///
///     {"pod": "IT001E00000001", "unit": "Wh", "interval_minutes": 15,
///      "readings": [{"start": "2026-11-26T00:00:00+01:00", "withdrawal": 120, "injection": 0}, …]}
///
/// `unit` is `Wh` (values are JSON integers) or `kWh` (values are strings with at most three
/// decimals, e.g. `"0.120"`, so they stay exact); `start` is ISO-8601 with its offset.
public enum HTTPMeterDocument {
    /// The readings of `data`, which was served for `pod` at `url`.
    public static func readings(_ data: Data, pod: String, url: String) throws(MeterSourceError) -> [MeterReading] {
        func fail(_ message: String, _ hint: String? = nil) -> MeterSourceError {
            MeterSourceError(source: url, message: message, hint: hint)
        }
        guard let document = try? JSONValue.parse(data), let object = document.objectValue else {
            throw fail("the answer is not a JSON object", "see docs/validation.md for the document's shape")
        }
        guard let served = object["pod"]?.stringValue else { throw fail("field `pod` is missing or not a string") }
        guard served == pod else { throw fail("the document is for POD \(served), not \(pod)") }
        let unit = object["unit"]?.stringValue ?? "Wh"
        guard unit == "Wh" || unit == "kWh" else { throw fail("`unit` is \"\(unit)\"", "Wh or kWh") }
        guard case .int(let minutes)? = object["interval_minutes"], minutes == 15 || minutes == 60 else {
            throw fail("`interval_minutes` is missing or not 15 or 60")
        }
        guard let rows = object["readings"]?.arrayValue else { throw fail("`readings` is missing or not a list") }
        var readings = [MeterReading]()
        for (index, row) in rows.enumerated() {
            let path = "readings[\(index)]"
            guard let start = row["start"]?.stringValue.flatMap(ISOTimestamp.parse) else {
                throw fail(
                    "\(path).start is missing or not an ISO-8601 time with offset", "e.g. 2026-11-26T00:15:00+01:00")
            }
            func energy(_ key: String) throws(MeterSourceError) -> UInt64 {
                switch (unit, row[key]) {
                case (_, nil), (_, .null?):
                    throw fail("\(path).\(key) is missing", "a missing value is not zero")
                case ("Wh", .int(let value)?) where value >= 0:
                    return UInt64(value)
                case ("kWh", .string(let text)?):
                    guard let wh = DecimalAmount.parse(text, decimals: 3), let exact = UInt64(exactly: wh) else {
                        throw fail("\(path).\(key) \"\(text)\" is not kWh with at most 3 decimals")
                    }
                    return exact
                default:
                    throw fail(
                        "\(path).\(key) is \(row[key]!.jsonText)",
                        unit == "Wh" ? "a non-negative whole number of Wh" : "kWh as a string, e.g. \"0.125\"")
                }
            }
            readings.append(
                MeterReading(
                    pod: pod, start: start, lengthSeconds: minutes * 60, withdrawalWh: try energy("withdrawal"),
                    injectionWh: try energy("injection"),
                    location: Validation.SourceLocation(file: url, line: index + 1)))
        }
        return readings
    }
}
