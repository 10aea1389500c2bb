import BigInt
import Chain
import ClearingPlugins
import Foundation
import Manifest
import Market
import MeterSources
import Validation

/// What `cer-run audit` checks: one session of one marketplace, read over JSON-RPC with no key.
public struct AuditOptions: Sendable {
    /// JSON-RPC endpoint of any node of the chain.
    public var rpc: URL
    public var marketplace: Address
    /// The session id on chain.
    public var sessionID: UInt64
    /// The session manifest the operator published.
    public var manifestPath: String
    /// Delivery day for `{date}`; nil: the day of the on-chain `deliveryStart` in the
    /// manifest's time zone.
    public var date: DeliveryCalendar.Day?
    /// Meter CSV files to validate against (in the format of the manifest's csv source); empty:
    /// the manifest's own source when `validate`, otherwise no validation is recomputed.
    public var meterFiles: [String]
    public var validate: Bool
    /// First block to read logs from (the `SessionCreated` block is looked up from here).
    public var fromBlock: UInt64
    /// Whether an `exec:` or `http:` clearing plugin of the manifest may be run.
    public var allowExternalPlugin: Bool
    /// Where the meter source's `token_env` and `password_env` are looked up.
    public var environment: [String: String]

    public init(
        rpc: URL, marketplace: Address, sessionID: UInt64, manifestPath: String, date: DeliveryCalendar.Day? = nil,
        meterFiles: [String] = [], validate: Bool = false, fromBlock: UInt64 = 0, allowExternalPlugin: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.rpc = rpc
        self.marketplace = marketplace
        self.sessionID = sessionID
        self.manifestPath = manifestPath
        self.date = date
        self.meterFiles = meterFiles
        self.validate = validate
        self.fromBlock = fromBlock
        self.allowExternalPlugin = allowExternalPlugin
        self.environment = environment
    }
}

/// The outcome of an audit: every divergence found, and notes on what was (not) checked.
public struct AuditReport: Sendable {
    /// The session audited, on the marketplace audited.
    public var sessionID: UInt64
    public var marketplace: Address
    /// Its state on chain when read.
    public var state: SessionState
    /// Every divergence, in the order found (manifest, invariants, clearing, validation).
    public var findings: [AuditFinding]
    /// What was checked and what could not be (not published yet, no meter data).
    public var notes: [String]
    /// Published results the audit did not recompute (e.g. `validation` without meter data):
    /// a clean verdict says so.
    public var unchecked: [String] = []

    /// No divergence found.
    public var clean: Bool { findings.isEmpty }

    /// `audit: session N CLEAN`, `audit: session N CLEAN (validation not checked)` or
    /// `audit: session N: K divergence(s)`.
    public var verdict: String {
        guard clean else { return "audit: session \(sessionID): \(findings.count) divergence(s)" }
        let limits = unchecked.isEmpty ? "" : " (\(unchecked.joined(separator: ", ")) not checked)"
        return "audit: session \(sessionID) CLEAN" + limits
    }

    /// The verdict, then every divergence, then the notes: one per line.
    public var lines: [String] { [verdict] + findings.map { "  \($0)" } + notes.map { "note: \($0)" } }

    /// The report as one JSON object (`--json`).
    public var json: JSONValue {
        [
            "event": "audit", "session": .int(Int64(sessionID)), "marketplace": .string(marketplace.hex),
            "state": .string("\(state)"), "clean": .bool(clean), "verdict": .string(verdict),
            "findings": .array(findings.map(\.json)), "notes": .array(notes.map { .string($0) }),
            "unchecked": .array(unchecked.map { .string($0) }),
        ]
    }
}

/// Reads a session from the chain and audits it against its manifest: manifest hash and
/// parameters, the clearing recomputed with the manifest's plugin, the chain's invariants, and
/// optionally the validation recomputed from meter data.
public enum SessionAudit {
    /// What the audit reads from the chain.
    public struct ChainRecord: Sendable {
        public var session: OnChainSession
        /// Block of `SessionCreated`.
        public var sessionBlock: UInt64
        /// Revealed members in event order (the first reveal of each).
        public var book: [RevealedMember]
        /// `MemberCleared` fills by member.
        public var fills: [Address: [MarketFill]]
        /// `ClearingPublished` prices; nil: not finalized.
        public var prices: [UInt64]?
        public var validated: [Address: MemberValidationFigures]
        /// `ValidationPublished` dust; nil: not finalized.
        public var dust: BigUInt?
        public var executed: [Address: BigUInt]
    }

    /// Audits `options.sessionID`. Throws `RunnerError.input` for bad input (unreadable or
    /// invalid manifest, unknown plugin, no contract at the address, no such session, unreadable
    /// meter data) and `RunnerError.chain` when the node cannot be read.
    public static func run(_ options: AuditOptions) async throws(RunnerError) -> AuditReport {
        guard let data = FileManager.default.contents(atPath: options.manifestPath),
            let text = String(data: data, encoding: .utf8)
        else { throw RunnerError.input("cannot read the manifest \(options.manifestPath)") }
        let client = EthClient(url: options.rpc)
        let market = try await marketplace(client, options.marketplace, rpc: options.rpc)
        let chain = try await read(market, sessionID: options.sessionID, fromBlock: options.fromBlock)
        let manifest = try parse(text, path: options.manifestPath, date: options.date, chain.session)
        let folder = URL(fileURLWithPath: options.manifestPath).deletingLastPathComponent()

        var findings = parameters(manifest: manifest, session: chain.session)
        var notes = [String]()
        var unchecked = [String]()
        let s = chain.session
        notes.append(
            "session \(options.sessionID) is \(s.state): \(chain.book.count) member(s) revealed "
                + "\(chain.book.reduce(0) { $0 + $1.orders.count }) order(s), \(chain.fills.count) cleared, "
                + "\(chain.validated.count) validated, \(chain.executed.count) settled")

        // Invariants first: they hold whatever the plugin and the meter data.
        let final = chain.prices != nil
        findings += InvariantAudit.clearing(book: chain.book, fills: chain.fills, final: final)
        findings += InvariantAudit.settlement(
            book: chain.book, fills: chain.fills, sellerBondPerKWh: s.sellerBondPerKWh,
            .init(
                validated: chain.validated, dust: chain.dust, executed: chain.executed, state: s.state, pool: s.pool))

        // Clearing recomputed with the manifest's plugin.
        if final || !chain.fills.isEmpty {
            let plugin = try plugin(manifest, allowExternal: options.allowExternalPlugin)
            let orders = ClearingAudit.orders(chain.book)
            let result: ClearingResult
            do {
                result = try await plugin.clear(
                    orders: orders, slots: Int(s.slots), params: manifest.clearing.params)
            } catch { throw RunnerError.input("clearing with \(manifest.clearing.plugin): \(error)") }
            let recomputed = ClearingAudit.publication(of: result, book: chain.book, slots: Int(s.slots))
            // Publication goes in chunks: before it is finalized, members not published yet
            // are not divergences.
            var expected = recomputed.fills
            if !final {
                expected = expected.filter { chain.fills[$0.key] != nil }
                let pending = chain.book.count - chain.fills.count
                if pending > 0 {
                    notes.append("clearing publication in progress: \(pending) member(s) not published yet")
                }
            }
            findings += ClearingAudit.compare(
                book: final ? chain.book : chain.book.filter { chain.fills[$0.address] != nil },
                published: chain.fills, recomputed: expected, publishedPrices: chain.prices,
                recomputedPrices: recomputed.prices)
            notes.append("clearing recomputed with \(manifest.clearing.plugin): \(result.fills.count) fill(s)")
            if !final { notes.append("clearing publication not finalized: prices and slot balance not checked") }
        } else {
            notes.append("clearing not published yet: nothing to recompute")
        }

        // Validation recomputed from meter data.
        if !options.meterFiles.isEmpty || options.validate {
            guard let settings = manifest.validation else {
                throw RunnerError.input("the manifest has no validation section: its rules are needed to validate")
            }
            if chain.fills.isEmpty {
                notes.append("no fills published: nothing to validate")
            } else {
                let pods = Dictionary(
                    manifest.participants.map { ($0.address, $0.pod) }, uniquingKeysWith: { a, _ in a })
                let members: [ValidationMember]
                do { members = try ValidationAudit.members(book: chain.book, fills: chain.fills, pods: pods) } catch {
                    findings.append(.validationNotReproducible(error.description))
                    members = []
                }
                if !members.isEmpty {
                    let day = try await meterDay(manifest, settings, folder: folder, options)
                    let engine = Phases.validationEngine(manifest, settings)
                    do {
                        let result = try engine.validate(members: members, meters: day)
                        if chain.validated.isEmpty {
                            notes.append("validation recomputed, but none is published yet: nothing to compare")
                        } else {
                            var expected = ValidationAudit.figures(result)
                            if s.state == .cleared {
                                // Validation publication in progress: only members published so far.
                                expected = expected.filter { chain.validated[$0.key] != nil }
                                notes.append(
                                    "validation publication in progress: \(chain.fills.count - chain.validated.count) "
                                        + "member(s) not published yet")
                            }
                            findings += ValidationAudit.compare(
                                published: chain.validated, recomputed: expected, book: chain.book,
                                fills: chain.fills)
                            notes.append(
                                "validation recomputed from "
                                    + (options.meterFiles.isEmpty
                                        ? "the manifest's meter source" : options.meterFiles.joined(separator: ", ")))
                        }
                    } catch { findings.append(.validationNotReproducible(error.description)) }
                }
            }
        } else if !chain.validated.isEmpty {
            notes.append("validation published but not recomputed (give --meters FILE or --validate)")
            unchecked.append("validation")
        }
        return AuditReport(
            sessionID: options.sessionID, marketplace: options.marketplace, state: s.state, findings: findings,
            notes: notes, unchecked: unchecked)
    }

    /// The marketplace at `address`, checked to have code.
    static func marketplace(_ client: EthClient, _ address: Address, rpc: URL) async throws(RunnerError)
        -> MarketplaceContract
    {
        let code: [UInt8]
        do { code = try await client.code(at: address) } catch {
            throw RunnerError.chain("cannot read the node at \(rpc.absoluteString): \(error)")
        }
        guard !code.isEmpty else {
            throw RunnerError.input("no contract at \(address.checksummed) on this chain; check --marketplace")
        }
        let abi: ContractABI
        do { abi = try ArtifactStore.locate().artifact("Marketplace").abi } catch {
            throw RunnerError.input("\(error)")
        }
        return MarketplaceContract(contract: Contract(address: address, abi: abi, client: client))
    }

    /// Everything the audit needs from the chain about one session.
    public static func read(_ market: MarketplaceContract, sessionID id: UInt64, fromBlock: UInt64 = 0)
        async throws(RunnerError) -> ChainRecord
    {
        let session: OnChainSession
        do { session = try await market.session(id) } catch let error as ContractCallError {
            if case .reverted(let reason) = error {
                if reason.customErrorName == "UnknownSession" {
                    throw RunnerError.input(
                        "session \(id) does not exist on the marketplace \(market.address.checksummed)")
                }
                throw RunnerError.input(
                    "\(market.address.checksummed) refuses getSession (\(reason)): is it a cer-run Marketplace?")
            }
            if case .rpc(.malformedResponse) = error {
                throw RunnerError.input(
                    "\(market.address.checksummed) answers getSession in another shape: is it a cer-run Marketplace?")
            }
            throw RunnerError.chain("reading session \(id): \(error)")
        } catch { throw RunnerError.chain("reading session \(id): \(error)") }
        do {
            let created = try market.contract.abi.event("SessionCreated")
            let logs = try await market.contract.client.logs(
                LogFilter(
                    fromBlock: fromBlock, addresses: [market.address],
                    topics: [[created.topic], [ABI.encode(.uint(256), .unsigned(id))]]))
            let block = logs.first?.blockNumber ?? fromBlock
            var book = [RevealedMember]()
            var seen = Set<Address>()
            for entry in try await market.revealedOrders(sessionID: id, fromBlock: block)
            where seen.insert(entry.member).inserted {
                book.append(RevealedMember(address: entry.member, orders: entry.orders, salt: entry.salt))
            }
            let fills = try await market.clearedFills(sessionID: id, fromBlock: block)
            var prices: [UInt64]?
            for event in try await market.sessionEvents("ClearingPublished", sessionID: id, fromBlock: block) {
                if case .clearingPublished(_, let p, _) = event { prices = p }
            }
            var validated = [Address: MemberValidationFigures]()
            for (member, event) in try await market.validatedMembers(sessionID: id, fromBlock: block) {
                if case .memberValidated(_, _, let delivered, let paid, let receivable, let penalty) = event {
                    validated[member] = MemberValidationFigures(
                        member: member, delivered: delivered, paid: paid, receivable: receivable, penalty: penalty)
                }
            }
            var dust: BigUInt?
            for event in try await market.sessionEvents("ValidationPublished", sessionID: id, fromBlock: block) {
                if case .validationPublished(_, _, let d) = event { dust = d }
            }
            var executed = [Address: BigUInt]()
            for event in try await market.sessionEvents("Executed", sessionID: id, fromBlock: block) {
                if case .executed(_, let member, let amount) = event { executed[member] = amount }
            }
            return ChainRecord(
                session: session, sessionBlock: block, book: book, fills: fills, prices: prices,
                validated: validated, dust: dust, executed: executed)
        } catch { throw RunnerError.chain("reading the logs of session \(id): \(error)") }
    }

    /// The manifest resolved for the session's delivery day: `date`, or the day of
    /// `deliveryStart` in the manifest's time zone. Only parsed (no referenced file is opened:
    /// an auditor has no keystore).
    static func parse(_ text: String, path: String, date: DeliveryCalendar.Day?, _ session: OnChainSession)
        throws(RunnerError) -> SessionManifest
    {
        var day = date
        if day == nil, let zone = ManifestParser.timeZone(in: text) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let c = calendar.dateComponents(
                [.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(session.deliveryStart)))
            if let y = c.year, let m = c.month, let d = c.day { day = DeliveryCalendar.Day(year: y, month: m, day: d) }
        }
        do { return try ManifestParser.parse(text, file: path, date: day) } catch {
            throw RunnerError.input(error.description)
        }
    }

    /// The manifest hash and the resolved session parameters against the chain's.
    public static func parameters(manifest: SessionManifest, session s: OnChainSession) -> [AuditFinding] {
        var findings = [AuditFinding]()
        let hash = manifest.canonicalHash
        if hash != s.manifestHash { findings.append(.manifestHash(onChain: s.manifestHash, manifest: hash)) }
        let zone = TimeZone(identifier: manifest.session.timeZone) ?? TimeZone(identifier: "UTC")!
        func time(_ t: Int64) -> String {
            let f = ISO8601DateFormatter()
            f.timeZone = zone
            return "\(t) (\(f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))))"
        }
        let m = manifest.session
        let pairs: [(String, String, String)] = [
            ("commit deadline", time(Int64(s.commitDeadline)), time(manifest.deadlines.commit)),
            ("reveal deadline", time(Int64(s.revealDeadline)), time(manifest.deadlines.reveal)),
            ("delivery start", time(Int64(s.deliveryStart)), time(m.deliveryStart)),
            ("slot length", "\(s.slotLength) s", "\(m.slotMinutes * 60) s"),
            ("slots", "\(s.slots)", "\(m.slots)"),
            ("deposit", "\(s.deposit)", "\(m.deposit)"),
            ("seller bond per kWh", "\(s.sellerBondPerKWh)", "\(m.sellerBondPerKWh)"),
        ]
        for (name, chain, wanted) in pairs where chain != wanted {
            findings.append(.sessionParameter(name: name, onChain: chain, manifest: wanted))
        }
        return findings
    }

    /// The manifest's clearing plugin; external ones only when allowed (they run a program or
    /// call a service named by the manifest).
    static func plugin(_ manifest: SessionManifest, allowExternal: Bool) throws(RunnerError) -> ClearingPlugin {
        let plugin: ClearingPlugin
        do { plugin = try ClearingPlugin.resolve(manifest.clearing.plugin, params: manifest.clearing.params) } catch {
            throw RunnerError.input("clearing: \(error)")
        }
        if case .builtIn = plugin { return plugin }
        guard allowExternal else {
            throw RunnerError.input(
                "the manifest's clearing plugin \(manifest.clearing.plugin) is external (it runs a program or calls a "
                    + "service); pass --allow-external-plugin to run it for the audit")
        }
        return plugin
    }

    /// The meter day: from `options.meterFiles` (read in the format of the manifest's csv
    /// source, or the default CSV format `pod,timestamp,withdrawal,injection` when the source is
    /// not csv), or from the manifest's own source.
    static func meterDay(
        _ manifest: SessionManifest, _ settings: SessionManifest.ValidationSettings, folder: URL,
        _ options: AuditOptions
    ) async throws(RunnerError) -> MeterDay {
        let pods = manifest.participants.map(\.pod)
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let files = options.meterFiles.map { $0.hasPrefix("/") ? $0 : cwd.appendingPathComponent($0).path }
        var settings = settings
        if !files.isEmpty {
            guard case .csv(var csv) = settings.source else {
                return try defaultFormatDay(manifest, settings, files: files, pods: pods)
            }
            csv.files = files
            settings.source = .csv(csv)
        }
        let reader = MeterSourceReader(
            settings: settings, session: manifest.session, manifestFolder: folder, environment: options.environment)
        do { return try await reader.meterDay(pods: pods).day } catch {
            throw RunnerError.input("meter data: \(error)")
        }
    }

    static func defaultFormatDay(
        _ manifest: SessionManifest, _ settings: SessionManifest.ValidationSettings, files: [String], pods: [String]
    ) throws(RunnerError) -> MeterDay {
        let parser = MeterCSVParser(format: MeterCSVFormat(timeZone: TimeZone(identifier: manifest.session.timeZone)))
        var readings = [MeterReading]()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RunnerError.input("cannot read the meter file \(file)")
            }
            do { readings += try parser.parse(data, file: file) } catch {
                throw RunnerError.input("meter data: \(error)")
            }
        }
        let s = manifest.session
        let aggregator = MeterAggregator(
            pods: pods, dayStart: s.deliveryStart, slotLength: Int64(s.slotMinutes * 60), slotCount: s.slots,
            policy: MeterPolicy(missing: settings.missing == .zero ? .zero : .fail))
        do { return try aggregator.aggregate(readings).day } catch { throw RunnerError.input("meter data: \(error)") }
    }
}
