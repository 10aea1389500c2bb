import Chain
import DevChain
import Foundation
import Manifest
import Market
import Validation

/// Runs a session manifest's phases against the chain, journaling every step so that a run
/// killed at any instant can be run again and finishes without duplicates:
/// connect → deploy → members → fund → open → commit → reveal → forfeit → clear → publish.
/// Each phase plans from the chain's state and the journal, sends only what is missing, and
/// verifies. Deadlines are read from block time: on a dev chain the runner moves chain time
/// forward; on a real chain it returns `.waiting` (exit 75) or, with `wait`, sleeps.
public struct SessionRunner: Sendable {
    public let manifestPath: String
    public let date: DeliveryCalendar.Day?
    /// Folder holding one folder per session (`runs/` by default).
    public let runsRoot: URL
    /// Sleep until deadlines instead of returning `.waiting` (real chains only).
    public let wait: Bool
    /// `resume`: refuse to start a new journal; accept a manifest change that touches no
    /// started step (journaled).
    public let resumeOnly: Bool
    public let acceptManifestChange: Bool
    /// Receives what the run reports (see `RunEvent`).
    public let events: @Sendable (RunEvent) -> Void

    public init(
        manifestPath: String, date: DeliveryCalendar.Day? = nil, runsRoot: URL, wait: Bool = false,
        resumeOnly: Bool = false, acceptManifestChange: Bool = false, events: @escaping @Sendable (RunEvent) -> Void
    ) {
        self.resumeOnly = resumeOnly
        self.acceptManifestChange = acceptManifestChange
        self.manifestPath = manifestPath
        self.date = date
        self.runsRoot = runsRoot
        self.wait = wait
        self.events = events
    }

    public static let toolVersion = "cer-run 0.1.0"

    /// A replay on a fresh dev chain: the manifest built from a run folder (instead of
    /// `manifestPath`), its folder, and what the phases take from the recording.
    struct Replay: Sendable {
        var manifest: SessionManifest
        var folder: URL
        var meters: (day: MeterDay, warnings: [String])?
        var withholdReveal: Set<String>
    }
    var replay: Replay?
    /// Collects per-phase time, RPC and gas figures when set (`run --stats`).
    public var statistics: RunStatistics?

    public func run() async throws -> RunStatus { try await perform(plan: nil) }

    /// What `run` would send now, in order, without sending or writing anything: the
    /// transactions of the phases that can be planned from the chain's current state, up to
    /// the first that needs an outcome not there yet (a deployment's address, the session id,
    /// a deadline in chain time).
    public func plan() async throws -> Plan {
        let log = PlanLog()
        do {
            let status = try await perform(plan: log)
            return Plan(transactions: log.transactions, stop: nil, status: status)
        } catch let boundary as PlanBoundary {
            return Plan(transactions: log.transactions, stop: boundary.reason, status: nil)
        }
    }

    private func perform(plan: PlanLog?) async throws -> RunStatus {
        let manifest: SessionManifest
        if let replay {
            manifest = replay.manifest
        } else {
            do { manifest = try ManifestLoader.load(path: manifestPath, date: date) } catch {
                throw RunnerError.input(error.description)
            }
        }
        let runFolder = runsRoot.appendingPathComponent(manifest.session.id)
        let journalURL = runFolder.appendingPathComponent("journal.jsonl")
        if resumeOnly && !FileManager.default.fileExists(atPath: journalURL.path) {
            throw RunnerError.input("nothing to resume: \(journalURL.path) does not exist (use `cer-run run`)")
        }
        let journal: Journal
        do { journal = try plan == nil ? Journal.open(journalURL) : Journal.planning(journalURL) } catch {
            throw RunnerError.input(error.description)
        }
        if let torn = journal.repairedTornLine {
            events(.warning("cut a torn last journal line left by a crash (\(torn.prefix(60))…)"))
        }
        let manifestFolder = replay?.folder ?? URL(fileURLWithPath: manifestPath).deletingLastPathComponent()
        await statistics?.enter("connect")
        let (client, devChain) = try await Self.connect(manifest, runFolder: runFolder)
        defer { devChain?.stop() }
        do {
            let status = try await phases(
                manifest: manifest, journal: journal, runFolder: runFolder, manifestFolder: manifestFolder,
                client: client, devChain: devChain, plan: plan)
            await statistics?.enter(nil)
            return status
        } catch {
            await statistics?.enter(nil)
            throw error
        }
    }

    /// The phases, once connected (the dev chain, if any, is stopped by the caller).
    private func phases(
        manifest: SessionManifest, journal: Journal, runFolder: URL, manifestFolder: URL, client: EthClient,
        devChain: DevChainProcess?, plan: PlanLog?
    ) async throws -> RunStatus {
        let chainID = try await client.chainID()
        if case .rpc(_, let expected, _, _, _) = manifest.chain, expected != chainID {
            throw RunnerError.mismatch("the node reports chain id \(chainID), the manifest expects \(expected)")
        }
        let devKeys = try await devChain?.accountKeys() ?? []
        func key(_ source: SessionManifest.KeySource, _ what: String) throws -> PrivateKey {
            switch source {
            case .devAccount(let index):
                guard index < devKeys.count else {
                    throw RunnerError.input("\(what): dev account \(index) does not exist")
                }
                return devKeys[index]
            case .keystore(let path, let password):
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : manifestFolder.appendingPathComponent(path)
                let secret: String
                switch password {
                case .environment(let name):
                    guard let value = ProcessInfo.processInfo.environment[name] else {
                        throw RunnerError.input("\(what): the password variable $\(name) is not set")
                    }
                    secret = value
                case .file(let file):
                    let fileURL =
                        file.hasPrefix("/") ? URL(fileURLWithPath: file) : manifestFolder.appendingPathComponent(file)
                    guard let text = try? String(contentsOf: fileURL, encoding: .utf8) else {
                        throw RunnerError.input("\(what): cannot read the password file \(file)")
                    }
                    secret = String(
                        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first ?? "")
                }
                do { return try Keystore.decrypt(file: url, password: secret) } catch {
                    throw RunnerError.input("\(what): \(error)")
                }
            }
        }
        let operatorKey = try key(manifest.operatorKey, "operator")
        var memberKeys = [String: PrivateKey]()
        for participant in manifest.participants {
            guard let source = participant.key else { continue }
            let memberKey = try key(source, "participant \(participant.id)")
            guard memberKey.address == participant.address else {
                throw RunnerError.input(
                    "participant \(participant.id): its key is for \(memberKey.address), not \(participant.address)")
            }
            memberKeys[participant.id] = memberKey
        }
        let context = RunContext(
            manifest: manifest, manifestFolder: manifestFolder, runFolder: runFolder, journal: journal, client: client,
            chainID: chainID, devChain: devChain, operatorKey: operatorKey, memberKeys: memberKeys, plan: plan,
            events: events)
        statistics?.attach(
            journal: journal, devChain: devChain == nil ? nil : client, members: manifest.participants.count)
        func enter(_ phase: String) async {
            events(.phase(phase))
            await statistics?.enter(phase)
        }
        context.meterSnapshot = replay?.meters
        context.withholdReveal = (replay?.withholdReveal ?? []).union(CrashHook.withheldReveals)
        try await Phases.header(context, acceptManifestChange: acceptManifestChange)
        await enter("deploy")
        try await Phases.deploy(context)
        await enter("members")
        try await Phases.members(context)
        await enter("fund")
        try await Phases.fund(context)
        await enter("open")
        try await Phases.open(context)
        let cancelled = RunStatus.done(lastPhase: "release (session cancelled)")
        if try await Phases.releaseIfCancelled(context) { return cancelled }
        await enter("commit")
        try await Phases.commit(context)
        if let waiting = try await Phases.waitUntil(context, manifest.deadlines.commit, phase: "reveal", wait: wait) {
            return waiting
        }
        if try await Phases.releaseIfCancelled(context) { return cancelled }
        await enter("reveal")
        try await Phases.reveal(context)
        if let waiting = try await Phases.waitUntil(context, manifest.deadlines.reveal, phase: "clear", wait: wait) {
            return waiting
        }
        if try await Phases.releaseIfCancelled(context) { return cancelled }
        await enter("clear")
        try await Phases.forfeit(context)
        try await Phases.clear(context)
        guard manifest.validation != nil else {
            events(.info("no `validation` section: the run ends with the published clearing"))
            if plan == nil { Phases.writeSessionReport(context) }
            return .done(lastPhase: "publish fills")
        }
        let deliveryEnd =
            manifest.session.deliveryStart + Int64(manifest.session.slots * manifest.session.slotMinutes * 60)
        if let waiting = try await Phases.waitUntil(context, deliveryEnd, phase: "validate", wait: wait) {
            return waiting
        }
        if try await Phases.releaseIfCancelled(context) { return cancelled }
        await enter("validate")
        switch try await Phases.validate(context) {
        case .waitingForData(let why): return .waitingForData(why)
        case .computed(let result): try await Phases.publishValidation(context, entries: result.deliveriesEntries())
        case .journaled(let entries): try await Phases.publishValidation(context, entries: entries)
        case .published: break
        }
        await enter("settle")
        try await Phases.settle(context)
        try await Phases.withdraw(context)
        await enter("report")
        if plan == nil { try await Phases.report(context) }
        return .done(lastPhase: "report")
    }

    /// The manifest's chain: a dev chain whose state lives in the run folder (so a resumed run
    /// continues it), or a node.
    static func connect(_ manifest: SessionManifest, runFolder: URL) async throws -> (EthClient, DevChainProcess?) {
        switch manifest.chain {
        case .dev(let chainID, let genesisTime):
            var options = DevChainOptions()
            options.chainID = chainID
            options.genesisTime = genesisTime
            options.accounts = devAccountsNeeded(manifest)
            options.stateDirectory = runFolder.appendingPathComponent("devchain")
            let chain = try await DevChainProcess.start(options)
            return (chain.client(), chain)
        case .rpc(let url, _, _, _, _):
            guard let endpoint = URL(string: url) else { throw RunnerError.input("chain.rpc \(url) is not a URL") }
            return (EthClient(url: endpoint), nil)
        }
    }

    static func devAccountsNeeded(_ manifest: SessionManifest) -> Int {
        var highest = 1
        for source in [manifest.operatorKey] + manifest.participants.compactMap(\.key) {
            if case .devAccount(let index) = source { highest = max(highest, index) }
        }
        return max(10, highest + 1)
    }
}
