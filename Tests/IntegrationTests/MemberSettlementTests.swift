import BigInt
import Chain
import DevChain
import Foundation
import Market
import Testing

/// A seller trading with `cer-run member` through a whole session: its participation words as
/// the operator (bindings) clears and validates, then `execute` and `withdraw --all` on its own.
@Suite(.serialized) struct MemberSettlementTests {
    typealias CLI = MemberCommandTests

    @Test func sellerCollectsAndWithdrawsOnItsOwn() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        try await f.onboard([seller, buyer], mint: 20 * MarketFixture.unit, deposit: 10 * MarketFixture.unit)
        let (id, params) = try await f.openSession()
        let store = try CLI.keystore(f.keys[seller], in: folder, name: "seller")
        let common = CLI.common(
            chain: f.chain, market: f.market.address, keystore: store,
            journal: folder.appendingPathComponent("seller.jsonl"))
        func status() async throws -> JSONValue? {
            let out = try await CLI.cli(["member", "status", "--session", String(id), "--json"] + common, in: folder)
            #expect(out.status == 0, "\(out.output)")
            let line = out.output.split(separator: "\n").last.map(String.init) ?? ""
            return try JSONValue.parse(Data(line.utf8))["session"]?["participation"]
        }

        // The seller offers 1 kWh in slot 0 at 0.10 or more; the buyer bids 0.15 (bindings).
        let orders = folder.appendingPathComponent("offer.yaml")
        try "- {slot: 0, side: sell, kwh: \"1\", price: \"0.10\"}\n".write(
            to: orders, atomically: true, encoding: .utf8)
        let commit = try await CLI.cli(
            ["member", "commit", "--session", String(id), "--orders", orders.path] + common, in: folder)
        #expect(commit.status == 0, "\(commit.output)")
        let bid = [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 150_000)]
        let buyerSalt = Commitment.randomSalt()
        try await f.market.submitCommitment(
            sessionID: id,
            commitment: try Commitment.compute(
                chainID: f.chain.chainID, marketplace: f.market.address, sessionID: id,
                member: f.keys[buyer].address, orders: bid, salt: buyerSalt),
            sender: f.sender(buyer))
        try await f.travel(to: params.commitDeadline)
        let reveal = try await CLI.cli(["member", "reveal", "--session", String(id)] + common, in: folder)
        #expect(reveal.status == 0, "\(reveal.output)")
        try await f.market.revealOrders(sessionID: id, orders: bid, salt: buyerSalt, sender: f.sender(buyer))

        // The operator clears at 0.12 from the revealed book (the seller's salt comes from its
        // OrdersRevealed event).
        try await f.travel(to: params.revealDeadline)
        let book = try await f.market.revealedOrders(sessionID: id)
        let sellerEntry = try #require(book.first { $0.member == f.keys[seller].address })
        #expect(sellerEntry.orders == [MarketOrder(slot: 0, side: .sell, quantityWh: 1_000, limitPrice: 100_000)])
        let fill = [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120_000)]
        try await f.market.setFinalOrders(
            sessionID: id,
            [
                MemberFillsEntry(
                    member: f.keys[seller].address, orders: sellerEntry.orders, salt: sellerEntry.salt, fills: fill),
                MemberFillsEntry(member: f.keys[buyer].address, orders: bid, salt: buyerSalt, fills: fill),
            ], sender: f.operatorSender)
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000, 0], sender: f.operatorSender)
        #expect(try await status() == .array(["committed", "revealed", "cleared"]))
        let early = try await CLI.cli(["member", "execute", "--session", String(id)] + common, in: folder)
        #expect(early.status == 2, "\(early.output)")
        #expect(early.output.contains("not validated yet"))

        // Delivered in full; validated.
        try await f.travel(to: params.deliveryEnd)
        try await f.market.setValidTransactions(
            sessionID: id,
            [
                MemberDeliveriesEntry(
                    member: f.keys[seller].address, orders: sellerEntry.orders, fills: fill, delivered: [1_000]),
                MemberDeliveriesEntry(member: f.keys[buyer].address, orders: bid, fills: fill, delivered: [1_000]),
            ], sender: f.operatorSender)
        try await f.market.finalizeValidation(sessionID: id, sender: f.operatorSender)
        #expect(try await status() == .array(["committed", "revealed", "cleared", "validated"]))

        // Execute: the seller is paid 1000 Wh × 0.12 = 120_000 base units; again sends nothing.
        let before = try await f.market.checkFunds(f.keys[seller].address)
        let execute = try await CLI.cli(["member", "execute", "--session", String(id)] + common, in: folder)
        #expect(execute.status == 0, "\(execute.output)")
        #expect(try await f.market.checkFunds(f.keys[seller].address).available == before.available + 120_000)
        #expect(try await status() == .array(["committed", "revealed", "cleared", "validated", "settled"]))
        let nonce = try await f.client.transactionCount(of: f.keys[seller].address)
        let again = try await CLI.cli(["member", "execute", "--session", String(id)] + common, in: folder)
        #expect(again.status == 0 && again.output.contains("nothing sent"), "\(again.output)")
        #expect(try await f.client.transactionCount(of: f.keys[seller].address) == nonce)

        // Withdraw everything to the wallet; with nothing left, a new withdrawal is refused.
        let available = try await f.market.checkFunds(f.keys[seller].address).available
        let wallet = try await f.token.balance(of: f.keys[seller].address)
        let withdraw = try await CLI.cli(["member", "withdraw", "--all"] + common, in: folder)
        #expect(withdraw.status == 0, "\(withdraw.output)")
        #expect(try await f.token.balance(of: f.keys[seller].address) == wallet + available)
        #expect(try await f.market.checkFunds(f.keys[seller].address).available == 0)
        let empty = try await CLI.cli(["member", "withdraw", "--all", "--ref", "second"] + common, in: folder)
        #expect(empty.status == 2, "\(empty.output)")
        #expect(empty.output.contains("no available funds"))
        try await f.checkConservation(members: [seller, buyer], sessions: [id])
    }
}

/// `cer-run deploy --token` with a token that has neither `decimals()` nor EIP-2612: the member
/// must pass `--decimals`, and its deposit falls back to approve + deposit.
@Suite(.serialized) struct MemberPlainTokenTests {
    typealias CLI = MemberCommandTests

    @Test func depositWithoutPermitApprovesThenDeposits() async throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let chain = try await DevChainProcess.start()
        defer { chain.stop() }
        let client = chain.client()
        let keys = try await chain.accountKeys()
        let admin = TransactionSender(client: client, key: keys[0], chainID: chain.chainID)
        let artifacts = try ArtifactStore.locate()
        let (plain, _) = try await admin.deploy(try artifacts.artifact("NoReturnToken"))
        let deploy = try await CLI.cli(
            [
                "deploy", "--rpc", chain.url.absoluteString, "--chain-id", String(chain.chainID), "--keystore",
                try CLI.keystore(keys[0], in: folder, name: "admin"), "--token", plain.address.hex, "--journal",
                folder.appendingPathComponent("deploy.jsonl").path, "--json",
            ], in: folder)
        #expect(deploy.status == 0, "\(deploy.output)")
        let json = try JSONValue.parse(Data((deploy.output.split(separator: "\n").last.map(String.init) ?? "").utf8))
        #expect(json["token"]?.stringValue == plain.address.checksummed)
        let market = MarketplaceContract(
            contract: Contract(
                address: try Address(json["marketplace"]?.stringValue ?? ""),
                abi: try artifacts.artifact("Marketplace").abi, client: client))
        #expect(try await market.contract.call("token").first?.addressValue == plain.address)

        let member = keys[2]
        try await market.registerUser(
            adhesionDocHash: Keccak256.hash("adesione"),
            sender: TransactionSender(
                client: client, key: member, chainID: chain.chainID))
        try await market.approveMember(member.address, sender: admin)
        try await TokenContract(contract: plain).mint(to: member.address, amount: 3_000_000, sender: admin)
        let common = CLI.common(
            chain: chain, market: market.address, keystore: try CLI.keystore(member, in: folder, name: "member"),
            journal: folder.appendingPathComponent("member.jsonl"))
        let noDecimals = try await CLI.cli(["member", "deposit", "2"] + common, in: folder)
        #expect(noDecimals.status == 2, "\(noDecimals.output)")
        #expect(noDecimals.output.contains("pass --decimals"))

        let nonce = try await client.transactionCount(of: member.address)
        let deposit = try await CLI.cli(["member", "deposit", "2.5", "--decimals", "6"] + common, in: folder)
        #expect(deposit.status == 0, "\(deposit.output)")
        #expect(try await client.transactionCount(of: member.address) == nonce + 2)
        #expect(try await market.checkFunds(member.address).available == 2_500_000)
        let again = try await CLI.cli(["member", "deposit", "2.5", "--decimals", "6"] + common, in: folder)
        #expect(again.status == 0 && again.output.contains("nothing sent"), "\(again.output)")
        #expect(try await client.transactionCount(of: member.address) == nonce + 2)
    }
}
