import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// A whole session on the October DST day (fixtures/manifests/dst-settlement.yaml, fixed dates
/// and meter data): every final balance computed by hand, and a crash at every journal record
/// and after every broadcast resumed to the same end.
@Suite(.serialized) struct SettlementTests {
    static let manifest = RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests/dst-settlement.yaml").path
    static let runID = "fixture-dst"

    /// The figures of the report that must not depend on interruptions: balances, nonces (no
    /// extra transaction), treasury, state, and the stored clearing and validation results.
    static func endState(_ runs: URL) throws -> JSONValue {
        let folder = runs.appendingPathComponent(runID)
        let report = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("report.json")))
        let clearing = try Data(contentsOf: folder.appendingPathComponent("clearing.json"))
        let validation = try Data(contentsOf: folder.appendingPathComponent("validation.json"))
        let book = try Data(contentsOf: folder.appendingPathComponent("book.json"))
        return [
            "book": .string(Keccak256.hash(Array(book)).hex),
            "report": report, "clearing": .string(Keccak256.hash(Array(clearing)).hex),
            "validation": .string(Keccak256.hash(Array(validation)).hex),
        ]
    }

    @Test func underDeliveryAndUnderConsumptionSettleToHandComputedBalances() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let outcome = try await RunnerTests.run(runs, manifest: Self.manifest)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("done through report"))
        let report = try JSONValue.parse(
            Data(contentsOf: runs.appendingPathComponent("\(Self.runID)/report.json")))
        // Clearing (uniform price, midpoint): slot 3 ugo buys 1000 Wh from vera at
        // (100000 + 120000) / 2 = 110000; slot 13 sara's 2000 Wh go to tino (1500, limit
        // 200000) and ugo (500 of 1000, limit 180000) at (80000 + 180000) / 2 = 130000; slot 14
        // tino buys 1000 Wh from sara at (90000 + 150000) / 2 = 120000.
        // Validation (own meter, tolerance 50 Wh): slot 13 sara injects 1600 → 1600 validated,
        // buyers scaled 1500:500 → tino 1200, ugo 400; sara's shortfall 400, chargeable 350 →
        // penalty 350 × 100000 / 1000 = 35000. Slot 14 tino withdraws 700 → 700 validated
        // (sara's 1000 scaled to 700, not her fault); tino's shortfall 300, chargeable 250 →
        // 250 × 40000 / 1000 = 10000.
        // Money: tino pays 1200 × 0.13 + 700 × 0.12 = 156000 + 84000 = 240000; ugo pays
        // 400 × 0.13 + 1000 × 0.11 = 52000 + 110000 = 162000; sara receives 1600 × 0.13 +
        // 700 × 0.12 = 208000 + 84000 = 292000; vera 110000. Everyone deposited
        // max(collateral, 1.00) + 1.00 = 2000000.
        let expected: [String: (paid: String, received: String, penalty: String, available: String)] = [
            "sara": ("0", "292000", "35000", "2257000"),  // 2000000 + 292000 − 35000
            "tino": ("240000", "0", "10000", "1750000"),  // 2000000 − 240000 − 10000
            "ugo": ("162000", "0", "0", "1838000"),  // 2000000 − 162000
            "vera": ("0", "110000", "0", "2110000"),  // 2000000 + 110000
        ]
        let members = report["members"]?.arrayValue ?? []
        #expect(members.count == 4)
        for member in members {
            let id = member["id"]?.stringValue ?? "?"
            guard let want = expected[id] else {
                Issue.record("unexpected member \(id)")
                continue
            }
            #expect(member["paid"]?.stringValue == want.paid, "\(id) paid")
            #expect(member["received"]?.stringValue == want.received, "\(id) received")
            #expect(member["penalty"]?.stringValue == want.penalty, "\(id) penalty")
            #expect(member["available"]?.stringValue == want.available, "\(id) available")
            #expect(member["locked"]?.stringValue == "0", "\(id) locked")
        }
        #expect(member(members, "sara")?["deliveredWh"]?.stringValue == "2300")  // 1600 + 700
        #expect(member(members, "tino")?["deliveredWh"]?.stringValue == "1900")  // 1200 + 700
        #expect(member(members, "ugo")?["deliveredWh"]?.stringValue == "1400")  // 1000 + 400
        #expect(report["totals"]?["paid"]?.stringValue == "402000")
        #expect(report["totals"]?["owed"]?.stringValue == "402000")
        #expect(report["totals"]?["treasury"]?.stringValue == "45000")  // penalties, no dust
        #expect(report["state"]?.stringValue == "settled")
        let status = try await RunnerTests.run(runs, manifest: Self.manifest, command: ["status"])
        #expect(status.status == 0, "\(status.output)")
        // Deadlines in the session's time zone (CEST before the October change), the next step.
        #expect(status.output.contains("deadlines: commit 2026-10-24 18:00 +02:00, reveal 2026-10-24 20:00 +02:00"))
        #expect(status.output.contains("(25 slots)") && status.output.contains("next: nothing: settled"))
        // Each member's status and funds (read with the list views).
        for id in ["sara", "tino", "ugo", "vera"] {
            let line = "  " + id.padding(toLength: 10, withPad: " ", startingAt: 0) + " active  available "
            #expect(status.output.contains(line), "\(id): \(status.output)")
        }

        // The repeated 02:00 hour is slot 3 (CET): vera's and ugo's trade there validated in full.
        let validation = try JSONValue.parse(
            Data(contentsOf: runs.appendingPathComponent("\(Self.runID)/validation.json")))
        let slots = validation["slots"]?.arrayValue ?? []
        #expect(slots.count == 25)
        #expect(slots.first { $0["slot"] == .int(3) }?["validatedWh"]?.stringValue == "1000")
        #expect(slots.first { $0["slot"] == .int(13) }?["validatedWh"]?.stringValue == "1600")
        #expect(slots.first { $0["slot"] == .int(14) }?["validatedWh"]?.stringValue == "700")
    }

    /// Meter data corrected after validation publication started: the resumed run finishes
    /// publishing the journaled result and does not read the changed data.
    @Test func publicationStartedFinishesWithTheJournaledResult() async throws {
        let reference = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: reference) }
        #expect(try await RunnerTests.run(reference, manifest: Self.manifest).status == 0)
        let expected = try Self.endState(reference)
        let records = try Journal.readOnly(reference.appendingPathComponent("\(Self.runID)/journal.jsonl"))
        let signed = try #require(
            records.first { $0.type == "tx.signed" && $0.data["step"] == "publish/validation/0" }?.sequence)

        // A copy of the fixture folder, so its meter file can be "corrected".
        let folder = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests"), to: folder)
        let manifest = folder.appendingPathComponent("dst-settlement.yaml").path
        let runs = folder.appendingPathComponent("runs")
        let crashed = try await RunnerTests.run(
            runs, manifest: manifest, environment: ["CER_RUN_CRASH_AFTER": String(signed)])
        #expect(crashed.status == 86, "\(crashed.output)")
        let meters = folder.appendingPathComponent("meters/2026-10-25.csv")
        let corrected = try String(contentsOf: meters, encoding: .utf8)
            .replacingOccurrences(
                of: "IT001E20000001;2026-10-25 12:00;150;1600", with: "IT001E20000001;2026-10-25 12:00;150;2000")
        try corrected.write(to: meters, atomically: true, encoding: .utf8)
        let resumed = try await RunnerTests.run(runs, manifest: manifest)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try Self.endState(runs) == expected)
    }

    /// The admin cancels the session after its clearing was published: the next run returns
    /// every member's lock with releaseCancelled, and a further run sends nothing.
    @Test func aCancelledSessionReleasesEveryLock() async throws {
        let reference = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: reference) }
        #expect(try await RunnerTests.run(reference, manifest: Self.manifest).status == 0)
        let records = try Journal.readOnly(reference.appendingPathComponent("\(Self.runID)/journal.jsonl"))
        let published = try #require(
            records.first { $0.type == "tx.mined" && $0.data["step"] == "publish/finalize" }?.sequence)

        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let crashed = try await RunnerTests.run(
            runs, manifest: Self.manifest, environment: ["CER_RUN_CRASH_AFTER": String(published)])
        #expect(crashed.status == 86)
        // The admin (the operator, who deployed) cancels on chain.
        var options = DevChainOptions()
        options.stateDirectory = runs.appendingPathComponent("\(Self.runID)/devchain")
        let chain = try await DevChainProcess.start(options)
        let keys = try await chain.accountKeys()
        let client = chain.client()
        let market = MarketplaceContract(
            contract: Contract(
                address: Address.contractAddress(sender: keys[1].address, nonce: 1),
                abi: try ArtifactStore.locate().artifact("Marketplace").abi, client: client))
        let admin = TransactionSender(client: client, key: keys[1], chainID: try await client.chainID())
        try await market.cancelSession(sessionID: 1, reason: "meter outage", sender: admin)
        let members = try SessionManifestAddresses.dst
        var lockedBefore = BigUInt(0)
        for member in members { lockedBefore += try await market.checkFunds(member).locked }
        chain.stop()
        #expect(lockedBefore > 0)

        let resumed = try await RunnerTests.run(runs, manifest: Self.manifest)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("was cancelled on chain: 4 member(s) had their locks released"))
        let again = try await RunnerTests.run(runs, manifest: Self.manifest)
        #expect(again.status == 0 && again.output.contains("(already done)"), "\(again.output)")

        let after = try await DevChainProcess.start(options)
        defer { after.stop() }
        let market2 = MarketplaceContract(
            contract: Contract(address: market.address, abi: market.contract.abi, client: after.client()))
        for member in members { #expect(try await market2.checkFunds(member).locked == 0) }
    }

    func member(_ members: [JSONValue], _ id: String) -> JSONValue? {
        members.first { $0["id"]?.stringValue == id }
    }

    /// Crash right after every journal record and after every broadcast; each resumed run
    /// ends exactly where the uninterrupted one did, and its journal validates.
    @Test func crashAtEveryRecordAndBroadcastThenResume() async throws {
        let clean = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: clean) }
        let first = try await RunnerTests.run(clean, manifest: Self.manifest)
        #expect(first.status == 0, "\(first.output)")
        let reference = try Self.endState(clean)
        let journal = clean.appendingPathComponent("\(Self.runID)/journal.jsonl")
        let records = try Journal.readOnlyCount(journal)
        let broadcasts =
            try String(contentsOf: journal, encoding: .utf8).components(separatedBy: "\"tx.signed\"")
            .count - 1
        #expect(records > 60 && broadcasts > 30)
        var points = (0..<records).map { ["CER_RUN_CRASH_AFTER": String($0)] }
        points += (1...broadcasts).map { ["CER_RUN_CRASH_AFTER_BROADCAST": String($0)] }
        for point in points {
            let runs = RunnerTests.temporaryRuns()
            defer { try? FileManager.default.removeItem(at: runs) }
            let crashed = try await RunnerTests.run(runs, manifest: Self.manifest, environment: point)
            #expect(crashed.status == 86, "\(point): \(crashed.output)")
            let resumed = try await RunnerTests.run(runs, manifest: Self.manifest)
            #expect(resumed.status == 0, "\(point): \(resumed.output)")
            #expect(try Self.endState(runs) == reference, "\(point)")
            _ = try Journal.readOnlyCount(runs.appendingPathComponent("\(Self.runID)/journal.jsonl"))
        }
    }
}

/// The dst fixture's member addresses.
enum SessionManifestAddresses {
    static var dst: [Address] {
        get throws {
            try [
                "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
                "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
            ].map { try Address($0) }
        }
    }
}

extension Journal {
    /// Reads and checks a journal (hash chain, checksums); returns its record count.
    static func readOnlyCount(_ url: URL) throws -> Int { try Journal.readOnly(url).count }
}
