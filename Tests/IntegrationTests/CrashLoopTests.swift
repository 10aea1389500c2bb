import Chain
import Foundation
import PhaseRunner
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The runner process killed with SIGKILL at random instants — not only at journal boundaries:
/// during a broadcast, a receipt wait, a file write, the dev chain's start — at least 50 times
/// across the DST fixture session, resumed each time. The end equals an uninterrupted run.
@Suite(.serialized) struct CrashLoopTests {
    /// Waits until no dev chain holds the run's state folder (a killed runner's dev chain sees
    /// its stdin close and saves its state first).
    static func waitForChainToLetGo(_ state: URL) async throws {
        for _ in 0..<600 {
            if !chainRunning(state) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CrashLoopError("the dev chain of \(state.path) never stopped")
    }

    /// Whether a process (a dev chain still starting or saving) names `state` on its command line.
    static func chainRunning(_ state: URL) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.contains(state.path) { return true }
        }
        return false
    }

    struct CrashLoopError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func sigkillAtRandomInstantsThenResumeEndsLikeACleanRun() async throws {
        let clean = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: clean) }
        let first = try await RunnerTests.run(clean, manifest: SettlementTests.manifest)
        #expect(first.status == 0, "\(first.output)")
        let reference = try SettlementTests.endState(clean)

        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let folder = runs.appendingPathComponent(SettlementTests.runID)
        var random = SplitMix64(seed: 20_261_201)
        var kills = 0
        var attempts = 0
        var finished = false
        while !finished {
            attempts += 1
            try #require(attempts < 400, "no end after \(attempts) attempts (\(kills) kills)")
            try await Self.waitForChainToLetGo(folder.appendingPathComponent("devchain"))
            let running = try RunnerTests.start(runs, manifest: SettlementTests.manifest)
            // 50 kills anywhere in the first 1.6 s of a (re)start (the dev chain's start, the
            // header, sends, receipt waits, file writes), then longer runs so the session ends.
            let limit: UInt64 = kills < 50 ? 1_600 : 4_000
            let delay = 20 + random.next() % limit
            var waited: UInt64 = 0
            while running.process.isRunning && waited < delay {
                try await Task.sleep(for: .milliseconds(10))
                waited += 10
            }
            if running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                kills += 1
                _ = try await running.finish()
                continue
            }
            let outcome = try await running.finish()
            // A run that ends by itself ends done: a kill must never leave a state the next run
            // cannot finish (every resume is from the journal and the chain).
            try #require(outcome.status == 0, "attempt \(attempts) after \(kills) kills: \(outcome.output)")
            finished = outcome.output.contains("done through report")
        }
        #expect(kills >= 50, "only \(kills) kills")

        // Same balances, nonces (no extra transaction), treasury, state and stored results.
        #expect(try SettlementTests.endState(runs) == reference)
        // The journal validates; it names the same steps as a clean run's, and no step has two
        // different mined transactions. (A step whose receipt came just before a kill may have
        // no `tx.mined`: the resumed phase sees it done on chain and never asks again.)
        func steps(_ runs: URL) throws -> (signed: Set<String>, mined: [String: Set<String>]) {
            let url = runs.appendingPathComponent(SettlementTests.runID).appendingPathComponent("journal.jsonl")
            var signed = Set<String>()
            var mined = [String: Set<String>]()
            for record in try Journal.readOnly(url) {
                guard let step = record.data["step"]?.stringValue, let hash = record.data["hash"]?.stringValue else {
                    continue
                }
                if record.type == JournaledSender.RecordType.signed { signed.insert(step) }
                if record.type == JournaledSender.RecordType.mined { mined[step, default: []].insert(hash) }
            }
            return (signed, mined)
        }
        let cleanSteps = try steps(clean)
        let crashedSteps = try steps(runs)
        #expect(cleanSteps.signed.count == 36)
        #expect(crashedSteps.signed == cleanSteps.signed)
        for (step, hashes) in crashedSteps.mined { #expect(hashes.count == 1, "\(step) mined twice: \(hashes)") }
        // And it replays identically.
        let replay = try await ReplayTests.cerRun(["replay", folder.path], in: runs)
        #expect(replay.status == 0, "\(replay.output)")
    }
}
