import BigInt
import Chain
import Market
import Testing

/// Regressions for the findings of an independent security review of the contracts.
@Suite struct MarketSecurityTests: MarketRevertSuite {
    /// A settled member's word once ended in the "committed" flag, so anyone could "forfeit" it
    /// again and drain its locked funds of a later session into the treasury.
    @Test func forfeitCannotTouchSettledMembersOfAPastSession() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        try await f.onboard([seller, buyer], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        try await f.market.setPriorSessionValidation(false, sender: f.admin)
        let (first, params, sellerSalt, buyerSalt) = try await f.revealedPair(
            seller: seller, buyer: buyer, sell: Self.sell, buy: Self.buy)
        let fill = [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120_000)]
        try await f.market.setFinalOrders(
            sessionID: first,
            [f.fillsEntry(seller, Self.sell, sellerSalt, fill), f.fillsEntry(buyer, Self.buy, buyerSalt, fill)],
            sender: f.operatorSender)
        try await f.market.finalizeClearing(sessionID: first, clearingPrices: [120_000], sender: f.operatorSender)
        try await f.travel(to: params.deliveryEnd)
        try await f.market.setValidTransactions(
            sessionID: first,
            [
                MemberDeliveriesEntry(
                    member: f.keys[seller].address, orders: Self.sell, fills: fill, delivered: [1_000]),
                MemberDeliveriesEntry(member: f.keys[buyer].address, orders: Self.buy, fills: fill, delivered: [1_000]),
            ], sender: f.operatorSender)
        try await f.market.finalizeValidation(sessionID: first, sender: f.operatorSender)
        try await f.market.settleBatch(
            sessionID: first, members: [f.keys[seller].address, f.keys[buyer].address], sender: f.operatorSender)

        let (second, _) = try await f.openSession(slots: 1)
        _ = try await f.commitSealed(second, seller, Self.sell)
        _ = try await f.commitSealed(second, buyer, Self.buy)
        let before = (try await f.market.checkFunds(f.keys[seller].address), try await f.market.treasury())
        // A stranger "forfeits" the settled members of the first session: nothing may happen.
        try await f.market.forfeitUnrevealed(
            sessionID: first, members: [f.keys[seller].address, f.keys[buyer].address], sender: f.sender(6))
        let after = (try await f.market.checkFunds(f.keys[seller].address), try await f.market.treasury())
        #expect(after.0.locked == before.0.locked)
        #expect(after.0.locked == 5_000_000)
        #expect(after.1 == before.1)
        try await f.checkConservation(members: [seller, buyer], sessions: [first, second])
    }

    @Test func cancelledSessionDepositsCannotBeForfeited() async throws {
        let f = try await MarketFixture.make()
        try await f.onboard([2], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        _ = try await f.commitSealed(id, 2, Self.sell)
        try await f.market.cancelSession(sessionID: id, reason: "test", sender: f.admin)
        try await f.travel(to: params.revealDeadline)
        await expectRevert("WrongState") {
            try await f.market.forfeitUnrevealed(sessionID: id, members: [f.keys[2].address], sender: f.sender(6))
        }
        try await f.market.releaseCancelled(
            sessionID: id,
            [
                MemberFillsEntry(
                    member: f.keys[2].address, orders: [], salt: [UInt8](repeating: 0, count: 32), fills: [])
            ],
            sender: f.sender(6))
        try await f.expectFunds(2, available: 50 * Self.unit, locked: 0)
    }

    /// Someone copies one relayed authorisation and submits it first: the operator's batch must
    /// still go through for everyone (the copied entry is skipped, its effect already done).
    @Test func frontRunRelayedAuthorisationDoesNotBlockTheBatch() async throws {
        let f = try await MarketFixture.make()
        let members = [2, 3]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let auths = try members.map { i in
            try CommitAuthorization.sign(
                key: f.keys[i], chainID: f.chain.chainID, marketplace: f.market.address, sessionID: id,
                commitment: try f.sealedCommitment(id, i, Self.buy, Commitment.randomSalt()),
                deadline: params.commitDeadline)
        }
        try await f.market.submitCommitmentsBySig(sessionID: id, [auths[0]], sender: f.sender(6))
        let receipt = try await f.market.submitCommitmentsBySig(sessionID: id, auths, sender: f.operatorSender)
        #expect(try await f.market.session(id).commits == 2)
        let skipped = f.market.contract.events(in: receipt).filter { $0.event.name == "RelaySkipped" }
        #expect(skipped.count == 1)
        #expect(skipped.first?["member"] == .value(.address(f.keys[2].address)))
    }

    @Test func revealSizeIsBounded() async throws {
        let f = try await MarketFixture.make()
        try await f.onboard([2], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let tooMany = (0..<17).map { _ in MarketOrder(slot: 0, side: .sell, quantityWh: 1, limitPrice: 1) }
        let salt = try await f.commitSealed(id, 2, tooMany)
        try await f.travel(to: params.commitDeadline)
        let caught = await expectRevert("TooManyOrders") {
            try await f.market.revealOrders(sessionID: id, orders: tooMany, salt: salt, sender: f.sender(2))
        }
        #expect(caught?["maximum"] == .uint(16))
    }
}
