import Chain
import Foundation
import PhaseRunner
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The runner process killed with SIGKILL at random instants — not only at journal boundaries:
/// during a broadcast, a receipt wait, a file write, the dev chain's start — 50 times across the
/// DST fixture session, resumed each time, then let finish. The end equals an uninterrupted run.
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

    /// Kills `pid` `milliseconds` after `journal` has `records` more lines than now (or right
    /// away at that point when the process is gone).
    static func kill(_ pid: pid_t, afterRecords records: Int, thenMilliseconds milliseconds: Int, journal: String) {
        @Sendable func lines() -> Int {
            guard let data = FileManager.default.contents(atPath: journal) else { return 0 }
            return data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        let start = lines()
        DispatchQueue.global().async {
            while Glibc.kill(pid, 0) == 0 && lines() < start + records { usleep(5_000) }
            usleep(useconds_t(milliseconds) * 1_000)
            _ = Glibc.kill(pid, SIGKILL)
        }
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
        var killsBeforeDone: Int?
        while !finished {
            attempts += 1
            try #require(attempts < 400, "no end after \(attempts) attempts (\(kills) kills)")
            try await Self.waitForChainToLetGo(folder.appendingPathComponent("devchain"))
            let running = try RunnerTests.start(runs, manifest: SettlementTests.manifest)
            if kills < 50 {
                // SIGKILL at a random instant up to 150 ms after the journal grew by 0–2 records (so each
                // kill comes a little further into the session): during the dev chain's start, a
                // send, a receipt wait, a file write… Watched from a Dispatch thread, not the Swift
                // concurrency pool, so a busy pool does not postpone it.
                Self.kill(
                    running.process.processIdentifier,
                    afterRecords: Int(random.next() % 3), thenMilliseconds: Int(random.next() % 150),
                    journal: folder.appendingPathComponent("journal.jsonl").path)
            }
            let outcome = try await running.finish()
            if running.process.terminationReason == .uncaughtSignal {
                kills += 1
                continue
            }
            // A run that ends by itself ends done: a kill must never leave a state the next run
            // cannot finish (every resume is from the journal and the chain).
            try #require(outcome.status == 0, "attempt \(attempts) after \(kills) kills: \(outcome.output)")
            // (Should the session end before 50 kills, the next runs are resumes of a finished
            // session — those must be safe to kill too.)
            if outcome.output.contains("done through report") && killsBeforeDone == nil { killsBeforeDone = kills }
            finished = kills >= 50 && outcome.output.contains("done through report")
        }
        print("crash loop: \(kills) kills in \(attempts) runs, the session ended after \(killsBeforeDone ?? 0) kills")
        #expect(kills >= 50, "only \(kills) kills")
        // Most kills fell inside the session, not after it.
        #expect((killsBeforeDone ?? 0) >= 20, "the session ended after \(killsBeforeDone ?? 0) kills")

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
