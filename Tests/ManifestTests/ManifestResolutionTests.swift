import Foundation
import Manifest
import Testing

@Suite struct ManifestResolutionTests {
    @Test(arguments: [("2026-03-29", 23), ("2026-10-25", 25), ("2026-11-26", 24)])
    func dstDaysHaveTheirSlotCount(_ date: String, _ slots: Int) throws {
        let manifest = try ManifestParser.parse(validManifest, file: "m.yaml", date: DeliveryCalendar.Day(date)!)
        #expect(manifest.session.slots == slots)
    }

    @Test func quarterHourSlotsOnALongDay() throws {
        let yaml = editing(7, "  slot_minutes: 15")
        let manifest = try ManifestParser.parse(yaml, file: "m.yaml", date: DeliveryCalendar.Day("2026-10-25")!)
        #expect(manifest.session.slots == 100)
    }

    @Test func deadlinesResolveInTheSessionTimeZone() throws {
        let manifest = try ManifestParser.parse(
            validManifest, file: "m.yaml", date: DeliveryCalendar.Day("2026-11-26")!)
        // 2026-11-26 00:00 in Rome (UTC+1) is 2026-11-25 23:00 UTC = 1795647600.
        #expect(manifest.session.deliveryStart == 1_795_647_600)
        // D-1 18:00 and 20:00 local: 17:00 and 19:00 UTC on the 25th.
        #expect(manifest.deadlines.commit == 1_795_647_600 - 6 * 3_600)
        #expect(manifest.deadlines.reveal == 1_795_647_600 - 4 * 3_600)
        // Summer: UTC+2.
        let summer = try ManifestParser.parse(validManifest, file: "m.yaml", date: DeliveryCalendar.Day("2026-07-01")!)
        let utcMidnight = try #require(
            DeliveryCalendar(timeZone: TimeZone(identifier: "UTC")!).startOfDay(.init(year: 2026, month: 7, day: 1)))
        #expect(summer.session.deliveryStart == utcMidnight - 2 * 3_600)
    }

    @Test func isoDeadlinesAreAccepted() throws {
        let yaml = editing(17, "  commit: \"2026-11-25T17:30:00+01:00\"")
        let manifest = try ManifestParser.parse(yaml, file: "m.yaml", date: DeliveryCalendar.Day("2026-11-26")!)
        #expect(manifest.deadlines.commit == 1_795_647_600 - 6 * 3_600 - 30 * 60)
    }

    @Test func canonicalHashIgnoresFormattingButNotContent() throws {
        let day = DeliveryCalendar.Day("2026-11-26")!
        let base = try ManifestParser.parse(validManifest, file: "m.yaml", date: day).canonicalHash
        // Same content: keys reordered, flow style, other quoting.
        let reordered =
            validManifest
            .replacingOccurrences(
                of: "clearing:\n  plugin: uniform-price\n  params:\n    price_rule: midpoint",
                with: "clearing: {params: {price_rule: 'midpoint'}, plugin: \"uniform-price\"}"
            )
            .replacingOccurrences(of: "contracts:\n  deploy: true", with: "contracts: {deploy: true}   # comment")
        #expect(try ManifestParser.parse(reordered, file: "m.yaml", date: day).canonicalHash == base)
        // Different content or day: different hash.
        #expect(
            try ManifestParser.parse(editing(8, "  deposit: \"6.00\""), file: "m.yaml", date: day).canonicalHash != base
        )
        #expect(
            try ManifestParser.parse(validManifest, file: "m.yaml", date: DeliveryCalendar.Day("2026-11-27")!)
                .canonicalHash != base)
    }

    @Test(arguments: ["exec:python3 plugins/clear.py", "http:http://127.0.0.1:8080/clear", "mid-market-rate"])
    func externalAndCommunityPluginNamesAreAccepted(_ plugin: String) throws {
        let yaml = editing(38, "  plugin: \"\(plugin)\"")
            .replacingOccurrences(
                of: "    price_rule: midpoint", with: "    feed_in_price: 100000\n    retail_price: \"250000\"")
        let manifest = try ManifestParser.parse(yaml, file: "m.yaml", date: DeliveryCalendar.Day("2026-11-26")!)
        #expect(manifest.clearing.plugin == plugin)
    }

    @Test func decimalAmountsAreExact() {
        #expect(DecimalAmount.parse("0.05", decimals: 6) == 50_000)
        #expect(DecimalAmount.parse("1_000.5", decimals: 6) == 1_000_500_000)
        #expect(DecimalAmount.parse("7", decimals: 0) == 7)
        for bad in ["", ".5", "5.", "-1", "1e3", "0x10", "1.2.3", "1.0000001", " 1"] {
            #expect(DecimalAmount.parse(bad, decimals: 6) == nil, "\(bad)")
        }
        #expect(DecimalAmount.format(50_000, decimals: 6) == "0.050000")
        #expect(DecimalAmount.format(1_000_500_000, decimals: 6) == "1000.500000")
    }

    @Test func loaderNamesMissingFilesWithTheirLocation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cer-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.yaml").path
        try validManifest.replacingOccurrences(of: "{date}", with: "2026-11-26").write(
            toFile: path, atomically: true, encoding: .utf8)
        try Data("anna".utf8).write(to: folder.appendingPathComponent("anna.pdf"))
        do {
            _ = try ManifestLoader.load(path: path)
            Issue.record("bruno.pdf is missing but the manifest loaded")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.path == "participants[1].adhesion")
            #expect(error.issues.first?.line == 36)
            #expect(error.issues.first?.message.contains("bruno.pdf") == true)
        }
        try Data("bruno".utf8).write(to: folder.appendingPathComponent("bruno.pdf"))
        #expect(try ManifestLoader.load(path: path).participants.count == 2)
    }
}
