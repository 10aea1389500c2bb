import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// Member and admin journals belong to one chain, named by its chain id and its genesis (block
/// 0's hash): a restarted dev chain keeps the chain id — and, deployed by the same dev account,
/// the marketplace's address — but not its genesis. Two dev chains of their own with the same
/// chain id and different genesis times stand for "the chain before and after a restart".
@Suite(.serialized) struct MemberJournalGenesisTests {
    typealias CLI = MemberCommandTests

    /// A dev chain of its own with a marketplace deployed by dev account 0.
    struct World {
        let chain: DevChainProcess
        let keys: [PrivateKey]
        let market: Address
        let genesis: String
        let adminStore: String
        let memberStore: String

        var client: EthClient { chain.client() }

        /// `--rpc --chain-id --marketplace --keystore --journal` for `store`.
        func options(_ store: String, journal: URL) -> [String] {
            CLI.common(chain: chain, market: market, keystore: store, journal: journal)
        }
    }

    /// Starts a chain whose block 0 has `genesisTime` and deploys with dev account 0 (a deploy
    /// journal of this chain's own, so the deployment is really sent).
    static func world(genesisTime: Int64, folder: URL, name: String) async throws -> World {
        var options = DevChainOptions()
        options.genesisTime = genesisTime
        let chain = try await DevChainProcess.start(options)
        do {
            let keys = try await chain.accountKeys()
            let adminStore = try CLI.keystore(keys[0], in: folder, name: "admin")
            let memberStore = try CLI.keystore(keys[2], in: folder, name: "member")
            let deployed = try await CLI.cli(
                [
                    "deploy", "--rpc", chain.url.absoluteString, "--chain-id", String(chain.chainID), "--keystore",
                    adminStore, "--operator", keys[1].address.hex, "--journal",
                    folder.appendingPathComponent("deploy-\(name).jsonl").path, "--json",
                ], in: folder)
            #expect(deployed.status == 0, "\(deployed.output)")
            let json = try #require(AdminMembersTests.objects(deployed.output).last)
            let market = try Address(json["marketplace"]?.stringValue ?? "")
            let block = try #require(try await chain.client().block(.number(0)))
            return World(
                chain: chain, keys: keys, market: market, genesis: block.hash.hex, adminStore: adminStore,
                memberStore: memberStore)
        } catch {
            chain.stop()
            throw error
        }
    }

    /// `members(member)`'s status on `world`'s marketplace.
    static func status(_ member: Address, in world: World) async throws -> MemberStatus {
        let abi = try ArtifactStore.locate().artifact("Marketplace").abi
        let contract = MarketplaceContract(contract: Contract(address: world.market, abi: abi, client: world.client))
        return try await contract.member(member).status
    }

    /// Writes `document` into `folder` and returns `--document PATH`.
    static func document(_ folder: URL) throws -> [String] {
        let url = folder.appendingPathComponent("adesione.pdf")
        try Data("contratto di adesione, firmato".utf8).write(to: url)
        return ["--document", url.path]
    }

    @Test func journalsOfARestartedChainAreRefusedAndNothingIsSent() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Int64(Date().timeIntervalSince1970)
        let memberJournal = folder.appendingPathComponent("member.jsonl")
        let adminJournal = folder.appendingPathComponent("admin.jsonl")
        let document = try Self.document(folder)

        // The first chain: the member registers; the admin's approval is signed and journaled,
        // then the command dies before the broadcast.
        let before = try await Self.world(genesisTime: now - 86_400, folder: folder, name: "before")
        let registered = try await CLI.cli(
            ["member", "register"] + document + before.options(before.memberStore, journal: memberJournal),
            in: folder)
        #expect(registered.status == 0, "\(registered.output)")
        let header = try #require(try Journal.readOnly(memberJournal).first)
        #expect(header.type == MemberConnection.RecordType.header)
        #expect(header.data["genesis"] == .string(before.genesis))
        let member = before.keys[2].address
        let crashed = try await CLI.cli(
            ["admin", "members", "approve", member.hex] + before.options(before.adminStore, journal: adminJournal),
            in: folder, environment: ["CER_RUN_CRASH_AFTER": "1"])
        #expect(crashed.status == 86, "\(crashed.output)")
        let adminRecords = try Journal.readOnly(adminJournal)
        #expect(adminRecords.first?.data["genesis"] == .string(before.genesis))
        let signed = try #require(adminRecords.first { $0.type == JournaledSender.RecordType.signed })
        let hash = try Hex.decode(try #require(signed.data["hash"]?.stringValue))
        before.chain.stop()

        // "Restarted": same chain id, same deployer, so the marketplace has the same address.
        let after = try await Self.world(genesisTime: now - 2 * 86_400, folder: folder, name: "after")
        defer { after.chain.stop() }
        #expect(after.chain.chainID == before.chain.chainID)
        #expect(after.market == before.market)
        #expect(after.genesis != before.genesis)
        let memberNonce = try await after.client.transactionCount(of: member)
        let adminNonce = try await after.client.transactionCount(of: after.keys[0].address)
        let memberCount = try Journal.readOnly(memberJournal).count
        let adminCount = try Journal.readOnly(adminJournal).count

        let refused = try await CLI.cli(
            ["member", "register"] + document + after.options(after.memberStore, journal: memberJournal),
            in: folder)
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("the journal \(memberJournal.path) was written on another chain"))
        #expect(refused.output.contains("Move the journal away or pass another --journal; nothing was sent"))
        #expect(refused.output.contains(before.genesis) && refused.output.contains(after.genesis))
        #expect(try await after.client.transactionCount(of: member) == memberNonce)
        #expect(try await Self.status(member, in: after) == .none)

        // The deploy journal of the old chain is refused too (it would report contracts that are
        // not on this chain), with nothing sent.
        let deployerNonce = try await after.client.transactionCount(of: after.keys[0].address)
        let redeploy = try await CLI.cli(
            [
                "deploy", "--rpc", after.chain.url.absoluteString, "--chain-id", String(after.chain.chainID),
                "--keystore", after.adminStore, "--operator", after.keys[1].address.hex, "--journal",
                folder.appendingPathComponent("deploy-before.jsonl").path,
            ], in: folder)
        #expect(redeploy.status == 2, "\(redeploy.output)")
        #expect(redeploy.output.contains("was written on another chain"), "\(redeploy.output)")
        #expect(try await after.client.transactionCount(of: after.keys[0].address) == deployerNonce)

        // A deploy journal from before the header existed is bound only when the node has the
        // transactions it records as mined: one of another chain is refused, nothing sent.
        let legacy = folder.appendingPathComponent("deploy-legacy.jsonl")
        do {
            let journal = try Journal.open(legacy)
            try journal.append(
                JournaledSender.RecordType.mined,
                [
                    "step": "deploy/token", "hash": .string(Hex.encode(Keccak256.hash("not on this chain"))),
                    "block": .int(1), "status": .int(1),
                ])
        }
        let fromLegacy = try await CLI.cli(
            [
                "deploy", "--rpc", after.chain.url.absoluteString, "--chain-id", String(after.chain.chainID),
                "--keystore", after.adminStore, "--operator", after.keys[1].address.hex, "--journal", legacy.path,
            ], in: folder)
        #expect(fromLegacy.status == 2, "\(fromLegacy.output)")
        #expect(fromLegacy.output.contains("which the node does not have"), "\(fromLegacy.output)")
        #expect(try Journal.readOnly(legacy).count == 1, "nothing was added to the legacy journal")
        #expect(try await after.client.transactionCount(of: after.keys[0].address) == deployerNonce)

        // The admin journal's signed approval of the first chain is never broadcast here.
        let adminRefused = try await CLI.cli(
            ["admin", "members", "approve", member.hex] + after.options(after.adminStore, journal: adminJournal),
            in: folder)
        #expect(adminRefused.status == 2, "\(adminRefused.output)")
        #expect(adminRefused.output.contains("the journal \(adminJournal.path) was written on another chain"))
        #expect(try await after.client.transactionCount(of: after.keys[0].address) == adminNonce)
        #expect(try await after.client.receipt(hash) == nil)
        #expect(try await after.client.transaction(hash) == nil)

        // Neither journal was written to; a journal of its own works on the new chain.
        #expect(try Journal.readOnly(memberJournal).count == memberCount)
        #expect(try Journal.readOnly(adminJournal).count == adminCount)
        let fresh = try await CLI.cli(
            ["member", "register"] + document
                + after.options(after.memberStore, journal: folder.appendingPathComponent("member-after.jsonl")),
            in: folder)
        #expect(fresh.status == 0, "\(fresh.output)")
        #expect(try await after.client.transactionCount(of: member) == memberNonce + 1)
    }

    @Test func aJournalWithoutGenesisIsBoundToTheChainItIsOpenedOn() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Int64(Date().timeIntervalSince1970)
        let first = try await Self.world(genesisTime: now - 3 * 86_400, folder: folder, name: "first")
        defer { first.chain.stop() }
        let second = try await Self.world(genesisTime: now - 4 * 86_400, folder: folder, name: "second")
        defer { second.chain.stop() }
        #expect(first.genesis != second.genesis && first.market == second.market)
        let member = first.keys[2].address

        // A journal as written before the genesis was recorded: its header has none.
        let journal = folder.appendingPathComponent("legacy.jsonl")
        do {
            let old = try Journal.open(journal)
            try old.append(
                MemberConnection.RecordType.header,
                ["address": .string(member.hex), "chainId": .int(Int64(first.chain.chainID))])
        }
        let document = try Self.document(folder)
        let registered = try await CLI.cli(
            ["member", "register"] + document + first.options(first.memberStore, journal: journal), in: folder)
        #expect(registered.status == 0, "\(registered.output)")
        var records = try Journal.readOnly(journal)
        #expect(records.first?.data["genesis"] == nil, "the header stays as it was")
        // Bound (fsynced) before anything was signed: record 1, ahead of the registration.
        #expect(records.dropFirst().first?.type == MemberConnection.RecordType.genesis)
        #expect(records.dropFirst().first?.data["genesis"] == .string(first.genesis))
        #expect(records.contains { $0.type == JournaledSender.RecordType.signed })

        // Opened again on the same chain: accepted, no second binding.
        let again = try await CLI.cli(
            ["member", "register"] + document + first.options(first.memberStore, journal: journal), in: folder)
        #expect(again.status == 0 && again.output.contains("nothing sent"), "\(again.output)")
        records = try Journal.readOnly(journal)
        #expect(records.filter { $0.type == MemberConnection.RecordType.genesis }.count == 1)

        // On the other chain with the same id: refused, nothing sent, nothing written.
        let nonce = try await second.client.transactionCount(of: member)
        let refused = try await CLI.cli(
            ["member", "register"] + document + second.options(second.memberStore, journal: journal), in: folder)
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("the journal \(journal.path) was written on another chain"))
        #expect(try await second.client.transactionCount(of: member) == nonce)
        #expect(try Journal.readOnly(journal).count == records.count)

        // The library says the same (MemberError.refused: exit 2).
        let settings = MemberSettings(
            rpc: second.chain.url, chainID: second.chain.chainID, marketplace: second.market, journal: journal)
        do {
            _ = try await MemberConnection.open(settings, key: second.keys[2])
            Issue.record("a journal of another chain was opened")
        } catch let error as MemberError {
            #expect(error.nothingSent && error.description.contains("was written on another chain"), "\(error)")
        }
        #expect(try Journal.readOnly(journal).count == records.count)
    }
}
