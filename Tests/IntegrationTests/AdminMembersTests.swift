import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// `cer-run admin members …` as real processes on the shared dev chain, each test with its own
/// freshly funded keys and its own `cer-run deploy`: listing with filters, every status change,
/// re-runs that send nothing, refusals that send nothing (exit 2), and a crash between the
/// journaled signature and the broadcast that resumes without a second transaction.
@Suite struct AdminMembersTests {
    typealias CLI = MemberCommandTests

    /// A deployed marketplace with its admin keystore and admin journal.
    struct World {
        let fixture: DevChainFixture
        let folder: URL
        let admin: PrivateKey
        let adminStore: String
        let journal: URL
        let market: MarketplaceContract

        var client: EthClient { fixture.client }

        /// `--rpc --chain-id --marketplace`.
        var node: [String] {
            [
                "--rpc", fixture.chain.url.absoluteString, "--chain-id", String(fixture.chain.chainID),
                "--marketplace", market.address.hex,
            ]
        }

        /// The node options plus the admin keystore and journal.
        var keyed: [String] { node + ["--keystore", adminStore, "--journal", journal.path] }

        /// `cer-run admin members <arguments>`.
        func admin(_ arguments: [String], environment: [String: String] = [:]) async throws
            -> MemberCommandTests.Outcome
        {
            try await CLI.cli(["admin", "members"] + arguments, in: folder, environment: environment)
        }

        /// The admin key's mined transaction count.
        func adminNonce() async throws -> UInt64 { try await client.transactionCount(of: admin.address) }

        /// The admin journal's `tx.signed` records.
        func signed() throws -> [JournalRecord] {
            guard FileManager.default.fileExists(atPath: journal.path) else { return [] }
            return try Journal.readOnly(journal).filter { $0.type == JournaledSender.RecordType.signed }
        }

        /// A funded key that registered with `document` (pending); its registration receipt.
        func registered(_ document: String) async throws -> (PrivateKey, Receipt) {
            let key = try await fixture.fundedKey()
            let sender = TransactionSender(client: client, key: key, chainID: fixture.chain.chainID)
            let receipt = try await market.registerUser(adhesionDocHash: Keccak256.hash(document), sender: sender)
            return (key, receipt)
        }

        func status(_ member: PrivateKey) async throws -> MemberStatus {
            try await market.member(member.address).status
        }
    }

    /// A new admin key deploys a marketplace with `cer-run deploy`.
    static func world() async throws -> World {
        let fixture = try await DevChainFixture.make()
        let folder = try CLI.temporaryFolder()
        let admin = try await fixture.fundedKey()
        let store = try CLI.keystore(admin, in: folder, name: "admin")
        let deployed = try await CLI.cli(
            [
                "deploy", "--rpc", fixture.chain.url.absoluteString, "--chain-id", String(fixture.chain.chainID),
                "--keystore", store, "--operator", PrivateKey.random().address.hex, "--journal",
                folder.appendingPathComponent("deployments.jsonl").path, "--json",
            ], in: folder)
        #expect(deployed.status == 0, "\(deployed.output)")
        let json = try #require(objects(deployed.output).last)
        let address = try Address(json["marketplace"]?.stringValue ?? "")
        let market = MarketplaceContract(
            contract: Contract(
                address: address, abi: try fixture.artifacts.artifact("Marketplace").abi, client: fixture.client))
        return World(
            fixture: fixture, folder: folder, admin: admin, adminStore: store,
            journal: folder.appendingPathComponent("admin.jsonl"), market: market)
    }

    /// The JSON objects among the output's lines.
    static func objects(_ output: String) -> [JSONValue] {
        output.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONValue.parse(Data($0.utf8))
        }
    }

    @Test func listsMembersWithStatusesHashesAndTimes() async throws {
        let w = try await Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let (a, ra) = try await w.registered("adesione A")
        let (b, rb) = try await w.registered("adesione B")
        let (c, _) = try await w.registered("adesione C")

        let all = try await w.admin(["list", "--json"] + w.node)
        #expect(all.status == 0, "\(all.output)")
        let items = Self.objects(all.output)
        #expect(items.map { $0["address"]?.stringValue } == [a, b, c].map { $0.address.checksummed })
        #expect(items.allSatisfy { $0["status"] == .string("pending") })
        #expect(items.first?["adhesionHash"] == .string(Keccak256.hash("adesione A").hex))
        #expect(items.dropFirst().first?["adhesionHash"] == .string(Keccak256.hash("adesione B").hex))
        #expect(items.first?["registeredBlock"] == .int(Int64(ra.blockNumber)))
        let blockA = try #require(try await w.client.block(.number(ra.blockNumber)))
        #expect(items.first?["registeredAt"] == .int(Int64(blockA.timestamp)))
        #expect(items.dropFirst().first?["registeredBlock"] == .int(Int64(rb.blockNumber)))

        // The library gives the same, and one member on its own.
        let entries = try await MemberDirectory.list(client: w.client, marketplace: w.market.address)
        #expect(entries.map(\.address) == [a, b, c].map(\.address))
        let one = try await MemberDirectory.member(client: w.client, marketplace: w.market.address, address: b.address)
        #expect(one == entries[1])
        let stranger = try await MemberDirectory.member(
            client: w.client, marketplace: w.market.address, address: PrivateKey.random().address)
        #expect(stranger.status == .none && stranger.registeredBlock == 0)

        // Filters, after one approval and one rejection.
        #expect(try await w.admin(["approve", a.address.hex] + w.keyed).status == 0)
        #expect(try await w.admin(["reject", c.address.checksummed] + w.keyed).status == 0)
        for (word, expected) in [("active", [a]), ("pending", [b]), ("rejected", [c]), ("suspended", [])] {
            let listed = try await w.admin(["list", "--status", word, "--json"] + w.node)
            #expect(listed.status == 0, "\(listed.output)")
            let addresses = Self.objects(listed.output).map { $0["address"]?.stringValue }
            #expect(addresses == expected.map { $0.address.checksummed }, "--status \(word): \(listed.output)")
        }
        let people = try await w.admin(["list"] + w.node)
        #expect(people.status == 0, "\(people.output)")
        #expect(people.output.contains("\(c.address.checksummed)  rejected"), "\(people.output)")
        #expect(people.output.contains("3 members"))
        let bogus = try await w.admin(["list", "--status", "sleeping"] + w.node)
        #expect(bogus.status == 2, "\(bogus.output)")
        #expect(bogus.output.contains("use pending, active, suspended or rejected"))
    }

    @Test func changesAreIdempotentAndSuspendReinstateSuspendWorks() async throws {
        let w = try await Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let (a, _) = try await w.registered("adesione A")
        let (b, _) = try await w.registered("adesione B")
        let (c, _) = try await w.registered("adesione C")

        // Two members in one call, one JSON object each.
        let nonce0 = try await w.adminNonce()
        let approved = try await w.admin(["approve", a.address.hex, b.address.hex, "--json"] + w.keyed)
        #expect(approved.status == 0, "\(approved.output)")
        let outcomes = Self.objects(approved.output)
        #expect(outcomes.count == 2)
        for (outcome, key) in zip(outcomes, [a, b]) {
            #expect(outcome["member"] == .string(key.address.checksummed))
            #expect(outcome["action"] == "approve" && outcome["sent"] == .bool(true))
            #expect(outcome["before"] == "pending" && outcome["after"] == "active")
            #expect(outcome["transactionHash"]?.stringValue?.count == 66)
        }
        #expect(try await w.status(a) == .active)
        #expect(try await w.status(b) == .active)
        #expect(try await w.adminNonce() == nonce0 + 2)

        // Again: nothing sent, the nonce and the journal stay.
        let signedBefore = try w.signed().count
        let again = try await w.admin(["approve", a.address.hex, b.address.hex, "--json"] + w.keyed)
        #expect(again.status == 0, "\(again.output)")
        #expect(Self.objects(again.output).map { $0["sent"] } == [.bool(false), .bool(false)])
        #expect(Self.objects(again.output).allSatisfy { $0["transactionHash"] == .null })
        #expect(try await w.adminNonce() == nonce0 + 2)
        #expect(try w.signed().count == signedBefore)
        let plain = try await w.admin(["approve", a.address.hex] + w.keyed)
        #expect(plain.output.contains("is already active; nothing sent"), "\(plain.output)")

        // Reject a pending member.
        let rejected = try await w.admin(["reject", c.address.hex] + w.keyed)
        #expect(rejected.status == 0, "\(rejected.output)")
        #expect(try await w.status(c) == .rejected)

        // Suspend, reinstate, suspend again: three transactions, three steps.
        let cycle: [(String, MemberStatus)] = [
            ("suspend", .suspended), ("reinstate", .active), ("suspend", .suspended),
        ]
        for (action, expected) in cycle {
            let before = try await w.adminNonce()
            let done = try await w.admin([action, a.address.hex, "--json"] + w.keyed)
            #expect(done.status == 0, "\(action): \(done.output)")
            #expect(Self.objects(done.output).first?["sent"] == .bool(true), "\(action): \(done.output)")
            #expect(try await w.status(a) == expected)
            #expect(try await w.adminNonce() == before + 1)
        }
        let market = w.market.address.hex
        let steps = try w.signed().compactMap { $0.data["step"]?.stringValue }
        let member = a.address.hex
        #expect(
            steps.filter { $0.contains(member) } == [
                "admin/approve/\(member)@\(market)#1", "admin/suspend/\(member)@\(market)#1",
                "admin/reinstate/\(member)@\(market)#1", "admin/suspend/\(member)@\(market)#2",
            ])
        let nonce = try await w.adminNonce()
        let suspendAgain = try await w.admin(["suspend", a.address.hex, "--json"] + w.keyed)
        #expect(suspendAgain.status == 0, "\(suspendAgain.output)")
        #expect(Self.objects(suspendAgain.output).first?["sent"] == .bool(false))
        #expect(try await w.adminNonce() == nonce)

        // An impossible change anywhere in the list: exit 2, nothing sent for anyone.
        let mixed = try await w.admin(["suspend", b.address.hex, c.address.hex] + w.keyed)
        #expect(mixed.status == 2, "\(mixed.output)")
        #expect(mixed.output.contains("cannot suspend \(c.address.checksummed): it is rejected"), "\(mixed.output)")
        #expect(mixed.output.contains("nothing was sent"))
        #expect(try await w.status(b) == .active)
        let wrongWay = try await w.admin(["approve", a.address.hex] + w.keyed)
        #expect(wrongWay.status == 2, "\(wrongWay.output)")
        #expect(wrongWay.output.contains("reinstate it instead"), "\(wrongWay.output)")
        let never = try await w.admin(["reinstate", PrivateKey.random().address.hex] + w.keyed)
        #expect(never.status == 2 && never.output.contains("not registered"), "\(never.output)")

        // A bad address: exit 2 before anything.
        let bad = try await w.admin(["suspend", b.address.hex, "0x1234"] + w.keyed)
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.output.contains("0x1234 is not an address"), "\(bad.output)")
        #expect(try await w.status(b) == .active)
        #expect(try await w.adminNonce() == nonce)
        #expect(try w.signed().count == steps.count)

        // A key that is not the marketplace's admin: refused, its nonce unchanged.
        let otherStore = try CLI.keystore(b, in: w.folder, name: "b")
        let otherNonce = try await w.client.transactionCount(of: b.address)
        let intruder = try await w.admin(
            ["suspend", b.address.hex] + w.node + [
                "--keystore", otherStore, "--journal", w.folder.appendingPathComponent("b.jsonl").path,
            ])
        #expect(intruder.status == 2, "\(intruder.output)")
        #expect(intruder.output.contains("is not the admin of marketplace"), "\(intruder.output)")
        #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent("b.jsonl").path))
        #expect(try await w.client.transactionCount(of: b.address) == otherNonce)
        #expect(try await w.status(b) == .active)
    }

    @Test func crashAfterTheJournaledSignatureResumesWithoutASecondTransaction() async throws {
        let w = try await Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let (a, _) = try await w.registered("adesione A")
        let nonce = try await w.adminNonce()

        // The journal's header is record 0, the approval's tx.signed record 1: die right after it.
        let crashed = try await w.admin(
            ["approve", a.address.hex] + w.keyed, environment: ["CER_RUN_CRASH_AFTER": "1"])
        #expect(crashed.status == 86, "\(crashed.output)")
        let attempts = try w.signed()
        #expect(attempts.count == 1)
        let hash = try #require(attempts.first?.data["hash"]?.stringValue)
        #expect(try await w.client.receipt(try Hex.decode(hash)) == nil)
        #expect(try await w.status(a) == .pending)
        #expect(try await w.adminNonce() == nonce)

        // The rerun broadcasts the journaled bytes: the same transaction, one nonce used.
        let resumed = try await w.admin(["approve", a.address.hex, "--json"] + w.keyed)
        #expect(resumed.status == 0, "\(resumed.output)")
        let outcome = try #require(Self.objects(resumed.output).first)
        #expect(outcome["sent"] == .bool(true))
        #expect(outcome["transactionHash"] == .string(hash))
        #expect(try await w.status(a) == .active)
        #expect(try await w.adminNonce() == nonce + 1)
        #expect(try w.signed().count == 1)

        // Killed right after a broadcast (before its receipt is journaled): the change landed,
        // the rerun finds the member suspended and sends nothing.
        let broadcastCrash = try await w.admin(
            ["suspend", a.address.hex] + w.keyed, environment: ["CER_RUN_CRASH_AFTER_BROADCAST": "1"])
        #expect(broadcastCrash.status == 86, "\(broadcastCrash.output)")
        var polls = 0
        while try await w.status(a) != .suspended, polls < 100 {
            polls += 1
            try await Task.sleep(for: .milliseconds(50))
        }
        let sentOnce = try await w.adminNonce()
        #expect(sentOnce == nonce + 2)
        let rerun = try await w.admin(["suspend", a.address.hex, "--json"] + w.keyed)
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(Self.objects(rerun.output).first?["sent"] == .bool(false))
        #expect(try await w.status(a) == .suspended)
        #expect(try await w.adminNonce() == sentOnce)
        #expect(try w.signed().count == 2)
        let records = try Journal.readOnly(w.journal)
        #expect(records.filter { $0.type == JournaledSender.RecordType.mined }.count == 2, "receipt adopted")

        // Killed after signing B's approval; the admin then approves C: B's signed approval is
        // finished first (same bytes, its nonce), then C's is sent.
        let (b, _) = try await w.registered("adesione B")
        let (c, _) = try await w.registered("adesione C")
        let next = try Journal.readOnly(w.journal).count
        let stopped = try await w.admin(
            ["approve", b.address.hex] + w.keyed, environment: ["CER_RUN_CRASH_AFTER": String(next)])
        #expect(stopped.status == 86, "\(stopped.output)")
        let bHash = try #require(w.signed().last?.data["hash"]?.stringValue)
        #expect(try await w.status(b) == .pending)
        let other = try await w.admin(["approve", c.address.hex, "--json"] + w.keyed)
        #expect(other.status == 0, "\(other.output)")
        let both = Self.objects(other.output)
        #expect(both.map { $0["member"]?.stringValue } == [b, c].map { $0.address.checksummed }, "\(other.output)")
        #expect(both.first?["transactionHash"] == .string(bHash))
        #expect(both.first?["message"]?.stringValue?.contains("signed by an earlier run") == true)
        #expect(both.map { $0["sent"] } == [.bool(true), .bool(true)])
        #expect(try await w.status(b) == .active)
        #expect(try await w.status(c) == .active)
        #expect(try await w.adminNonce() == sentOnce + 2)
        #expect(try w.signed().count == 4)
    }

    @Test func concurrentApplyCallsSendOncePerChangeWithConsecutiveNonces() async throws {
        let w = try await Self.world()
        defer { try? FileManager.default.removeItem(at: w.folder) }
        let (a, _) = try await w.registered("adesione A")
        let (b, _) = try await w.registered("adesione B")
        let (c, _) = try await w.registered("adesione C")
        let nonce0 = try await w.adminNonce()
        do {
            // One AdminActions, as `cer-run serve` shares it between requests.
            let settings = MemberSettings(
                rpc: w.fixture.chain.url, chainID: w.fixture.chain.chainID, marketplace: w.market.address,
                journal: w.journal)
            let actions = try await AdminActions.open(settings, key: w.admin)

            // The same approval twice at once: one transaction, the other call finds it done.
            async let first = actions.apply(.approve, to: a.address)
            async let second = actions.apply(.approve, to: a.address)
            let same = try await [first, second]
            #expect(same.filter(\.sent).count == 1, "\(same)")
            #expect(same.filter { !$0.sent }.count == 1, "\(same)")
            #expect(same.allSatisfy { $0.after == .active })
            let unsent = try #require(same.first { !$0.sent })
            #expect(unsent.before == .active && unsent.transactionHash == nil && unsent.step == nil)
            #expect(try await w.status(a) == .active)
            #expect(try await w.adminNonce() == nonce0 + 1)
            #expect(try w.signed().count == 1)

            // Two members at once: both land, on consecutive nonces.
            async let forB = actions.apply(.approve, to: b.address)
            async let forC = actions.apply(.approve, to: c.address)
            let both = try await [forB, forC]
            #expect(both.allSatisfy { $0.sent && $0.before == .pending && $0.after == .active }, "\(both)")
            #expect(try await w.status(b) == .active)
            #expect(try await w.status(c) == .active)
            #expect(try await w.adminNonce() == nonce0 + 3)
            var nonces = [UInt64]()
            for outcome in both {
                let hash = try Hex.decode(try #require(outcome.transactionHash))
                let receipt = try #require(try await w.client.receipt(hash))
                #expect(receipt.succeeded)
                nonces.append(try #require(try await w.client.transaction(hash)).nonce)
            }
            #expect(nonces.sorted() == [nonce0 + 1, nonce0 + 2])
            let steps = try w.signed().compactMap { $0.data["step"]?.stringValue }
            #expect(Set(steps) == Set(same.compactMap(\.step) + both.compactMap(\.step)) && steps.count == 3)

            // While it is open (as while `cer-run serve` with admin enabled runs), the command
            // with the same key and journal is refused and sends nothing.
            let (d, _) = try await w.registered("adesione D")
            let busy = try await w.admin(["approve", d.address.hex] + w.keyed)
            #expect(busy.status == 2, "\(busy.output)")
            #expect(busy.output.contains("is in use by another cer-run"), "\(busy.output)")
            #expect(busy.output.contains("stop serve"), "\(busy.output)")
            #expect(try await w.status(d) == .pending)
            #expect(try await w.adminNonce() == nonce0 + 3)
            withExtendedLifetime(actions) {}
        }
    }
}
