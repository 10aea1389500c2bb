import Foundation
import Manifest
import MeterSources
import Testing
import Validation

@Suite struct CSVSourceTests {
    @Test func theFixtureDayHasTwentyFiveSlotsWithTheRepeatedHour() async throws {
        let fixture = try MeterSourceFixture()
        defer { fixture.remove() }
        let day = try await fixture.referenceDay()
        #expect(day.slotCount == 25)
        // vera injects 1200 Wh in the second 02:00 (slot 3), sara 1600 Wh at 12:00 (slot 13).
        #expect(day.injection(pod: "IT001E20000004", slot: 3) == 1200)
        #expect(day.injection(pod: "IT001E20000004", slot: 2) == 0)
        #expect(day.injection(pod: "IT001E20000001", slot: 13) == 1600)
        #expect(day.withdrawal(pod: "IT001E20000002", slot: 14) == 700)
    }

    @Test func aMissingFileIsNotYetAvailableAndBadDataIsAnError() async throws {
        let fixture = try MeterSourceFixture()
        defer { fixture.remove() }
        let missing = try fixture.manifest(validation: "  source:\n    csv: {files: meters/2026-10-26.csv}")
        await #expect {
            _ = try await fixture.reader(missing).meterDay(pods: MeterSourceFixture.pods)
        } throws: { error in
            guard let error = error as? MeterSourceError else { return false }
            return error.notYetAvailable && error.description.contains("meters/2026-10-26.csv")
        }
        let broken = fixture.folder.appendingPathComponent("meters/broken.csv")
        try "pod;timestamp;withdrawal;injection\nIT001E20000001;2026-10-25 00:00;-5;0\n".write(
            to: broken, atomically: true, encoding: .utf8)
        let bad = try fixture.manifest(validation: "  source:\n    csv: {files: meters/broken.csv}")
        await #expect {
            _ = try await fixture.reader(bad).meterDay(pods: MeterSourceFixture.pods)
        } throws: { error in
            guard let error = error as? MeterSourceError else { return false }
            return !error.notYetAvailable && error.description.contains("meters/broken.csv:2")
        }
    }
}

extension CSVSourceTests {
    /// A POD with no reading at all is "not loaded yet", even under `missing: zero` (which only
    /// fills gaps): validating it as a day of zeros would charge penalties for data not there.
    @Test func aPODWithoutAnyReadingIsNotYetAvailable() async throws {
        let fixture = try MeterSourceFixture()
        defer { fixture.remove() }
        let full = try String(
            contentsOf: fixture.folder.appendingPathComponent("meters/2026-10-25.csv"), encoding: .utf8)
        let partial = full.split(separator: "\n").filter { !$0.hasPrefix("IT001E20000004") }.joined(separator: "\n")
        try (partial + "\n").write(
            to: fixture.folder.appendingPathComponent("meters/partial.csv"), atomically: true, encoding: .utf8)
        let manifest = try fixture.manifest(
            validation: "  source:\n    csv: {files: meters/partial.csv}\n  missing: zero")
        await #expect {
            _ = try await fixture.reader(manifest).meterDay(pods: MeterSourceFixture.pods)
        } throws: { error in
            guard let error = error as? MeterSourceError else { return false }
            return error.notYetAvailable && error.description.contains("IT001E20000004")
        }
    }
}

@Suite struct HTTPSourceTests {
    /// Serves the fixture day as one JSON document per POD (generated from the CSV readings,
    /// kWh as strings for two PODs, Wh integers for the others) and checks the HTTP source
    /// rebuilds the same day; token, retry on 503 and 404 → not yet available.
    @Test func documentsPerPODRebuildTheSameDay() async throws {
        let fixture = try MeterSourceFixture()
        defer { fixture.remove() }
        let served = fixture.folder.appendingPathComponent("served")
        let readings = try await fixture.referenceReadings()
        for (n, pod) in MeterSourceFixture.pods.enumerated() {
            let kWh = n % 2 == 0
            let rows: [String] = readings.filter { $0.pod == pod }.map { r in
                let offset = r.start < 1_792_890_000 ? "+02:00" : "+01:00"  // CEST until 01:00 UTC
                let local = r.start + (offset == "+02:00" ? 7200 : 3600)
                let d = Date(timeIntervalSince1970: TimeInterval(local))
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: d)
                let stamp = String(format: "%04d-%02d-%02dT%02d:%02d:00", c.year!, c.month!, c.day!, c.hour!, c.minute!)
                func value(_ wh: UInt64) -> String {
                    kWh ? "\"\(wh / 1000).\(String(format: "%03d", wh % 1000))\"" : "\(wh)"
                }
                return "{\"start\":\"\(stamp)\(offset)\",\"withdrawal\":\(value(r.withdrawalWh)),"
                    + "\"injection\":\(value(r.injectionWh))}"
            }
            let folder = served.appendingPathComponent(pod)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try
                "{\"pod\":\"\(pod)\",\"unit\":\"\(kWh ? "kWh" : "Wh")\",\"interval_minutes\":60,\"readings\":[\(rows.joined(separator: ","))]}"
                .write(to: folder.appendingPathComponent("2026-10-25.json"), atomically: true, encoding: .utf8)
        }
        // The second POD's first answer is 503: the source retries.
        let server = try HelperProcess(
            "/usr/bin/env",
            [
                "python3",
                MeterSourceFixture.root.appendingPathComponent("Tests/MeterSourcesTests/meter_server.py").path,
                served.path, "t0ken", "IT001E20000002",
            ])
        let port = server.firstLine
        let template = "http://127.0.0.1:\(port)/{pod}/{date}.json"
        let manifest = try fixture.manifest(
            validation: "  source:\n    http: {url: \"\(template)\", token_env: METER_TOKEN, retries: 2}")
        let day = try await fixture.reader(manifest, environment: ["METER_TOKEN": "t0ken"]).meterDay(
            pods: MeterSourceFixture.pods
        ).day
        #expect(day == (try await fixture.referenceDay()))

        await #expect {
            _ = try await fixture.reader(manifest, environment: ["METER_TOKEN": "wrong"]).readings(
                pods: MeterSourceFixture.pods)
        } throws: { error in
            (error as? MeterSourceError)?.description.contains("HTTP status 401") == true
        }
        let later = try fixture.manifest(
            validation: "  source:\n    http: {url: \"http://127.0.0.1:\(port)/{pod}/2026-10-26.json\", token_env: T}")
        await #expect {
            _ = try await fixture.reader(later, environment: ["T": "t0ken"]).readings(pods: MeterSourceFixture.pods)
        } throws: { error in
            (error as? MeterSourceError)?.notYetAvailable == true
        }
        await server.stop()
    }

    @Test func malformedDocumentsNameThePath() throws {
        let doc = Data(
            #"{"pod":"P1","unit":"Wh","interval_minutes":60,"readings":[{"start":"2026-10-25T00:00:00+02:00","withdrawal":1.5,"injection":0}]}"#
                .utf8)
        #expect {
            _ = try HTTPMeterDocument.readings(doc, pod: "P1", url: "u")
        } throws: { error in
            (error as? MeterSourceError)?.description.contains("readings[0].withdrawal is 1.5") == true
        }
        let noOffset = Data(
            #"{"pod":"P1","interval_minutes":60,"readings":[{"start":"2026-10-25T00:00:00","withdrawal":1,"injection":0}]}"#
                .utf8)
        #expect {
            _ = try HTTPMeterDocument.readings(noOffset, pod: "P1", url: "u")
        } throws: { error in
            (error as? MeterSourceError)?.description.contains("readings[0].start") == true
        }
        let other = Data(#"{"pod":"P2","interval_minutes":60,"readings":[]}"#.utf8)
        #expect(throws: MeterSourceError.self) { _ = try HTTPMeterDocument.readings(other, pod: "P1", url: "u") }
        let ok = Data(
            #"{"pod":"P1","unit":"kWh","interval_minutes":15,"readings":[{"start":"2026-10-25T01:15:00Z","withdrawal":"0.125","injection":"2"}]}"#
                .utf8)
        let readings = try HTTPMeterDocument.readings(ok, pod: "P1", url: "u")
        // 2026-10-25T01:15Z = 20_751 days × 86_400 s + 4_500 s = 1_792_890_900; 0.125 kWh = 125 Wh;
        // "2" kWh = 2000 Wh.
        #expect(
            readings == [
                MeterReading(
                    pod: "P1", start: 1_792_890_900, lengthSeconds: 900, withdrawalWh: 125, injectionWh: 2000,
                    location: Validation.SourceLocation(file: "u", line: 1))
            ])
    }
}
