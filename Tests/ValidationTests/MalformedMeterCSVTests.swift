import Foundation
import Testing
import Validation

/// One case per kind of malformed file in fixtures/meters/malformed: the kind, the line, the
/// column and what the message says.
@Suite struct MalformedMeterCSVTests {
    typealias F = MeterFixtures

    static let june15 = F.utc("2026-06-14T22:00:00Z")

    func parseError(_ name: String, _ format: MeterCSVFormat = MeterCSVFormat(timeZone: F.rome)) -> MeterIssue? {
        let error = F.error { _ = try F.parse("malformed/\(name)", format) }
        #expect(error?.issues.count == 1, "\(name): \(String(describing: error))")
        return error?.issues.first
    }

    func aggregate(_ name: String, policy: MeterPolicy) throws -> MeterAggregation {
        let readings = try F.parse("malformed/\(name)", MeterCSVFormat(timeZone: F.rome))
        return try MeterAggregator(
            pods: [F.seller], dayStart: Self.june15, slotLength: 3600, slotCount: 24, policy: policy
        ).aggregate(readings)
    }

    @Test func badNumber() {
        let issue = parseError("bad-number.csv")
        #expect(issue?.kind == .badNumber)
        #expect(issue?.location == SourceLocation(file: "malformed/bad-number.csv", line: 5, column: 3))
        #expect(issue?.columnName == "withdrawal" && issue?.found == "12a")
        #expect(issue?.description.hasPrefix("malformed/bad-number.csv:5:3: bad-number (column \"withdrawal\"") == true)
    }

    @Test func negativeValue() {
        let issue = parseError("negative.csv")
        #expect(issue?.kind == .negativeValue && issue?.location?.line == 7 && issue?.found == "-5")
        #expect(issue?.description.contains("energy is never negative") == true)
    }

    @Test func duplicateInterval() throws {
        // The parser reads both rows; the aggregator refuses the second (line 10 repeats line 9).
        let error = F.error { _ = try aggregate("duplicate.csv", policy: MeterPolicy()) }
        let issue = error?.issues.first
        #expect(error?.issues.count == 1)
        #expect(issue?.kind == .duplicate && issue?.location?.line == 10 && issue?.pod == F.seller)
        #expect(issue?.found?.contains("already read at malformed/duplicate.csv:9") == true)
        // Equal duplicates may be tolerated with a warning.
        let tolerated = try aggregate("duplicate.csv", policy: MeterPolicy(duplicate: .warnIfEqual))
        #expect(tolerated.warnings.map(\.kind) == [.equalDuplicate])
        #expect(tolerated.day.withdrawalWh[F.seller]![7] == 100)  // counted once, not 200
    }

    @Test func missingIntervalFails() {
        // Line 7 (05:00) was removed: 03:00Z–04:00Z has no reading.
        let error = F.error { _ = try aggregate("missing-interval.csv", policy: MeterPolicy(missing: .fail)) }
        let issue = error?.issues.first
        #expect(error?.issues.count == 1 && issue?.kind == .missingInterval && issue?.location == nil)
        #expect(issue?.found == "no reading from 2026-06-15 03:00:00 to 2026-06-15 04:00:00 UTC")
        #expect(issue?.expected.hasPrefix("24 intervals of 60 minutes") == true)
    }

    @Test func missingIntervalCountsZero() throws {
        let result = try aggregate("missing-interval.csv", policy: MeterPolicy(missing: .zero))
        #expect(result.warnings.map(\.kind) == [.missingInterval])
        #expect(result.warnings[0].hint == "counted as 0 Wh (missing: zero)")
        // Slot 5 is 0; the others hold 100 each: 23 × 100 = 2300.
        #expect(result.day.withdrawalWh[F.seller]![5] == 0)
        #expect(result.day.withdrawalWh[F.seller]!.reduce(0, +) == 2300)
    }

    @Test func unknownPOD() throws {
        // Line 4 carries IT001E99999999: ignored with a warning by default…
        let result = try aggregate("unknown-pod.csv", policy: MeterPolicy())
        #expect(result.warnings.count == 1)
        #expect(result.warnings[0].kind == .unknownPOD && result.warnings[0].pod == "IT001E99999999")
        #expect(result.warnings[0].location?.line == 4 && result.warnings[0].found == "1 readings")
        #expect(result.day.pods == [F.seller])
        // …or refused.
        let error = F.error { _ = try aggregate("unknown-pod.csv", policy: MeterPolicy(unknownPOD: .fail)) }
        #expect(error?.issues.map(\.kind) == [.unknownPOD])
    }

    @Test func wrongColumnCount() {
        let issue = parseError("wrong-column-count.csv")
        #expect(issue?.kind == .wrongColumnCount && issue?.location?.line == 12)
        #expect(issue?.expected == "4 fields" && issue?.found == "3 fields")
    }

    @Test func badTimestamp() {
        let issue = parseError("bad-timestamp.csv")
        #expect(issue?.kind == .badTimestamp && issue?.location?.line == 4 && issue?.location?.column == 2)
        #expect(issue?.columnName == "timestamp" && issue?.found == "2026-13-15 02:00")
    }

    @Test func missingHourOnThe23HourDay() {
        // 2026-03-29 02:00 does not exist in Rome: clocks go from 02:00 CET to 03:00 CEST. Line 4.
        let issue = parseError("missing-hour-march.csv")
        #expect(issue?.kind == .nonexistentLocalTime && issue?.location?.line == 4)
        #expect(issue?.expected == "a local time that exists in Europe/Rome")
        #expect(issue?.description.contains("23-hour day") == true)
    }

    @Test func subWattHourPrecision() {
        let format = MeterCSVFormat(decimalMark: .comma, unit: .kWh, timeZone: F.rome)
        let issue = parseError("sub-wh-kwh.csv", format)
        // "1,2345" kWh = 1234.5 Wh: never rounded.
        #expect(issue?.kind == .tooPrecise && issue?.location?.line == 3 && issue?.found == "1,2345")
        #expect(issue?.expected == "at most 3 decimals in kWh (whole Wh)")
    }

    @Test func unknownColumnName() {
        let issue = parseError("unknown-column.csv")
        #expect(issue?.kind == .unknownColumn && issue?.location?.line == 1 && issue?.columnName == "injection")
        #expect(issue?.found == "pod, timestamp, withdrawal, immissione")
    }

    @Test func structuralProblems() {
        let parser = MeterCSVParser(format: MeterCSVFormat())
        let quote = F.error {
            _ = try parser.parse("pod,timestamp,withdrawal,injection\nP,\"2026,1,0\n", file: "q.csv")
        }
        #expect(quote?.issues.first?.kind == .unterminatedQuote && quote?.issues.first?.location?.line == 2)
        let empty = F.error { _ = try parser.parse("\u{FEFF}\r\n\r\n", file: "e.csv") }
        #expect(empty?.issues.first?.kind == .emptyFile)
        let latin1 = F.error { _ = try parser.parse([0x70, 0x6F, 0x64, 0xE0, 0x0A], file: "l.csv") }
        #expect(latin1?.issues.first?.kind == .notUTF8)
        let noZone = F.error {
            _ = try parser.parse("pod,timestamp,withdrawal,injection\nP,2026-06-15 00:00,1,0\n", file: "z.csv")
        }
        #expect(noZone?.issues.first?.kind == .badTimestamp)
        #expect(noZone?.issues.first?.hint == "set the format's timeZone for local timestamps")
    }

    @Test func everyBadRowIsReported() {
        let csv = "pod,timestamp,withdrawal,injection\nP,2026-06-15T00:00Z,x,0\nP,2026-06-15T01:00Z,1,0\nP,bad,1,0\n"
        let error = F.error { _ = try MeterCSVParser(format: MeterCSVFormat()).parse(csv, file: "m.csv") }
        #expect(error?.issues.map(\.kind) == [.badNumber, .badTimestamp])
        #expect(error?.issues.map { $0.location?.line } == [2, 4])
    }
}

extension MalformedMeterCSVTests {
    @Test func separateDateAndTimeColumnsBlameTheRightOne() {
        let format = MeterCSVFormat(
            timestamp: .dateAndTime(date: .name("data"), time: .name("ora")), dateOrder: .dayMonthYear,
            timeZone: F.rome)
        let csv = "pod;data;ora;withdrawal;injection\nP;15/06/2026;25:00;1;0\nP;31/06/2026;01:00;1;0\n"
        let error = F.error { _ = try MeterCSVParser(format: format).parse(csv, file: "d.csv") }
        // Line 2: hour 25 — the time column (3); line 3: 31 June — the date column (2).
        #expect(error?.issues.map { $0.location?.column } == [3, 2])
        #expect(error?.issues.map(\.columnName) == ["ora", "data"])
    }
}
