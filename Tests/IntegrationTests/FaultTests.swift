import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// The DST fixture session (fixtures/manifests/dst-settlement.yaml) run the way a real Besu
/// deployment runs it — `chain: {rpc: …}`, keystores, a cron loop that moves chain time when the
/// runner exits 75 — through `flaky_rpc_proxy.py`, which drops, delays, times out, fails with
/// HTTP 5xx, swallows sends, fakes "Known transaction"/"Nonce too low" and lags `pending`
/// nonces by a seeded schedule. Every faulted session must end exactly where a clean one does.
/// Also: the node restarting mid-commit, and another process sending from the operator's key.
@Suite(.serialized) struct FaultTests {
    /// Seeds of the wire-fault schedule (docs/reliability.md, "Faults on the wire").
    static let seeds = Array(1...20)

    @Test func wireFaultsEndInTheCleanRunsState() async throws {
        let bench = try await FaultBench.shared.ready()
        let reference = try await FaultBench.shared.reference()
        var seen = [String: Int]()
        var faultsPerSeed = [Int: Int]()
        for seed in Self.seeds {
            let started = ContinuousClock.now
            defer { print("seed \(seed): \(faultsPerSeed[seed] ?? 0) faults, \(ContinuousClock.now - started)") }
            try await FaultBench.shared.reset()
            let log = bench.folder.appendingPathComponent("proxy-\(seed).log")
            try await FaultBench.shared.configureProxy(seed: seed, faults: true, log: log)
            let runs = RunnerTests.temporaryRuns()
            defer { try? FileManager.default.removeItem(at: runs) }
            let outcomes = try await FaultBench.shared.cron(runs)
            // The runner rides out every fault itself: no run ends with an error (exit 1).
            #expect(
                outcomes.allSatisfy { $0.status == 0 || $0.status == 75 }, "seed \(seed): \(Self.summary(outcomes))")
            #expect(outcomes.last?.status == 0, "seed \(seed): \(Self.summary(outcomes))")
            guard outcomes.last?.status == 0 else { continue }
            #expect(try SettlementTests.endState(runs) == reference.endState, "seed \(seed)")
            #expect(try await FaultBench.shared.nonces() == reference.nonces, "seed \(seed): a nonce moved")
            let journal = try Journal.readOnly(runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl"))
            #expect(FaultBench.minedSteps(journal) == reference.minedSteps, "seed \(seed): steps mined")
            // A stale pending nonce or a faked "Nonce too low" never made the runner give up an
            // attempt and sign the step again.
            #expect(!journal.contains { $0.type == "tx.superseded" }, "seed \(seed)")
            let entries = try FaultBench.proxyLog(log)
            let faults = entries.compactMap { $0["fault"]?.stringValue }
            faultsPerSeed[seed] = faults.count
            for fault in faults { seen[fault, default: 0] += 1 }
            #expect(faults.contains { $0.hasPrefix("swallow") || $0.hasPrefix("known") || $0.hasPrefix("nonce-low") })
        }
        // Every kind of fault was met somewhere.
        for kind in FaultBench.faultKinds { #expect(seen[kind, default: 0] > 0, "fault \(kind) never drawn") }
        print("wire faults per seed: \(faultsPerSeed.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })")
        print("wire faults by kind: \(seen.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
    }

    /// The node is killed (SIGKILL) in the middle of the commit phase and restarted on the same
    /// port from its state folder; the running `cer-run` waits, reconnects and finishes.
    @Test func nodeRestartMidCommitFinishesTheSession() async throws {
        let bench = try await FaultBench.shared.ready()
        let reference = try await FaultBench.shared.reference()
        try await FaultBench.shared.reset()
        // A clean stop first writes the node's checkpoint, so that the restart under the runner
        // replays only this session's blocks (as a long-running node would).
        try await FaultBench.shared.restartChain(hard: false)
        let log = bench.folder.appendingPathComponent("proxy-restart.log")
        try await FaultBench.shared.configureProxy(seed: 0, faults: false, log: log)
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let journalURL = runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl")
        let running = try RunnerTests.start(runs, manifest: bench.manifest, environment: bench.environment)
        // Wait for the first commitment to be mined, then kill the node under the runner.
        var killed = false
        while running.process.isRunning {
            let text = (try? String(contentsOf: journalURL, encoding: .utf8)) ?? ""
            if text.contains("\"tx.mined\"") && text.contains("\"step\":\"commit/sara\"") {
                try await FaultBench.shared.restartChain(hard: true)
                killed = true
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(killed, "the run ended before its commit phase")
        let first = try await running.finish()
        #expect(first.status == 75, "\(first.output)")
        try await FaultBench.shared.advance(past: first)
        let outcomes = try await FaultBench.shared.cron(runs)
        #expect(outcomes.last?.status == 0, "\(Self.summary(outcomes))")
        #expect(try SettlementTests.endState(runs) == reference.endState)
        #expect(try await FaultBench.shared.nonces() == reference.nonces)
        let journal = try Journal.readOnly(journalURL)
        #expect(FaultBench.minedSteps(journal) == reference.minedSteps)
        // The outage reached the runner: requests the proxy could not forward.
        let unanswered = try FaultBench.proxyLog(log).filter {
            $0["forwarded"] == .bool(true) && $0["status"] == .int(0)
        }
        #expect(!unanswered.isEmpty)
    }

    /// Another process sends from the operator's account twice: once between two runs (the
    /// next step simply takes the following nonce), once after the runner journaled an attempt
    /// it had not broadcast yet (a crash), taking exactly that attempt's nonce — the attempt is
    /// marked superseded and the step signed again with the next nonce. The session ends with
    /// the clean run's state; only the operator's nonce is 2 higher.
    @Test func externalTransactionsFromTheOperatorAreAdopted() async throws {
        let bench = try await FaultBench.shared.ready()
        let reference = try await FaultBench.shared.reference()
        try await FaultBench.shared.reset()
        try await FaultBench.shared.configureProxy(
            seed: 0, faults: false, log: bench.folder.appendingPathComponent("proxy-interference.log"))
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let journalURL = runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl")
        let crashAt = try #require(
            reference.journal.first { $0.type == "tx.signed" && $0.data["step"] == "publish/fills/0" }?.sequence)
        var transfers = [UInt64]()
        var crashed = false
        let outcomes = try await FaultBench.shared.cron(runs) { outcome in
            if outcome.status == 75 && transfers.isEmpty {
                // Between two cron runs, after the commitments.
                transfers.append(try await FaultBench.shared.operatorTransfer())
                return ["CER_RUN_CRASH_AFTER": String(crashAt)]
            }
            if outcome.status == 86 {
                crashed = true
                let records = try Journal.readOnly(journalURL)
                let attempt = try #require(records.last)
                #expect(attempt.type == "tx.signed" && attempt.data["step"] == "publish/fills/0")
                let nonce = try await FaultBench.shared.operatorTransfer()
                #expect(attempt.data["nonce"] == .int(Int64(nonce)), "the transfer took the journaled attempt's nonce")
                transfers.append(nonce)
            }
            return outcome.status == 75 && !crashed ? ["CER_RUN_CRASH_AFTER": String(crashAt)] : [:]
        }
        #expect(crashed && transfers.count == 2)
        #expect(outcomes.last?.status == 0, "\(Self.summary(outcomes))")
        #expect(try SettlementTests.endState(runs) == FaultBench.withOperatorNonce(reference.endState, plus: 2))
        var nonces = reference.nonces
        nonces[0] += 2
        #expect(try await FaultBench.shared.nonces() == nonces)
        let journal = try Journal.readOnly(journalURL)
        let superseded = journal.filter { $0.type == "tx.superseded" }
        #expect(superseded.count == 1 && superseded.first?.data["step"] == "publish/fills/0")
        #expect(FaultBench.minedSteps(journal) == reference.minedSteps)
    }

    static func summary(_ outcomes: [RunnerTests.Outcome]) -> String {
        outcomes.map { "exit \($0.status): \($0.output.suffix(600))" }.joined(separator: "\n---\n")
    }
}

/// One dev chain (with a state folder, so it can be restarted) prepared like a production
/// deployment, one flaky proxy in front of it, and a manifest that reaches the chain only
/// through the proxy. Shared by the serialized `FaultTests`; the chain is reset to the prepared
/// state (evm_snapshot/evm_revert) before each session.
actor FaultBench {
    static let shared = FaultBench()

    /// What a session needs, fixed once the bench is up.
    struct Setup: Sendable {
        var folder: URL
        var manifest: String
        var environment: [String: String]
    }

    /// The clean run through the proxy with faults off.
    struct Reference: Sendable {
        var endState: JSONValue
        var nonces: [UInt64]
        var journal: [JournalRecord]
        var minedSteps: [String]
    }

    static let faultKinds = [
        "drop/before", "drop/after", "http500/before", "http502/after", "http503/before", "timeout/before",
        "timeout/after", "delay", "receipt-null", "stale-pending", "swallow", "known/forwarded", "known/dropped",
        "already-known/forwarded", "nonce-low/forwarded", "nonce-low/dropped",
    ]
    /// The fixture's genesis time, `D-2 12:00` in Europe/Rome for 2026-10-25 (CEST).
    static let genesisTime: Int64 = 1_792_749_600
    static let password = "fault-tests"

    private var setup: Setup?
    private var chain: DevChainProcess?
    private var options = DevChainOptions()
    private var proxy: ProxyProcess?
    private var proxyURL: URL?
    private var keys = [PrivateKey]()
    private var snapshot: JSONValue?
    private var cached: Reference?

    func ready() async throws -> Setup {
        if let setup { return setup }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fault-tests-\(UUID().uuidString)")
        let fixtures = RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("keys"), withIntermediateDirectories: true)
        for item in ["docs", "meters"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(item), to: folder.appendingPathComponent(item))
        }
        options.genesisTime = Self.genesisTime
        options.stateDirectory = folder.appendingPathComponent("devchain")
        let chain = try await DevChainProcess.start(options)
        options.port = chain.url.port ?? 0
        self.chain = chain
        keys = try await chain.accountKeys()

        // What a production operator and its members do before the first session: deploy
        // (`cer-run deploy`), register the adhesion document and deposit (`cer-run member …`).
        let client = directClient()
        let operatorSender = TransactionSender(client: client, key: keys[1], chainID: chain.chainID)
        let deployment = try await MarketDeployment.deploy(
            artifacts: try ArtifactStore.locate(), deployer: operatorSender, operatorAddress: keys[1].address)
        let document = try Data(contentsOf: folder.appendingPathComponent("docs/adesione.txt"))
        let amount = BigUInt(2_000_000)  // max(collateral, deposit 1.00) + deposit, as the dev run funds
        for index in 2...5 {
            let member = TransactionSender(client: client, key: keys[index], chainID: chain.chainID)
            try await deployment.marketplace.registerUser(
                adhesionDocHash: Keccak256.hash(Array(document)), sender: member)
            try await deployment.token.mint(to: keys[index].address, amount: amount, sender: operatorSender)
            try await deployment.token.approve(spender: deployment.marketplace.address, amount: amount, sender: member)
            try await deployment.marketplace.deposit(amount, sender: member)
        }
        for index in 1...5 {
            let json = try Keystore.encrypt(keys[index], password: Self.password, kdf: .pbkdf2(iterations: 1_024))
            try json.write(to: folder.appendingPathComponent("keys/account-\(index).json"))
        }
        snapshot = try await DevChainControl(client: client).snapshot()

        let devchain = try DevChainProcess.locateDevchain()
        let python = try DevChainProcess.python(devchain: devchain)
        let script = RunnerTests.packageRoot.appendingPathComponent("Tests/IntegrationTests/flaky_rpc_proxy.py")
        let proxy = try ProxyProcess(
            python.path, [script.path, chain.url.absoluteString, "0", folder.appendingPathComponent("proxy.log").path])
        self.proxy = proxy
        let proxyURL = try #require(URL(string: "http://127.0.0.1:\(proxy.firstLine)"))
        self.proxyURL = proxyURL

        var text = try String(contentsOf: fixtures.appendingPathComponent("dst-settlement.yaml"), encoding: .utf8)
        let keystore = "keystore: keys/account-%d.json, password_env: CER_FAULT_PASSWORD"
        let replacements = [
            "chain: {dev: true, genesis_time: \"D-2 12:00\"}":
                "chain: {rpc: \"\(proxyURL.absoluteString)\", chain_id: 1337}",
            "contracts: {deploy: true}":
                "contracts: {marketplace: \"\(deployment.marketplace.address.hex.lowercased())\", token: \"\(deployment.token.address.hex.lowercased())\"}",
            "operator: {dev_account: 1}": "operator: {\(String(format: keystore, 1))}",
        ]
        for (from, to) in replacements {
            #expect(text.contains(from))
            text = text.replacingOccurrences(of: from, with: to)
        }
        for index in 2...5 {
            text = text.replacingOccurrences(
                of: "key: {dev_account: \(index)}", with: "key: {\(String(format: keystore, index))}")
        }
        #expect(!text.contains("dev_account") && !text.contains("dev: true"))
        let manifest = folder.appendingPathComponent("dst-faults.yaml")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let setup = Setup(
            folder: folder, manifest: manifest.path,
            // A short client timeout, so the proxy's held connections cost little.
            environment: ["CER_FAULT_PASSWORD": Self.password, "CER_RUN_RPC_TIMEOUT": "1"])
        self.setup = setup
        return setup
    }

    func directClient() -> EthClient {
        EthClient(url: chain!.url, timeout: 30, retry: RetryPolicy(maxAttempts: 50, initialDelay: .milliseconds(100)))
    }

    /// Back to the prepared chain (before any session), keeping a snapshot for the next reset.
    func reset() async throws {
        let control = DevChainControl(client: directClient())
        if let snapshot {
            let reverted = try await control.revert(snapshot)
            #expect(reverted)
        }
        snapshot = try await control.snapshot()
    }

    func configureProxy(seed: Int, faults: Bool, log: URL) async throws {
        let rates: [String: JSONValue] =
            faults
            ? ["rate": .double(0.04), "send_rate": .double(0.5), "pending_rate": .double(0.5)]
            : ["rate": .int(0), "send_rate": .int(0), "pending_rate": .int(0)]
        var settings = rates
        settings["seed"] = .int(Int64(seed))
        settings["log"] = .string(log.path)
        let client = JSONRPCClient(url: proxyURL!, timeout: 10, retry: .none)
        _ = try await client.call("proxy_configure", [.object(settings)])
    }

    /// Kills the node (SIGKILL, or SIGTERM when not `hard`) and starts it again on the same
    /// port from its state folder.
    func restartChain(hard: Bool) async throws {
        guard let chain else { return }
        let started = ContinuousClock.now
        if hard { chain.kill9() } else { chain.stop() }
        self.chain = try await DevChainProcess.start(options)
        print("dev chain restarted in \(ContinuousClock.now - started)")
    }

    /// Operator, then members' nonces, read from the chain directly.
    func nonces() async throws -> [UInt64] {
        var result = [UInt64]()
        for index in 1...5 { result.append(try await directClient().transactionCount(of: keys[index].address)) }
        return result
    }

    /// A plain transfer signed with the operator's key, sent past the runner; returns its nonce.
    func operatorTransfer() async throws -> UInt64 {
        let sender = TransactionSender(client: directClient(), key: keys[1], chainID: 1337)
        let signed = try await sender.prepare(to: keys[9].address, data: [], value: 1, gasLimit: 21_000)
        try await sender.broadcast(signed)
        let receipt = try await sender.waitForReceipt(signed.hash)
        #expect(receipt.succeeded)
        return signed.transaction.nonce
    }

    /// Runs the session like cron: again after exit 75 (moving chain time to the deadline the
    /// runner waits for) and after an error or a crash, until it is done. `between` sees each
    /// unfinished outcome and returns extra environment for the next run.
    nonisolated func cron(
        _ runs: URL, between: (RunnerTests.Outcome) async throws -> [String: String] = { _ in [:] }
    ) async throws -> [RunnerTests.Outcome] {
        let setup = try await ready()
        var outcomes = [RunnerTests.Outcome]()
        var extra = [String: String]()
        for _ in 0..<12 {
            let environment = setup.environment.merging(extra) { _, new in new }
            let outcome = try await RunnerTests.run(runs, manifest: setup.manifest, environment: environment)
            outcomes.append(outcome)
            if outcome.status == 0 { break }
            try await advance(past: outcome)
            extra = try await between(outcome)
        }
        return outcomes
    }

    /// After exit 75, moves chain time to the deadline the runner waits for (what the passing
    /// of time does on a real chain).
    func advance(past outcome: RunnerTests.Outcome) async throws {
        guard outcome.status == 75, let target = Self.waitingUntil(outcome.output) else { return }
        let control = DevChainControl(client: directClient())
        if try await control.now() < target { try await control.mine(at: target) }
    }

    /// The clean session through the proxy, faults off (computed once).
    func reference() async throws -> Reference {
        if let cached { return cached }
        let setup = try await ready()
        try await reset()
        try await configureProxy(seed: 0, faults: false, log: setup.folder.appendingPathComponent("proxy-clean.log"))
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let outcomes = try await cron(runs)
        #expect(outcomes.map(\.status) == [75, 75, 75, 0], "\(FaultTests.summary(outcomes))")
        let endState = try SettlementTests.endState(runs)
        // The hand-computed figures of SettlementTests: the rpc setup settles the same session.
        let members = endState["report"]?["members"]?.arrayValue ?? []
        let available = Dictionary(
            uniqueKeysWithValues: members.map { ($0["id"]?.stringValue ?? "?", $0["available"]?.stringValue ?? "?") })
        #expect(available == ["sara": "2257000", "tino": "1750000", "ugo": "1838000", "vera": "2110000"])
        #expect(endState["report"]?["totals"]?["treasury"] == .string("45000"))
        #expect(endState["report"]?["state"] == .string("settled"))
        let nonces = try await nonces()
        #expect(nonces == [16, 5, 5, 5, 5])
        let journal = try Journal.readOnly(runs.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl"))
        let reference = Reference(
            endState: endState, nonces: nonces, journal: journal, minedSteps: Self.minedSteps(journal))
        cached = reference
        return reference
    }

    /// Steps with a successful receipt, in journal order; a step mined twice would show twice.
    static func minedSteps(_ journal: [JournalRecord]) -> [String] {
        journal.filter { $0.type == "tx.mined" && $0.data["status"] == .int(1) }.compactMap {
            $0.data["step"]?.stringValue
        }
    }

    static func proxyLog(_ url: URL) throws -> [JSONValue] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONValue.parse(Data($0.utf8))
        }
    }

    /// The chain time in "waiting: … opens at chain time N; run again later".
    static func waitingUntil(_ output: String) -> UInt64? {
        guard let range = output.range(of: "opens at chain time ") else { return nil }
        return UInt64(output[range.upperBound...].prefix { $0.isNumber })
    }

    static func withOperatorNonce(_ state: JSONValue, plus extra: Int64) -> JSONValue {
        guard case .object(var top) = state, case .object(var report)? = top["report"],
            case .int(let nonce)? = report["operatorNonce"]
        else { return state }
        report["operatorNonce"] = .int(nonce + extra)
        top["report"] = .object(report)
        return .object(top)
    }
}

/// The proxy: prints its port on the first line and lives until its stdin closes (at the
/// latest when the test process ends).
final class ProxyProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    let firstLine: String

    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-u"] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        firstLine = String(decoding: line, as: UTF8.self)
    }
}
