import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// `cer-run run` on a fixture manifest, as a real process: a full run, an idempotent rerun, and
/// crashes at journal boundaries and right after broadcasts, each resumed to the same end state.
@Suite(.serialized) struct RunnerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let manifest = packageRoot.appendingPathComponent("fixtures/manifests/small.yaml").path
    static let binary = packageRoot.appendingPathComponent(".build/debug/cer-run").path
    /// Two days ahead, so the commit deadline (D-1 18:00) is always in the future.
    static let date: String = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Rome")!
        let day = calendar.date(byAdding: .day, value: 2, to: Date())!
        let c = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }()
    static let runID = "fixture-small-\(date)"

    struct Outcome {
        var status: Int32
        var output: String
    }

    /// A started `cer-run run`; `finish()` waits and returns its status and output.
    struct Running {
        let process: Process
        let log: URL
        let handle: FileHandle

        /// Waits without holding a thread of the cooperative pool (other tests go on).
        func finish() async throws -> Outcome {
            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            try handle.close()
            return Outcome(
                status: process.terminationStatus, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }

    static func start(
        _ runs: URL, manifest: String = manifest, environment extra: [String: String] = [:],
        command: [String] = ["run"]
    ) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = command + [manifest, "--date", date, "--runs", runs.path]
        process.currentDirectoryURL = packageRoot
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let log = runs.appendingPathComponent("out-\(UUID().uuidString).log")
        try? FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Running(process: process, log: log, handle: handle)
    }

    static func run(
        _ runs: URL, manifest: String = manifest, environment extra: [String: String] = [:],
        command: [String] = ["run"]
    ) async throws -> Outcome {
        try await start(runs, manifest: manifest, environment: extra, command: command).finish()
    }

    /// What must be equal after any crash-and-resume: every sender's nonce (no extra
    /// transaction), members' funds, treasury, session state, and the clearing result.
    struct Snapshot: Equatable {
        var nonces: [UInt64]
        var funds: [BigUInt]
        var treasury: BigUInt
        var state: SessionState
        var clearing: [UInt8]
    }

    static func snapshot(_ runs: URL) async throws -> Snapshot {
        let folder = runs.appendingPathComponent(runID)
        var options = DevChainOptions()
        options.stateDirectory = folder.appendingPathComponent("devchain")
        let chain = try await DevChainProcess.start(options)
        defer { chain.stop() }
        let client = chain.client()
        let keys = try await chain.accountKeys()
        let artifacts = try ArtifactStore.locate()
        let marketAddress = Address.contractAddress(sender: keys[1].address, nonce: 1)
        let market = MarketplaceContract(
            contract: Contract(address: marketAddress, abi: try artifacts.artifact("Marketplace").abi, client: client))
        var nonces = [UInt64]()
        var funds = [BigUInt]()
        for index in 1...4 { nonces.append(try await client.transactionCount(of: keys[index].address)) }
        for index in 2...4 {
            let f = try await market.checkFunds(keys[index].address)
            funds += [f.available, f.locked]
        }
        let clearing = try Data(contentsOf: folder.appendingPathComponent("clearing.json"))
        return Snapshot(
            nonces: nonces, funds: funds, treasury: try await market.treasury(),
            state: try await market.session(1).state,
            clearing: Keccak256.hash(Array(clearing)))
    }

    static func temporaryRuns() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cer-runs-\(UUID().uuidString)")
    }

    @Test func crashAnywhereThenResumeEndsInTheSameState() async throws {
        let clean = Self.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: clean) }
        let first = try await Self.run(clean)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("done through publish fills"))
        let reference = try await Self.snapshot(clean)
        #expect(reference.state == .cleared)
        let journalURL = clean.appendingPathComponent("\(Self.runID)/journal.jsonl")
        let records = try String(contentsOf: journalURL, encoding: .utf8).split(separator: "\n").count

        // A rerun sends nothing and journals nothing.
        let again = try await Self.run(clean)
        #expect(again.status == 0, "\(again.output)")
        #expect(try String(contentsOf: journalURL, encoding: .utf8).split(separator: "\n").count == records)
        #expect(try await Self.snapshot(clean) == reference)

        // Crash points: a spread of journal records (every kind of step) and broadcasts.
        var points = stride(from: 0, to: records, by: max(1, records / 8)).map { ["CER_RUN_CRASH_AFTER": String($0)] }
        points += [1, 5, 12].map { ["CER_RUN_CRASH_AFTER_BROADCAST": String($0)] }
        for point in points {
            let runs = Self.temporaryRuns()
            defer { try? FileManager.default.removeItem(at: runs) }
            let crashed = try await Self.run(runs, environment: point)
            #expect(crashed.status == 86, "\(point): \(crashed.output)")
            let resumed = try await Self.run(runs)
            #expect(resumed.status == 0, "\(point): \(resumed.output)")
            #expect(try await Self.snapshot(runs) == reference, "\(point)")
        }
    }

    /// A second run of the same session while one is going is refused; a changed manifest is
    /// refused on resume, naming what changed.
    @Test func concurrentRunsAndChangedManifestsAreRefused() async throws {
        let runs = Self.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let first = try Self.start(runs)
        // Wait until the first run holds the journal.
        let journal = runs.appendingPathComponent("\(Self.runID)/journal.jsonl")
        while !FileManager.default.fileExists(atPath: journal.path), first.process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        let second = try await Self.run(runs)
        #expect(second.status == 2)
        #expect(second.output.contains("in use by another cer-run"), "\(second.output)")
        #expect(try await first.finish().status == 0)

        // The same session id with a different deposit: the resume is refused.
        let folder = runs.appendingPathComponent("manifest-copy")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("docs"), withIntermediateDirectories: true)
        let original = try String(contentsOfFile: Self.manifest, encoding: .utf8)
        let changed = folder.appendingPathComponent("small.yaml")
        try original.replacingOccurrences(of: "deposit: \"1.00\"", with: "deposit: \"2.00\"").write(
            to: changed, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: Self.packageRoot.appendingPathComponent("fixtures/manifests/docs/adesione.txt"),
            to: folder.appendingPathComponent("docs/adesione.txt"))
        let refused = try await Self.run(runs, manifest: changed.path)
        #expect(refused.status == 2)
        #expect(
            refused.output.contains("the manifest changed since the run started (sections: session)"),
            "\(refused.output)")
        // Accepting it is refused too: the session is on chain with the old deposit.
        let forced = try await Self.run(runs, manifest: changed.path, command: ["resume", "--accept-manifest-change"])
        #expect(forced.status == 2)
        #expect(forced.output.contains("the manifest's `session` changed, but"), "\(forced.output)")

        // A validation section added after clearing touches no started step: `run` refuses it,
        // `resume --accept-manifest-change` journals the acceptance and goes on — to wait
        // (exit 75) for the delivery day's meter file, which is not there yet.
        try
            (original + """
                validation:
                  source:
                    csv: {files: "meters/{date}.csv"}

                """).write(to: changed, atomically: true, encoding: .utf8)
        let plain = try await Self.run(runs, manifest: changed.path)
        #expect(plain.status == 2)
        #expect(plain.output.contains("sections: validation"), "\(plain.output)")
        let accepted = try await Self.run(
            runs, manifest: changed.path, command: ["resume", "--accept-manifest-change"])
        #expect(accepted.status == 75, "\(accepted.output)")
        #expect(accepted.output.contains("accepted a manifest change in validation"), "\(accepted.output)")
        #expect(accepted.output.contains("waiting for meter data"), "\(accepted.output)")
        let records = try Journal.readOnly(journal)
        #expect(records.contains { $0.type == "manifest.accepted" && $0.data["sections"] == ["validation"] })
        // Once accepted, the new manifest is the run's: a plain run is no longer refused.
        let again = try await Self.run(runs, manifest: changed.path)
        #expect(again.status == 75, "\(again.output)")
    }
}
