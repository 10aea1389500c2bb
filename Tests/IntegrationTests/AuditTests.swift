import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// `cer-run audit`: sessions run by the runner on the DST fixture (fixed dates and meter data),
/// audited from their dev chain with no key — an honest one, one whose operator published other
/// (on-chain valid) fills, wrong manifests and bad input — and the pure comparison functions.
@Suite(.serialized) struct AuditTests {
    static let manifest = SettlementTests.manifest
    static let meters = RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests/meters/2026-10-25.csv")
    static let sara = try! Address("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")
    static let tino = try! Address("0x90F79bf6EB2c4f870365E785982E1f101E93b906")
    static let ugo = try! Address("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65")

    /// The dev chain of a run folder, restarted from its saved state.
    static func chain(_ runs: URL) async throws -> DevChainProcess {
        var options = DevChainOptions()
        options.stateDirectory = runs.appendingPathComponent("\(SettlementTests.runID)/devchain")
        return try await DevChainProcess.start(options)
    }

    /// The runner's marketplace: the operator (dev account 1) deployed the token, then it.
    static func marketplace(_ chain: DevChainProcess) async throws -> MarketplaceContract {
        let keys = try await chain.accountKeys()
        return MarketplaceContract(
            contract: Contract(
                address: Address.contractAddress(sender: keys[1].address, nonce: 1),
                abi: try ArtifactStore.locate().artifact("Marketplace").abi, client: chain.client()))
    }

    static func options(
        _ chain: DevChainProcess, _ market: Address, session: UInt64 = 1, manifest: String = manifest,
        meters: [String] = [], validate: Bool = false
    ) -> AuditOptions {
        AuditOptions(
            rpc: chain.url, marketplace: market, sessionID: session, manifestPath: manifest, meterFiles: meters,
            validate: validate)
    }

    /// `cer-run audit …` as a process: its exit status and output.
    static func cli(_ arguments: [String]) async throws -> RunnerTests.Outcome {
        try await ReplayTests.cerRun(["audit"] + arguments, in: FileManager.default.temporaryDirectory)
    }

    static func expectInputError(
        _ message: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> AuditReport
    ) async {
        do {
            let report = try await body()
            Issue.record("expected an input error, got \(report.lines)", sourceLocation: sourceLocation)
        } catch let error as RunnerError {
            guard case .input(let text) = error else {
                Issue.record("expected an input error, got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(text.contains(message), "\(text)", sourceLocation: sourceLocation)
        } catch { Issue.record("expected a RunnerError, got \(error)", sourceLocation: sourceLocation) }
    }

    // MARK: against the chain

    @Test func anHonestSettledSessionAuditsClean() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let outcome = try await RunnerTests.run(runs, manifest: Self.manifest)
        #expect(outcome.status == 0, "\(outcome.output)")
        let chain = try await Self.chain(runs)
        defer { chain.stop() }
        let market = try await Self.marketplace(chain).address

        // The manifest's own meter source (csv, relative to the manifest), and the same file given.
        let report = try await SessionAudit.run(Self.options(chain, market, validate: true))
        #expect(report.findings == [], "\(report.lines)")
        #expect(report.clean && report.state == .settled)
        #expect(report.verdict == "audit: session 1 CLEAN")
        #expect(report.notes.contains("validation recomputed from the manifest's meter source"), "\(report.notes)")
        #expect(report.notes.contains("clearing recomputed with uniform-price: 7 fill(s)"), "\(report.notes)")
        let given = try await SessionAudit.run(Self.options(chain, market, meters: [Self.meters.path]))
        #expect(given.findings == [], "\(given.lines)")
        // Without meter data the published validation is not recomputed, and the verdict says so.
        let clearingOnly = try await SessionAudit.run(Self.options(chain, market))
        #expect(clearingOnly.verdict == "audit: session 1 CLEAN (validation not checked)", "\(clearingOnly.lines)")

        // Corrected meter data (sara injected 2000 Wh in slot 13, not 1600): only validation
        // figures differ — her penalty 350 Wh × 0.10 = 35000 would have been 0.
        let folder = RunnerTests.temporaryRuns()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let corrected = folder.appendingPathComponent("corrected.csv")
        let original = try String(contentsOf: Self.meters, encoding: .utf8)
        let replaced = original.replacingOccurrences(
            of: "IT001E20000001;2026-10-25 12:00;150;1600", with: "IT001E20000001;2026-10-25 12:00;150;2000")
        #expect(replaced != original)
        try replaced.write(to: corrected, atomically: true, encoding: .utf8)
        let late = try await SessionAudit.run(Self.options(chain, market, meters: [corrected.path]))
        #expect(!late.clean)
        #expect(
            late.findings.contains(
                .validation(ValidationDivergence(member: Self.sara, figure: .penalty, published: 35_000, recomputed: 0))
            ),
            "\(late.lines)")
        #expect(
            late.findings.contains {
                guard case .validation(let d) = $0, d.member == Self.sara,
                    case .delivered(orderIndex: 0, slot: 13, side: .sell) = d.figure
                else { return false }
                return d.published == 1_600 && (d.recomputed ?? 0) > 1_600
            }, "\(late.lines)")
        #expect(
            late.findings.allSatisfy {
                if case .validation = $0 { return true }
                return false
            }, "\(late.lines)")

        // The command: exit 0 and the verdict; --json one object.
        let arguments = [
            "--rpc", chain.url.absoluteString, "--marketplace", market.hex, "--session", "1", "--manifest",
            Self.manifest, "--validate",
        ]
        let cli = try await Self.cli(arguments)
        #expect(cli.status == 0, "\(cli.output)")
        #expect(cli.output.hasPrefix("audit: session 1 CLEAN\n"), "\(cli.output)")
        let json = try await Self.cli(arguments + ["--json"])
        #expect(json.status == 0, "\(json.output)")
        let object = try JSONValue.parse(Data(json.output.utf8))
        #expect(object["clean"] == .bool(true) && object["findings"] == .array([]))
        let diverging = try await Self.cli(arguments.dropLast() + ["--meters", corrected.path])
        #expect(diverging.status == 1, "\(diverging.output)")
        #expect(diverging.output.contains("validation of member \(Self.sara), penalty: published 35000, recomputed 0"))
    }

    /// The operator, with its own key and outside the runner, publishes fills that pass every
    /// check of the contract but are not the plugin's: 500 Wh of slot 13 moved from tino to
    /// ugo at the same price. The audit names exactly those two orders; the invariants hold.
    @Test func aManipulatedButValidPublicationIsCaught() async throws {
        // Where the runner journals its clearing result (before publishing anything).
        let reference = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: reference) }
        #expect(try await RunnerTests.run(reference, manifest: Self.manifest).status == 0)
        let records = try Journal.readOnly(reference.appendingPathComponent("\(SettlementTests.runID)/journal.jsonl"))
        let cleared = try #require(records.first { $0.type == "clearing" }?.sequence)

        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let crashed = try await RunnerTests.run(
            runs, manifest: Self.manifest, environment: ["CER_RUN_CRASH_AFTER": String(cleared)])
        #expect(crashed.status == 86, "\(crashed.output)")
        let chain = try await Self.chain(runs)
        defer { chain.stop() }
        let market = try await Self.marketplace(chain)
        let keys = try await chain.accountKeys()
        let operatorSender = TransactionSender(client: chain.client(), key: keys[1], chainID: chain.chainID)
        let session = try await market.session(1)
        try #require(session.state == .open && session.reveals == 4 && session.cleared == 0)

        // The honest result the runner computed (clearing.json), then the manipulation.
        let result = try JSONValue.parse(
            Data(contentsOf: runs.appendingPathComponent("\(SettlementTests.runID)/clearing.json")))
        var honest = [String: (quantity: UInt64, price: UInt64)]()
        for fill in result["fills"]?.arrayValue ?? [] {
            guard let id = fill["orderID"]?.stringValue, case .int(let q)? = fill["quantityWh"],
                case .int(let p)? = fill["price"]
            else { continue }
            honest[id] = (UInt64(q), UInt64(p))
        }
        let prices = (result["slots"]?.arrayValue ?? []).map { slot -> UInt64 in
            if case .int(let p)? = slot["price"] { return UInt64(p) }
            return 0
        }
        #expect(prices.count == 25 && prices[13] == 130_000)
        let tinoSlot13 = "\(Self.tino.hex)/0"
        let ugoSlot13 = "\(Self.ugo.hex)/1"
        try #require(honest[tinoSlot13]?.quantity == 1_500 && honest[ugoSlot13]?.quantity == 500)
        honest[tinoSlot13]?.quantity = 1_000
        honest[ugoSlot13]?.quantity = 1_000

        var book = [(member: Address, orders: [MarketOrder], salt: [UInt8])]()
        for entry in try await market.revealedOrders(sessionID: 1)
        where !book.contains(where: { $0.member == entry.member }) {
            book.append(entry)
        }
        let entries = book.map { entry in
            MemberFillsEntry(
                member: entry.member, orders: entry.orders, salt: entry.salt,
                fills: entry.orders.indices.compactMap { index in
                    honest["\(entry.member.hex)/\(index)"].map {
                        MarketFill(orderIndex: UInt16(index), quantityWh: $0.quantity, price: $0.price)
                    }
                })
        }
        try await market.setFinalOrders(sessionID: 1, entries, sender: operatorSender)
        try await market.finalizeClearing(sessionID: 1, clearingPrices: prices, sender: operatorSender)
        #expect(try await market.session(1).state == .cleared)

        let report = try await SessionAudit.run(Self.options(chain, market.address))
        let expected: Set<AuditFinding> = [
            .fill(
                FillDivergence(
                    member: Self.tino, orderIndex: 0, slot: 13, side: .buy,
                    published: MarketFill(orderIndex: 0, quantityWh: 1_000, price: 130_000),
                    recomputed: MarketFill(orderIndex: 0, quantityWh: 1_500, price: 130_000))),
            .fill(
                FillDivergence(
                    member: Self.ugo, orderIndex: 1, slot: 13, side: .buy,
                    published: MarketFill(orderIndex: 1, quantityWh: 1_000, price: 130_000),
                    recomputed: MarketFill(orderIndex: 1, quantityWh: 500, price: 130_000))),
        ]
        #expect(report.findings.count == 2, "\(report.lines)")
        #expect(Set(report.findings) == expected, "\(report.lines)")
        #expect(report.verdict == "audit: session 1: 2 divergence(s)")

        let cli = try await Self.cli([
            "--rpc", chain.url.absoluteString, "--marketplace", market.address.hex, "--session", "1", "--manifest",
            Self.manifest,
        ])
        #expect(cli.status == 1, "\(cli.output)")
        #expect(cli.output.hasPrefix("audit: session 1: 2 divergence(s)\n"), "\(cli.output)")
        #expect(
            cli.output.contains(
                "fill of member \(Self.tino) order 0 (slot 13, buy): published 1000 Wh at 130000, "
                    + "recomputed 1500 Wh at 130000"), "\(cli.output)")
    }

    @Test func wrongManifestsAndBadInput() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        #expect(try await RunnerTests.run(runs, manifest: Self.manifest).status == 0)
        let chain = try await Self.chain(runs)
        defer { chain.stop() }
        let market = try await Self.marketplace(chain)
        let onChain = try await market.session(1).manifestHash

        // Copies of the fixture folder with one field changed.
        let folder = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests"), to: folder)
        let text = try String(contentsOf: URL(fileURLWithPath: Self.manifest), encoding: .utf8)
        func variant(_ name: String, _ from: String, _ to: String) throws -> String {
            let changed = text.replacingOccurrences(of: from, with: to)
            #expect(changed != text, "\(from) not in the fixture")
            let url = folder.appendingPathComponent(name)
            try changed.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }

        // Another community name: same parameters, another hash.
        let renamed = try await SessionAudit.run(
            Self.options(
                chain, market.address,
                manifest: try variant("renamed.yaml", "community: CER Fixture", "community: CER Altra")))
        #expect(renamed.findings.count == 1, "\(renamed.lines)")
        guard case .manifestHash(let chainHash, let manifestHash)? = renamed.findings.first else {
            Issue.record("expected a manifest hash finding: \(renamed.lines)")
            return
        }
        #expect(chainHash == onChain && manifestHash != onChain && manifestHash.count == 32)
        #expect(renamed.lines[1].contains("manifest: its canonical hash is"))

        // Another deposit: the hash and the parameter.
        let deposit = try await SessionAudit.run(
            Self.options(
                chain, market.address, manifest: try variant("deposit.yaml", "deposit: \"1.00\"", "deposit: \"2.00\"")))
        #expect(deposit.findings.count == 2, "\(deposit.lines)")
        #expect(deposit.findings.contains(.sessionParameter(name: "deposit", onChain: "1000000", manifest: "2000000")))

        // Another delivery day given with --date: every deadline and the delivery start differ.
        var shifted = Self.options(chain, market.address)
        shifted.date = .init(year: 2026, month: 10, day: 26)
        let fixed = try await SessionAudit.run(shifted)
        #expect(fixed.findings.isEmpty, "a manifest without {date} ignores --date: \(fixed.lines)")

        // A `{date}` manifest (small.yaml, same deadlines, deposit and bond) is resolved for the
        // on-chain delivery day, 2026-10-25 (25 slots): only its hash differs. With another
        // --date its deadlines, delivery start and slot count differ as well.
        let daily = try await SessionAudit.run(Self.options(chain, market.address, manifest: RunnerTests.manifest))
        #expect(daily.findings.count == 1, "\(daily.lines)")
        #expect(daily.findings.allSatisfy { if case .manifestHash = $0 { true } else { false } })
        var otherDay = Self.options(chain, market.address, manifest: RunnerTests.manifest)
        otherDay.date = .init(year: 2026, month: 10, day: 26)
        let names = try await SessionAudit.run(otherDay).findings.compactMap { finding -> String? in
            if case .sessionParameter(let name, _, _) = finding { return name }
            return nil
        }
        #expect(names == ["commit deadline", "reveal deadline", "delivery start", "slots"])

        // Bad input: typed errors, exit 2.
        await Self.expectInputError("session 99 does not exist") {
            try await SessionAudit.run(Self.options(chain, market.address, session: 99))
        }
        let nobody = PrivateKey.random().address
        await Self.expectInputError("no contract at \(nobody.checksummed)") {
            try await SessionAudit.run(Self.options(chain, nobody))
        }
        await Self.expectInputError("cannot read the manifest") {
            try await SessionAudit.run(
                Self.options(chain, market.address, manifest: folder.appendingPathComponent("none.yaml").path))
        }
        let unknown = try variant("unknown.yaml", "plugin: uniform-price", "plugin: no-such-mechanism")
        await Self.expectInputError("no-such-mechanism") {
            try await SessionAudit.run(Self.options(chain, market.address, manifest: unknown))
        }
        let external = try variant("external.yaml", "plugin: uniform-price", "plugin: \"exec:false\"")
        await Self.expectInputError("--allow-external-plugin") {
            try await SessionAudit.run(Self.options(chain, market.address, manifest: external))
        }
        let cli = try await Self.cli([
            "--rpc", chain.url.absoluteString, "--marketplace", market.address.hex, "--session", "99", "--manifest",
            Self.manifest,
        ])
        #expect(cli.status == 2, "\(cli.output)")
        #expect(cli.output.contains("error: session 99 does not exist"), "\(cli.output)")
    }
}
