import Chain
import Foundation
import PhaseRunner
import Testing

/// `batching: {submission: relayed}`: the DST fixture session with every commit and reveal
/// relayed by the operator, and a gas cap low enough to split every chunked step, ends exactly
/// where the one-transaction-per-member run ends; crashes between a chunk's journaling and its
/// transaction resume without a duplicate.
@Suite(.serialized) struct RelayedRunTests {
    static let cap = 200_000

    /// A copy of the fixture folder whose DST manifest relays, with a gas cap of `cap`.
    static func relayedFixture() throws -> (folder: URL, manifest: String) {
        let folder = RunnerTests.temporaryRuns()
        try FileManager.default.copyItem(
            at: RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests"), to: folder)
        let manifest = folder.appendingPathComponent("dst-settlement.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try (text + "batching: {submission: relayed, max_gas: \(cap)}\n").write(
            to: manifest, atomically: true, encoding: .utf8)
        return (folder, manifest.path)
    }

    /// What both paths must agree on: book, clearing, validation, and every member's money.
    static func outcome(_ runs: URL) throws -> JSONValue {
        let state = try SettlementTests.endState(runs)
        let members = (state["report"]?["members"]?.arrayValue ?? []).map { member -> JSONValue in
            var kept = [String: JSONValue]()
            for key in ["id", "paid", "received", "penalty", "available", "locked", "deliveredWh"] {
                kept[key] = member[key] ?? .null
            }
            return .object(kept)
        }
        return [
            "book": state["book"] ?? .null, "clearing": state["clearing"] ?? .null,
            "validation": state["validation"] ?? .null, "members": .array(members),
            "treasury": state["report"]?["totals"]?["treasury"] ?? .null,
        ]
    }

    static func journal(_ runs: URL) throws -> [JournalRecord] {
        try Journal.readOnly(runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl"))
    }

    /// Runs `manifest` in `folder/crash-<sequence>` with `environment` and a crash right after
    /// journal record `sequence` (exit 86), then again with `environment` alone: the resumed run
    /// ends with `expected` and mines no step twice. Returns its journal.
    @discardableResult
    static func crashThenResume(
        _ folder: URL, manifest: String, environment: [String: String] = [:], afterRecord sequence: Int,
        expected: JSONValue, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [JournalRecord] {
        let runs = folder.appendingPathComponent("crash-\(sequence)")
        var crashing = environment
        crashing["CER_RUN_CRASH_AFTER"] = String(sequence)
        let crashed = try await RunnerTests.run(runs, manifest: manifest, environment: crashing)
        #expect(crashed.status == 86, "\(sequence): \(crashed.output)", sourceLocation: sourceLocation)
        let resumed = try await RunnerTests.run(runs, manifest: manifest, environment: environment)
        #expect(resumed.status == 0, "\(sequence): \(resumed.output)", sourceLocation: sourceLocation)
        #expect(try outcome(runs) == expected, "\(sequence)", sourceLocation: sourceLocation)
        let records = try journal(runs)
        let mined = records.filter { $0.type == "tx.mined" }.compactMap { $0.data["step"]?.stringValue }
        #expect(
            Set(mined).count == mined.count, "\(sequence): a step was mined twice: \(mined)",
            sourceLocation: sourceLocation)
        return records
    }

    @Test func relayedChunksEndWhereDirectTransactionsEnd() async throws {
        let direct = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: direct) }
        let reference = try await RunnerTests.run(direct, manifest: SettlementTests.manifest)
        #expect(reference.status == 0, "\(reference.output)")

        let (folder, manifest) = try Self.relayedFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs = folder.appendingPathComponent("runs")
        let stats = folder.appendingPathComponent("stats.json")
        let relayed = try await RunnerTests.run(
            runs, manifest: manifest, command: ["run", "--stats", stats.path])
        #expect(relayed.status == 0, "\(relayed.output)")
        #expect(try Self.outcome(runs) == Self.outcome(direct))

        let records = try Self.journal(runs)
        let steps = records.filter { $0.type == "tx.mined" }.compactMap { $0.data["step"]?.stringValue }
        // Members sent no commit or reveal of their own: the operator relayed them in chunks.
        #expect(!steps.contains { $0.hasPrefix("commit/") && !$0.hasPrefix("commit/relayed/") })
        #expect(!steps.contains { $0.hasPrefix("reveal/") && !$0.hasPrefix("reveal/relayed/") })
        let chunks = records.filter { $0.type == "chunk" }
        func chunkCount(_ prefix: String) -> Int {
            chunks.filter { ($0.data["step"]?.stringValue ?? "").hasPrefix(prefix + "/") }.count
        }
        // The cap splits the four members' relayed commits and the validation publication.
        #expect(chunkCount("commit/relayed") >= 2 && chunkCount("reveal/relayed") >= 1)
        #expect(chunkCount("publish/fills") >= 1 && chunkCount("publish/validation") >= 2)
        #expect(Set(steps).count == steps.count, "a step was mined twice: \(steps)")
        for chunk in chunks {
            guard case .int(let limit)? = chunk.data["gasLimit"] else {
                Issue.record("chunk without gas limit: \(chunk.data)")
                continue
            }
            #expect(limit <= Self.cap, "\(chunk.data)")
        }
        // Every key of the commit chunks once: the four members.
        let committed = chunks.filter { ($0.data["step"]?.stringValue ?? "").hasPrefix("commit/relayed/") }
            .flatMap { $0.data["keys"]?.arrayValue ?? [] }
        #expect(committed.count == 4 && Set(committed).count == 4)

        let figures = try JSONValue.parse(Data(contentsOf: stats))
        let phases = figures["phases"]?.arrayValue ?? []
        let commit = try #require(phases.first { $0["phase"] == "commit" })
        #expect(commit["transactions"] == .int(Int64(chunkCount("commit/relayed"))))
        #expect(figures["members"] == .int(4))
        let gas = phases.compactMap { $0["gasUsed"]?.stringValue.flatMap { UInt64($0) } }.reduce(0, +)
        #expect(figures["gasUsed"]?.stringValue == String(gas) && gas > 0)
        // The dev chain's time by method: the commit phase sent its chunks' transactions once
        // each, and the methods' seconds add up to the phase's node time.
        let methods = try #require(commit["nodeMethods"]?.objectValue)
        #expect(methods["eth_sendRawTransaction"]?["calls"] == .int(Int64(chunkCount("commit/relayed"))))
        let methodSeconds = methods.values.compactMap { $0["seconds"]?.stringValue.flatMap { Double($0) } }
        let nodeSeconds = try #require(commit["nodeSeconds"]?.stringValue.flatMap { Double($0) })
        #expect(abs(methodSeconds.reduce(0, +) - nodeSeconds) < 0.001 * Double(methods.count + 1))
        let mining = try #require(commit["nodeMiningSeconds"]?.stringValue.flatMap { Double($0) })
        #expect(mining > 0 && mining <= nodeSeconds + 0.001)
    }

    /// A crash right after a chunk's keys are journaled (before its transaction is signed) and
    /// right after a relayed chunk was broadcast: the resumed run sends the journaled chunk,
    /// then the rest, and ends where an uninterrupted relayed run ends.
    @Test func crashesAroundRelayedChunksResumeWithoutDuplicates() async throws {
        let (folder, manifest) = try Self.relayedFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clean = folder.appendingPathComponent("clean")
        #expect(try await RunnerTests.run(clean, manifest: manifest).status == 0)
        let expected = try Self.outcome(clean)
        let records = try Self.journal(clean)
        let chunkRecords = records.filter {
            $0.type == "chunk" && ($0.data["step"]?.stringValue ?? "").contains("relayed/")
        }
        let signedRelays = records.filter {
            $0.type == "tx.signed" && ($0.data["step"]?.stringValue ?? "").contains("relayed/")
        }
        let points = chunkRecords.map(\.sequence) + signedRelays.prefix(2).map(\.sequence)
        #expect(points.count >= 4)
        for sequence in points {
            try await Self.crashThenResume(folder, manifest: manifest, afterRecord: sequence, expected: expected)
        }
    }
}

/// Chunks sized by extrapolation that run out of gas on chain (`CER_RUN_TEST_STARVE_CHUNKS`
/// gives them a gas limit just above their calldata cost): each is journaled as
/// `chunk.reverted`, its members go into later, estimated chunks, and the run ends where an
/// unstarved run ends, also when it crashes around a reverted chunk and resumes.
/// Members who commit and never reveal: the forfeit step takes them from the session's logs.
@Suite(.serialized) struct ForfeitRunTests {
    static let withheld = ["CER_RUN_TEST_WITHHOLD_REVEALS": "ugo,vera"]
    static let withheldAddresses: Set<JSONValue> = [
        .string("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65"), .string("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc"),
    ]

    /// The forfeit chunks' keys and the steps mined, in order.
    static func forfeits(_ records: [JournalRecord]) -> (keys: [JSONValue], mined: [String]) {
        let keys = records.filter { $0.type == "chunk" && $0.data["step"]?.stringValue?.hasPrefix("forfeit/") == true }
            .flatMap { $0.data["keys"]?.arrayValue ?? [] }
        let mined = records.filter { $0.type == "tx.mined" && $0.data["status"] == .int(1) }
            .compactMap { $0.data["step"]?.stringValue }
        return (keys, mined)
    }

    @Test func unrevealedMembersAreForfeitedOnceOnBothPaths() async throws {
        let (folder, manifest) = try RelayedRunTests.relayedFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let relayed = folder.appendingPathComponent("relayed")
        let run = try await RunnerTests.run(relayed, manifest: manifest, environment: Self.withheld)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("the session counts 2 forfeited deposit(s)"), "\(run.output)")
        let (keys, mined) = Self.forfeits(try RelayedRunTests.journal(relayed))
        #expect(Set(keys) == Self.withheldAddresses && keys.count == 2, "\(keys)")
        #expect(mined.filter { $0.hasPrefix("forfeit/") } == ["forfeit/0"], "\(mined)")
        // The withheld members' orders are in no book.
        let book = try String(
            contentsOf: relayed.appendingPathComponent("\(SettlementTests.runID)/book.json"), encoding: .utf8)
        for case .string(let address) in Self.withheldAddresses { #expect(!book.contains(address), "\(address)") }

        // The one-transaction-per-member path forfeits the same deposits: same money everywhere.
        let direct = folder.appendingPathComponent("direct")
        let reference = try await RunnerTests.run(
            direct, manifest: SettlementTests.manifest, environment: Self.withheld)
        #expect(reference.status == 0, "\(reference.output)")
        #expect(try RelayedRunTests.outcome(relayed) == RelayedRunTests.outcome(direct))
        #expect(Set(Self.forfeits(try RelayedRunTests.journal(direct)).keys) == Self.withheldAddresses)

        // A crash right after the forfeit chunk is journaled, and one right after its receipt:
        // the resumed run forfeits each deposit once and ends in the same state.
        let records = try RelayedRunTests.journal(relayed)
        let chunk = try #require(records.first { $0.type == "chunk" && $0.data["step"] == .string("forfeit/0") })
        let receipt = try #require(records.first { $0.type == "tx.mined" && $0.data["step"] == .string("forfeit/0") })
        let expected = try RelayedRunTests.outcome(relayed)
        for sequence in [chunk.sequence, receipt.sequence] {
            let journal = try await RelayedRunTests.crashThenResume(
                folder, manifest: manifest, environment: Self.withheld, afterRecord: sequence, expected: expected)
            let again = Self.forfeits(journal)
            #expect(Set(again.keys) == Self.withheldAddresses, "\(sequence): \(again.keys)")
            #expect(again.mined.filter { $0.hasPrefix("forfeit/") } == ["forfeit/0"], "\(sequence): \(again.mined)")
        }
    }
}

@Suite(.serialized) struct RevertedChunkTests {
    static let starve = ["CER_RUN_TEST_STARVE_CHUNKS": "1"]

    @Test func revertedChunksAreSentAgainAndResumeWithoutDuplicates() async throws {
        let (folder, manifest) = try RelayedRunTests.relayedFixture()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clean = folder.appendingPathComponent("clean")
        #expect(try await RunnerTests.run(clean, manifest: manifest).status == 0)
        let expected = try RelayedRunTests.outcome(clean)

        let starved = folder.appendingPathComponent("starved")
        let run = try await RunnerTests.run(starved, manifest: manifest, environment: Self.starve)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("was mined reverted"), "\(run.output)")
        #expect(try RelayedRunTests.outcome(starved) == expected)
        let records = try RelayedRunTests.journal(starved)
        let reverted = records.filter { $0.type == "chunk.reverted" }
        #expect(!reverted.isEmpty)
        let failed = records.filter { $0.type == "tx.mined" && $0.data["status"] == .int(0) }
        #expect(failed.count == reverted.count, "one reverted record per reverted transaction")
        let chunks = records.filter { $0.type == "chunk" }
        for record in reverted {
            let step = try #require(record.data["step"]?.stringValue)
            let keys = try #require(chunks.last { $0.data["step"]?.stringValue == step }?.data["keys"]?.arrayValue)
            // Every member of the reverted chunk is in a later chunk of the same step.
            let slash = try #require(step.lastIndex(of: "/"))
            let prefix = String(step[..<slash])
            let number = try #require(Int(step[step.index(after: slash)...]))
            let later = chunks.filter {
                guard let name = $0.data["step"]?.stringValue, name.hasPrefix(prefix + "/"),
                    let n = Int(name.dropFirst(prefix.count + 1))
                else { return false }
                return n > number
            }.flatMap { $0.data["keys"]?.arrayValue ?? [] }
            #expect(Set(keys).isSubset(of: Set(later)), "\(step): \(keys) not sent again")
        }
        let steps = records.filter { $0.type == "tx.mined" }.compactMap { $0.data["step"]?.stringValue }
        #expect(Set(steps).count == steps.count, "a step was mined twice: \(steps)")

        // Crashes right after the first reverted chunk's signing and right after its record.
        let firstStep = try #require(reverted.first?.data["step"]?.stringValue)
        let signed = try #require(
            records.first { $0.type == "tx.signed" && $0.data["step"]?.stringValue == firstStep })
        for sequence in [signed.sequence, try #require(reverted.first).sequence] {
            let journal = try await RelayedRunTests.crashThenResume(
                folder, manifest: manifest, environment: Self.starve, afterRecord: sequence, expected: expected)
            let again = journal.filter { $0.type == "chunk.reverted" }.compactMap { $0.data["step"]?.stringValue }
            #expect(Set(again).count == again.count, "\(sequence): a reverted chunk journaled twice")
        }
    }
}
