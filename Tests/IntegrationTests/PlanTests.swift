import Chain
import Foundation
import PhaseRunner
import Testing

/// `cer-run plan`: what `run` would send, without sending, journaling or writing anything.
@Suite(.serialized) struct PlanTests {
    static let manifest = SettlementTests.manifest

    static func plan(_ runs: URL) async throws -> (RunnerTests.Outcome, JSONValue?) {
        let outcome = try await RunnerTests.run(runs, manifest: manifest, command: ["plan", "--json"])
        let last = outcome.output.split(separator: "\n").last.map(String.init) ?? ""
        return (outcome, try? JSONValue.parse(Data(last.utf8)))
    }

    static func steps(_ plan: JSONValue?) -> [String] {
        plan?["transactions"]?.arrayValue?.compactMap { $0["step"]?.stringValue } ?? []
    }

    @Test func aFreshSessionPlansTheDeploymentsAndWritesNoJournal() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let (outcome, plan) = try await Self.plan(runs)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(Self.steps(plan) == ["deploy/token", "deploy/marketplace"])
        #expect(plan?["then"]?.stringValue?.contains("contracts' addresses") == true)
        let journal = runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl")
        #expect(!FileManager.default.fileExists(atPath: journal.path))
    }

    /// Interrupted in the commit phase: the plan lists the commits still missing and stops at
    /// the reveal deadline; the resumed run then signs exactly those steps first.
    @Test func anInterruptedRunPlansWhatItWillSendNext() async throws {
        let reference = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: reference) }
        #expect(try await RunnerTests.run(reference, manifest: Self.manifest).status == 0)
        let records = try Journal.readOnly(reference.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl"))
        let crashAt = try #require(
            records.first { $0.type == "tx.mined" && $0.data["step"] == "commit/sara" }?.sequence)

        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let crashed = try await RunnerTests.run(
            runs, manifest: Self.manifest, environment: ["CER_RUN_CRASH_AFTER": String(crashAt)])
        #expect(crashed.status == 86)
        let journal = runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl")
        let before = try Journal.readOnly(journal).count

        let (outcome, plan) = try await Self.plan(runs)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(Self.steps(plan) == ["commit/tino", "commit/ugo", "commit/vera"])
        #expect(plan?["then"]?.stringValue?.contains("for reveal") == true)
        #expect(try Journal.readOnly(journal).count == before)

        #expect(try await RunnerTests.run(runs, manifest: Self.manifest).status == 0)
        let signed = try Journal.readOnly(journal).dropFirst(before).filter { $0.type == "tx.signed" }
            .compactMap { $0.data["step"]?.stringValue }
        #expect(Array(signed.prefix(3)) == Self.steps(plan))
    }
}
