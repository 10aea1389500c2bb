import Foundation
import Testing
import Validation

@Suite struct MeterCSVParserTests {
    typealias F = MeterFixtures

    @Test func hourlyLocalDay() throws {
        let format = MeterCSVFormat(timeZone: F.rome)
        let readings = try F.parse("hourly-2026-06-15.csv", format)
        // 24 hours × 2 PODs.
        #expect(readings.count == 48)
        // 2026-06-15 00:00 in Rome is CEST (+02:00): 2026-06-14T22:00Z.
        #expect(readings[0].start == F.utc("2026-06-14T22:00:00Z"))
        #expect(readings[0].pod == F.seller && readings[0].injectionWh == 1000 && readings[0].withdrawalWh == 0)
        #expect(readings[0].location == SourceLocation(file: "hourly-2026-06-15.csv", line: 2))
        // Row for 23:00 of the buyer: line 2 + 47 = 49, withdrawal 500 + 23.
        #expect(readings[47].start == F.utc("2026-06-15T21:00:00Z") && readings[47].withdrawalWh == 523)
        #expect(readings.allSatisfy { $0.lengthSeconds == 3600 })
    }

    @Test func quarterHourlyEndLabelled() throws {
        let format = MeterCSVFormat(timeZone: F.rome, label: .end, intervalSeconds: 900)
        let readings = try F.parse("quarter-hourly-2026-06-15.csv", format)
        #expect(readings.count == 96)
        // "00:15" labels 00:00–00:15 local = 22:00Z the day before.
        #expect(readings[0].start == F.utc("2026-06-14T22:00:00Z") && readings[0].withdrawalWh == 100)
        // The last row, "24:00", is 23:45–24:00 local = 21:45Z.
        #expect(readings[95].start == F.utc("2026-06-15T21:45:00Z") && readings[95].withdrawalWh == 195)
    }

    @Test func octoberRepeatedHourByRowOrder() throws {
        let format = MeterCSVFormat(dateOrder: .dayMonthYear, timeZone: F.rome)
        let readings = try F.parse("dst-october-2026-10-25.csv", format)
        #expect(readings.count == 25)
        // Rows 3 and 4 both read "02:00": the first is 02:00 CEST = 00:00Z, the second 02:00 CET = 01:00Z.
        #expect(readings[2].start == F.utc("2026-10-25T00:00:00Z"))
        #expect(readings[3].start == F.utc("2026-10-25T01:00:00Z"))
        // "03:00" is CET: 02:00Z.
        #expect(readings[4].start == F.utc("2026-10-25T02:00:00Z"))
        // Consecutive hours, no gap, no overlap.
        #expect(zip(readings, readings.dropFirst()).allSatisfy { $1.start - $0.start == 3600 })
    }

    @Test func explicitOffsetDisambiguatesAndIsChecked() throws {
        let csv = "pod,timestamp,withdrawal,injection\nP,2026-10-25 02:00+01:00,1,0\nP,2026-10-25 02:00+02:00,2,0\n"
        let readings = try MeterCSVParser(format: MeterCSVFormat(timeZone: F.rome)).parse(csv, file: "x.csv")
        // The offset wins over row order: +01:00 is the later instant.
        #expect(readings[0].start == F.utc("2026-10-25T01:00:00Z"))
        #expect(readings[1].start == F.utc("2026-10-25T00:00:00Z"))
        // +03:00 is never Rome's offset.
        let bad = "pod,timestamp,withdrawal,injection\nP,2026-10-25 02:00+03:00,1,0\n"
        let error = F.error {
            _ = try MeterCSVParser(format: MeterCSVFormat(timeZone: F.rome)).parse(bad, file: "x.csv")
        }
        #expect(error?.issues.first?.kind == .offsetMismatch)
        #expect(error?.issues.first?.location == SourceLocation(file: "x.csv", line: 2, column: 2))
    }

    @Test func marchDayHas23Hours() throws {
        let format = MeterCSVFormat(dateOrder: .dayMonthYear, timeZone: F.rome)
        let readings = try F.parse("dst-march-2026-03-29.csv", format)
        #expect(readings.count == 23)
        // 01:00 CET = 00:00Z; the next row, 03:00 CEST = 01:00Z: one hour later.
        #expect(readings[1].start == F.utc("2026-03-29T00:00:00Z"))
        #expect(readings[2].start == F.utc("2026-03-29T01:00:00Z"))
    }

    @Test func italianExport() throws {
        let format = MeterCSVFormat(
            unit: .kWh, skipLines: 1, pod: .name("POD"),
            timestamp: .dateAndTime(date: .name("data"), time: .name("ORA")),
            dateOrder: .dayMonthYear, timeZone: F.rome, withdrawal: .name("Prelievo (kWh)"),
            injection: .name("Immissione (kWh)"))
        let readings = try F.parse("italian-2026-06-15.csv", format)
        #expect(readings.count == 24)
        // BOM, CRLF, quoted POD: the POD is clean.
        #expect(readings.allSatisfy { $0.pod == F.seller })
        // Line 3 (after the preamble and the header): "1,234" kWh = 1234 Wh.
        #expect(readings[0].withdrawalWh == 1234 && readings[0].location.line == 3)
        // "0,5" kWh = 500 Wh; "12,3400" kWh = 12340 Wh (trailing zeros are not precision).
        #expect(readings[1].withdrawalWh == 500 && readings[2].withdrawalWh == 12340)
        // "0,100" = 100 Wh, "2,5" = 2500 Wh.
        #expect(readings[3].withdrawalWh == 100 && readings[3].injectionWh == 2500)
        #expect(readings[0].start == F.utc("2026-06-14T22:00:00Z"))
    }

    @Test func utcExport() throws {
        let format = MeterCSVFormat()
        let readings = try F.parse("utc-2026-06-15.csv", format)
        #expect(readings.count == 24)
        // Row h is 22:00Z + h hours, withdrawal h, injection 2h; row 5 (03:00Z) is written with an
        // offset instead of Z: "2026-06-15T05:00:00+02:00".
        for (h, reading) in readings.enumerated() {
            #expect(reading.start == F.utc("2026-06-14T22:00:00Z") + Int64(h) * 3600)
            #expect(reading.withdrawalWh == UInt64(h) && reading.injectionWh == UInt64(2 * h))
        }
    }

    @Test func indexMappingWithoutHeaderAndTabs() throws {
        let csv = "P\t2026-06-15T00:00:00Z\t7\t8\r\nP\t2026-06-15T01:00:00Z\t9\t0\r\n"
        let format = MeterCSVFormat(
            hasHeader: false, pod: .index(1), timestamp: .single(.index(2)), withdrawal: .index(4), injection: .index(3)
        )
        let readings = try MeterCSVParser(format: format).parse(csv, file: "t.tsv")
        #expect(readings.map(\.withdrawalWh) == [8, 0] && readings.map(\.injectionWh) == [7, 9])
        #expect(readings[1].location.line == 2)
    }

    @Test func configuredThousandsSeparator() throws {
        let csv = "pod;timestamp;withdrawal;injection\nP;2026-06-15T00:00Z;1.234,5;\"12.345.678\"\n"
        let format = MeterCSVFormat(thousandsSeparator: ".", unit: .kWh)
        let reading = try MeterCSVParser(format: format).parse(csv, file: "t.csv")[0]
        // 1.234,5 kWh = 1234.5 kWh = 1,234,500 Wh; 12.345.678 kWh = 12,345,678,000 Wh.
        #expect(reading.withdrawalWh == 1_234_500 && reading.injectionWh == 12_345_678_000)
    }

    @Test func energyValues() throws {
        func wh(_ text: String, _ unit: MeterCSVFormat.EnergyUnit = .kWh, mark: MeterCSVFormat.DecimalMark = .comma)
            throws -> UInt64
        {
            let csv = "pod;timestamp;withdrawal;injection\nP;2026-06-15T00:00Z;\(text);0\n"
            let format = MeterCSVFormat(separator: .semicolon, decimalMark: mark, unit: unit)
            return try MeterCSVParser(format: format).parse(csv, file: "v.csv")[0].withdrawalWh
        }
        #expect(try wh("0,001") == 1)  // 0.001 kWh = 1 Wh
        #expect(try wh("7") == 7000)
        #expect(try wh("-0,000") == 0)  // negative zero is zero
        #expect(try wh("3.5", mark: .point) == 3500)
        #expect(try wh("42", .wh) == 42)
        #expect(try wh("42,000", .wh) == 42)
        #expect(try wh("18446744073709551,615") == UInt64.max)
        let cases: [(String, MeterCSVFormat.EnergyUnit, MeterIssue.Kind)] = [
            ("1.234", .kWh, .badNumber),  // thousands separator not declared
            ("1,2,3", .kWh, .badNumber),
            ("1e3", .kWh, .badNumber),
            (",5", .kWh, .badNumber),
            ("", .kWh, .emptyValue),
            ("0,0001", .kWh, .tooPrecise),
            ("42,5", .wh, .tooPrecise),
            ("-1", .kWh, .negativeValue),
            ("18446744073709551,616", .kWh, .tooLarge),
        ]
        for (text, unit, kind) in cases {
            let error = F.error { _ = try wh(text, unit) }
            #expect(error?.issues.first?.kind == kind, "\(text)")
            #expect(error?.issues.first?.location == SourceLocation(file: "v.csv", line: 2, column: 3), "\(text)")
        }
    }
}

extension MeterCSVParserTests {
    /// Italian hourly data numbered 1–25 on the October day.
    @Test func numberedHoursOnThe25HourDay() throws {
        var csv = "POD;Data;Ora;Prelievo\n"
        for n in 1...25 { csv += "P;25/10/2026;\(n);\(n)\n" }
        csv += "P;25/10/2026;26;1\n"
        let format = MeterCSVFormat(
            pod: .name("POD"), timestamp: .dateAndNumber(date: .name("Data"), number: .name("Ora")),
            dateOrder: .dayMonthYear, timeZone: F.rome, withdrawal: .name("Prelievo"), injection: nil)
        let error = F.error { _ = try MeterCSVParser(format: format).parse(csv, file: "o.csv") }
        // Hour 26 does not exist on a 25-hour day: line 27, column 3.
        #expect(error?.issues.map { $0.location } == [SourceLocation(file: "o.csv", line: 27, column: 3)])
        #expect(error?.issues.first?.expected == "an interval number from 1 to 25 (the local day has 25 hours)")
        let readings = try MeterCSVParser(format: format).parse(
            String(csv.dropLast("P;25/10/2026;26;1\n".count)), file: "o.csv")
        // Hour n starts at local midnight (22:00Z the day before) + (n − 1) hours; hour 25 at 22:00Z on the 25th.
        #expect(readings.count == 25 && readings[0].start == F.utc("2026-10-24T22:00:00Z"))
        #expect(readings[24].start == F.utc("2026-10-25T22:00:00Z") && readings[24].withdrawalWh == 25)
        #expect(readings.allSatisfy { $0.injectionWh == 0 })
    }
}
