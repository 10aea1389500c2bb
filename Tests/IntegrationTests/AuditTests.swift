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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunnerTests.binary)
        process.arguments = ["audit"] + arguments
        process.currentDirectoryURL = RunnerTests.packageRoot
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        try handle.close()
        return RunnerTests.Outcome(
            status: process.terminationStatus, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
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

    // MARK: pure comparisons

    static let a = Address(unchecked: [UInt8](repeating: 0x0a, count: 20))
    static let b = Address(unchecked: [UInt8](repeating: 0x0b, count: 20))
    static let s = Address(unchecked: [UInt8](repeating: 0x0c, count: 20))
    /// a buys 1000 Wh at ≤ 150 in slot 2 and 500 Wh at ≤ 90 in slot 3; b buys 800 at ≤ 130 in
    /// slot 2; s sells 2000 at ≥ 100 in slot 2.
    static let book = [
        RevealedMember(
            address: a,
            orders: [
                MarketOrder(slot: 2, side: .buy, quantityWh: 1_000, limitPrice: 150),
                MarketOrder(slot: 3, side: .buy, quantityWh: 500, limitPrice: 90),
            ]),
        RevealedMember(address: b, orders: [MarketOrder(slot: 2, side: .buy, quantityWh: 800, limitPrice: 130)]),
        RevealedMember(address: s, orders: [MarketOrder(slot: 2, side: .sell, quantityWh: 2_000, limitPrice: 100)]),
    ]

    @Test func fillsWithinLimitsAndBalancedSlotsPassTheInvariants() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
            Self.b: [MarketFill(orderIndex: 0, quantityWh: 800, price: 120)],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_800, price: 120)],
        ]
        #expect(InvariantAudit.clearing(book: Self.book, fills: fills, final: true) == [])
    }

    @Test func aPriceAboveABuyLimitAndAnUnbalancedSlotAreInvariantViolations() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 140)],
            Self.b: [MarketFill(orderIndex: 0, quantityWh: 900, price: 140)],  // above 800 and above 130
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_800, price: 140)],
        ]
        let findings = InvariantAudit.clearing(book: Self.book, fills: fills, final: true)
        #expect(
            findings == [
                .invariant(
                    InvariantViolation(
                        .fillExceedsOrder, member: Self.b, orderIndex: 0, slot: 2, side: .buy, value: 900, bound: 800)),
                .invariant(
                    InvariantViolation(
                        .fillAboveLimit, member: Self.b, orderIndex: 0, slot: 2, side: .buy, value: 140, bound: 130)),
                .invariant(InvariantViolation(.slotUnbalanced, slot: 2, value: 1_900, bound: 1_800)),
            ])
        #expect(
            findings[1].description
                == "member \(Self.b) order 0 (slot 2, buy): buy fill priced 140, above the limit 130")
        #expect(findings[2].description == "slot 2: buy fills total 1900 Wh, sell fills 1800 Wh")
        // Before finalization the slot balance and missing members are not yet checked.
        #expect(InvariantAudit.clearing(book: Self.book, fills: fills, final: false).count == 2)
    }

    @Test func sellBelowLimitUnknownOrderAndMissingMembersAreReported() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [
                MarketFill(orderIndex: 1, quantityWh: 10, price: 80),
                MarketFill(orderIndex: 1, quantityWh: 5, price: 80),
            ],
            Self.s: [
                MarketFill(orderIndex: 0, quantityWh: 10, price: 95),
                MarketFill(orderIndex: 4, quantityWh: 1, price: 95),
            ],
        ]
        let findings = InvariantAudit.clearing(book: Self.book, fills: fills, final: false)
        #expect(
            findings == [
                .invariant(InvariantViolation(.fillsOutOfOrder, member: Self.a, value: 1, bound: 1)),
                .invariant(
                    InvariantViolation(
                        .fillBelowLimit, member: Self.s, orderIndex: 0, slot: 2, side: .sell, value: 95, bound: 100)),
                .invariant(InvariantViolation(.fillWithoutOrder, member: Self.s, value: 4, bound: 1)),
            ])
        let final = InvariantAudit.clearing(book: Self.book, fills: fills, final: true)
        #expect(final.contains(.invariant(InvariantViolation(.revealedNotCleared, member: Self.b))))
    }

    @Test func settlementInvariants() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
        ]
        // a pays ceil(999 × 120 / 1000) = 120 (119.88), s is owed floor(…) = 119: dust 1.
        let honest: [Address: MemberValidationFigures] = [
            Self.a: MemberValidationFigures(member: Self.a, delivered: [999], paid: 120, receivable: 0, penalty: 0),
            Self.s: MemberValidationFigures(member: Self.s, delivered: [999], paid: 0, receivable: 119, penalty: 0),
        ]
        let settled = InvariantAudit.Settlement(
            validated: honest, dust: 1, executed: [Self.s: 119], state: .settled, pool: 0)
        #expect(InvariantAudit.settlement(book: Self.book, fills: fills, sellerBondPerKWh: 50, settled) == [])

        var broken = honest
        broken[Self.a]?.delivered = [1_001]  // above the fill
        broken[Self.a]?.penalty = 100  // locked ceil(1000 × 150 / 1000) = 150, paid 120: room 30
        broken[Self.s]?.receivable = 125
        let findings = InvariantAudit.settlement(
            book: Self.book, fills: fills, sellerBondPerKWh: 50,
            .init(validated: broken, dust: 1, executed: [Self.s: 119], state: .settled, pool: 6))
        #expect(
            Set(findings) == [
                .invariant(
                    InvariantViolation(
                        .deliveredExceedsFill, member: Self.a, orderIndex: 0, slot: 2, side: .buy, value: 1_001,
                        bound: 1_000)),
                .invariant(InvariantViolation(.paidMismatch, member: Self.a, value: 120, bound: 121)),
                .invariant(InvariantViolation(.penaltyAboveLocked, member: Self.a, value: 100, bound: 30)),
                .invariant(InvariantViolation(.receivableMismatch, member: Self.s, value: 125, bound: 119)),
                .invariant(InvariantViolation(.deliveriesUnbalanced, slot: 2, value: 1_001, bound: 999)),
                .invariant(InvariantViolation(.conservation, value: 120, bound: 126)),
                .invariant(InvariantViolation(.executedMismatch, member: Self.s, value: 119, bound: 125)),
                .invariant(InvariantViolation(.poolNotEmpty, value: 6)),
            ], "\(findings.map(\.description))")
    }

    @Test func clearingComparisonNamesMemberOrderAndBothAmounts() {
        let published: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
            Self.b: [],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
        ]
        let recomputed: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 600, price: 120)],
            Self.b: [MarketFill(orderIndex: 0, quantityWh: 400, price: 120)],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
        ]
        let findings = ClearingAudit.compare(
            book: Self.book, published: published, recomputed: recomputed, publishedPrices: [0, 0, 120, 0],
            recomputedPrices: [0, 0, 125, 0])
        #expect(
            findings == [
                .fill(
                    FillDivergence(
                        member: Self.a, orderIndex: 0, slot: 2, side: .buy,
                        published: MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120),
                        recomputed: MarketFill(orderIndex: 0, quantityWh: 600, price: 120))),
                .fill(
                    FillDivergence(
                        member: Self.b, orderIndex: 0, slot: 2, side: .buy, published: nil,
                        recomputed: MarketFill(orderIndex: 0, quantityWh: 400, price: 120))),
                .slotPrice(slot: 2, published: 120, recomputed: 125),
            ])
        #expect(
            findings[1].description
                == "fill of member \(Self.b) order 0 (slot 2, buy): published no fill, recomputed 400 Wh at 120")
        #expect(findings[0].json["published"]?["quantityWh"] == .string("1000"))
        #expect(
            ClearingAudit.compare(
                book: Self.book, published: recomputed, recomputed: recomputed, publishedPrices: nil,
                recomputedPrices: [1]) == [])
    }

    @Test func validationComparisonNamesEachFigure() {
        let fills: [Address: [MarketFill]] = [Self.a: [MarketFill(orderIndex: 1, quantityWh: 500, price: 80)]]
        let published = [
            Self.a: MemberValidationFigures(member: Self.a, delivered: [400], paid: 32, receivable: 0, penalty: 5)
        ]
        let recomputed = [
            Self.a: MemberValidationFigures(member: Self.a, delivered: [450], paid: 36, receivable: 0, penalty: 5),
            Self.b: MemberValidationFigures(member: Self.b, delivered: [10], paid: 1, receivable: 0, penalty: 0),
        ]
        let findings = ValidationAudit.compare(
            published: published, recomputed: recomputed, book: Self.book, fills: fills)
        #expect(
            findings == [
                .validation(
                    ValidationDivergence(
                        member: Self.a, figure: .delivered(orderIndex: 1, slot: 3, side: .buy), published: 400,
                        recomputed: 450)),
                .validation(ValidationDivergence(member: Self.a, figure: .pay, published: 32, recomputed: 36)),
                .validation(ValidationDivergence(member: Self.b, figure: .member, published: nil, recomputed: 10)),
            ])
        #expect(
            findings[0].description
                == "validation of member \(Self.a), delivered Wh of order 1 (slot 3, buy): published 400, recomputed 450"
        )
    }
}
