import Foundation
import Testing
import Validation

@Suite struct MeterAggregatorTests {
    typealias F = MeterFixtures

    static let june15 = F.utc("2026-06-14T22:00:00Z")

    @Test func quarterHoursSumIntoHours() throws {
        let readings = try F.parse(
            "quarter-hourly-2026-06-15.csv", MeterCSVFormat(timeZone: F.rome, label: .end, intervalSeconds: 900))
        let day = try MeterAggregator(pods: [F.buyer], dayStart: Self.june15, slotLength: 3600, slotCount: 24)
            .aggregate(readings).day
        // Quarter q withdraws 100 + q; hour h sums q = 4h…4h+3: 400 + 16h + 6.
        // h = 0: 100+101+102+103 = 406; h = 23: q = 92…95, 192+193+194+195 = 774.
        #expect(day.withdrawalWh[F.buyer]![0] == 406)
        #expect(day.withdrawalWh[F.buyer]![23] == 774)
        let expected: [UInt64] = (0..<24).map { 406 + 16 * UInt64($0) }
        #expect(day.withdrawalWh[F.buyer]! == expected)
        // Injection is q mod 4: 0+1+2+3 = 6 every hour.
        #expect(day.injectionWh[F.buyer]! == Array(repeating: 6, count: 24))
    }

    @Test func quarterHourSlotsKeepQuarterHours() throws {
        let readings = try F.parse(
            "quarter-hourly-2026-06-15.csv", MeterCSVFormat(timeZone: F.rome, label: .end, intervalSeconds: 900))
        let day = try MeterAggregator(pods: [F.buyer], dayStart: Self.june15, slotLength: 900, slotCount: 96)
            .aggregate(readings).day
        let expected: [UInt64] = (0..<96).map { 100 + UInt64($0) }
        #expect(day.withdrawalWh[F.buyer]! == expected)
    }

    @Test func hourlyReadingsDoNotFitQuarterHourSlots() throws {
        let readings = try F.parse("hourly-2026-06-15.csv", MeterCSVFormat(timeZone: F.rome))
        let error = F.error {
            _ = try MeterAggregator(pods: [F.seller], dayStart: Self.june15, slotLength: 900, slotCount: 96)
                .aggregate(readings)
        }
        // 24 hourly rows refused; the seller's day is then entirely missing (one gap).
        #expect(error?.issues.filter { $0.kind == .intervalTooLong }.count == 24)
        #expect(error?.issues.last?.kind == .missingInterval)
        #expect(error?.issues.first?.kind == .intervalTooLong && error?.issues.first?.location?.line == 2)
    }

    @Test func octoberDayHas25Slots() throws {
        let readings = try F.parse(
            "dst-october-2026-10-25.csv", MeterCSVFormat(dateOrder: .dayMonthYear, timeZone: F.rome))
        // Local midnight of 2026-10-25 is still CEST: 2026-10-24T22:00Z; the day lasts 25 hours.
        let day = try MeterAggregator(
            pods: [F.buyer], dayStart: F.utc("2026-10-24T22:00:00Z"), slotLength: 3600, slotCount: 25
        ).aggregate(readings).day
        // Row k withdraws 100·(k+1); slots follow rows.
        let expected: [UInt64] = (1...25).map { 100 * UInt64($0) }
        #expect(day.withdrawalWh[F.buyer]! == expected)
        // Read as a 24-hour day the last reading falls outside: a warning, not a silent drop.
        let short = try MeterAggregator(
            pods: [F.buyer], dayStart: F.utc("2026-10-24T22:00:00Z"), slotLength: 3600, slotCount: 24
        ).aggregate(readings)
        #expect(short.warnings.map(\.kind) == [.outsideDay] && short.warnings[0].location?.line == 26)
    }

    @Test func marchDayHas23Slots() throws {
        let readings = try F.parse(
            "dst-march-2026-03-29.csv", MeterCSVFormat(dateOrder: .dayMonthYear, timeZone: F.rome))
        let day = try MeterAggregator(
            pods: [F.buyer], dayStart: F.utc("2026-03-28T23:00:00Z"), slotLength: 3600, slotCount: 23
        ).aggregate(readings).day
        let expected: [UInt64] = (1...23).map { 100 * UInt64($0) }
        #expect(day.withdrawalWh[F.buyer]! == expected)
        // Expecting 24 hours, the 24th (22:00Z–23:00Z) is missing.
        let error = F.error {
            _ = try MeterAggregator(
                pods: [F.buyer], dayStart: F.utc("2026-03-28T23:00:00Z"), slotLength: 3600, slotCount: 24
            ).aggregate(readings)
        }
        #expect(error?.issues.map(\.kind) == [.missingInterval])
        #expect(error?.issues.first?.found == "no reading from 2026-03-29 22:00:00 to 2026-03-29 23:00:00 UTC")
    }

    @Test func missingPODIsOneGap() throws {
        let readings = try F.parse("hourly-2026-06-15.csv", MeterCSVFormat(timeZone: F.rome))
        let result = try MeterAggregator(
            pods: [F.seller, F.buyer, "IT001E00000003"], dayStart: Self.june15, slotLength: 3600, slotCount: 24,
            policy: MeterPolicy(missing: .zero)
        ).aggregate(readings)
        #expect(result.warnings.count == 1 && result.warnings[0].pod == "IT001E00000003")
        #expect(result.day.withdrawalWh["IT001E00000003"] == Array(repeating: 0, count: 24))
        // Seller injects 1000 + 10h: Σ = 24·1000 + 10·(0+…+23) = 24000 + 2760 = 26760.
        #expect(result.day.injectionWh[F.seller]!.reduce(0, +) == 26760)
    }

    func reading(_ start: Int64, _ length: Int64, line: Int, w: UInt64 = 1) -> MeterReading {
        MeterReading(
            pod: "P", start: start, lengthSeconds: length, withdrawalWh: w, injectionWh: 0,
            location: SourceLocation(file: "r", line: line))
    }

    @Test func misalignedAndOverlappingReadings() {
        let d: Int64 = 1_000_000 * 3600
        let aggregator = MeterAggregator(pods: ["P"], dayStart: d, slotLength: 3600, slotCount: 1)
        // A quarter hour starting at +10 min: not on the grid.
        let misaligned = F.error { _ = try aggregator.aggregate([reading(d + 600, 900, line: 1)]) }
        #expect(misaligned?.issues.first?.kind == .misaligned)
        // A whole hour, then a quarter inside it: overlap (not a duplicate: the intervals differ).
        let overlap = F.error {
            _ = try aggregator.aggregate([reading(d, 3600, line: 1), reading(d + 900, 900, line: 2)])
        }
        #expect(overlap?.issues.map(\.kind) == [.overlap] && overlap?.issues.first?.location?.line == 2)
        // Same interval, different values: an error even under warnIfEqual.
        let differ = F.error {
            _ = try MeterAggregator(
                pods: ["P"], dayStart: d, slotLength: 3600, slotCount: 1, policy: MeterPolicy(duplicate: .warnIfEqual)
            ).aggregate([reading(d, 3600, line: 1), reading(d, 3600, line: 2, w: 2)])
        }
        #expect(differ?.issues.map(\.kind) == [.duplicate])
        // A reading straddling the day start.
        let straddle = F.error { _ = try aggregator.aggregate([reading(d - 900, 3600, line: 1)]) }
        #expect(straddle?.issues.first?.kind == .misaligned)
    }
}

extension MeterAggregatorTests {
    /// A quarter-hour, end-labelled export of a DST day, its local labels written by Foundation's
    /// own formatter: quarter q withdraws q + 1 Wh.
    static func quarterHours(from dayStart: Int64, count: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = F.rome
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        var csv = "pod;timestamp;withdrawal;injection\n"
        for q in 0..<count {
            let end = Date(timeIntervalSince1970: TimeInterval(dayStart + Int64(q + 1) * 900))
            csv += "P;\(formatter.string(from: end));\(q + 1);0\n"
        }
        return csv
    }

    @Test(arguments: [("2026-10-24T22:00:00Z", 25), ("2026-03-28T23:00:00Z", 23)])
    func endLabelledQuarterHoursOnDSTDays(_ start: String, _ hours: Int) throws {
        let dayStart = F.utc(start)
        let csv = Self.quarterHours(from: dayStart, count: hours * 4)
        // On the October day the labels 02:00…02:45 appear twice, in time order.
        if hours == 25 { #expect(csv.components(separatedBy: ";2026-10-25 02:15;").count == 3) }
        let format = MeterCSVFormat(timeZone: F.rome, label: .end, intervalSeconds: 900)
        let readings = try MeterCSVParser(format: format).parse(csv, file: "q.csv")
        let day = try MeterAggregator(pods: ["P"], dayStart: dayStart, slotLength: 3600, slotCount: hours)
            .aggregate(readings).day
        // Hour h sums quarters 4h…4h+3, withdrawing 4h+1 … 4h+4: 16h + 10.
        let expected: [UInt64] = (0..<hours).map { 16 * UInt64($0) + 10 }
        #expect(day.withdrawalWh["P"]! == expected)
    }
}
