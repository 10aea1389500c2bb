import BigInt
import Chain
import Market
import Testing

/// Reverts of clearing and validation publication, and of settlement.
/// Each is asserted by its custom error name and arguments. Member 2 sells, member 3 buys unless
/// a test says otherwise. Money in base units.
@Suite struct MarketPublicationRevertTests: MarketRevertSuite {

    @Test func fillsMustRespectLimitsAndOrderQuantities() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        let members = [seller, buyer]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params, sellerSalt, buyerSalt) = try await f.revealedPair(
            seller: seller, buyer: buyer, sell: Self.sell, buy: Self.buy)
        func sellerFills(_ fills: [MarketFill]) -> MemberFillsEntry {
            f.fillsEntry(seller, Self.sell, sellerSalt, fills)
        }
        func buyerFills(_ fills: [MarketFill]) -> MemberFillsEntry { f.fillsEntry(buyer, Self.buy, buyerSalt, fills) }
        let fair = MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120_000)

        let aboveLimit = await expectRevert("FillAboveLimit") {
            try await f.market.setFinalOrders(
                sessionID: id,
                [sellerFills([fair]), buyerFills([.init(orderIndex: 0, quantityWh: 1_000, price: 150_001)])],
                sender: f.operatorSender)
        }
        #expect(aboveLimit?["member"] == .address(f.keys[buyer].address))
        #expect(aboveLimit?["orderIndex"] == .unsigned(0))
        #expect(aboveLimit?["price"] == .unsigned(150_001))
        #expect(aboveLimit?["limitPrice"] == .unsigned(150_000))

        let belowLimit = await expectRevert("FillBelowLimit") {
            try await f.market.setFinalOrders(
                sessionID: id, [sellerFills([.init(orderIndex: 0, quantityWh: 1_000, price: 99_999)])],
                sender: f.operatorSender)
        }
        #expect(belowLimit?["member"] == .address(f.keys[seller].address))
        #expect(belowLimit?["price"] == .unsigned(99_999))
        #expect(belowLimit?["limitPrice"] == .unsigned(100_000))

        let tooLarge = await expectRevert("FillExceedsOrder") {
            try await f.market.setFinalOrders(
                sessionID: id, [sellerFills([.init(orderIndex: 0, quantityWh: 1_001, price: 120_000)])],
                sender: f.operatorSender)
        }
        #expect(tooLarge?["member"] == .address(f.keys[seller].address))
        #expect(tooLarge?["fillQuantity"] == .unsigned(1_001))
        #expect(tooLarge?["orderQuantity"] == .unsigned(1_000))
        // The rejected chunks changed nothing.
        #expect(try await f.market.session(id).cleared == 0)
        try await f.expectFunds(buyer, available: 50 * Self.unit - 150_000, locked: 150_000)

        // A chunk with the seller only; finalising before the buyer is cleared is refused.
        try await f.market.setFinalOrders(sessionID: id, [sellerFills([fair])], sender: f.operatorSender)
        try await f.checkConservation(members: members, sessions: [id])
        let notCleared = await expectRevert("MembersNotCleared") {
            try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        }
        #expect(notCleared?["cleared"] == .unsigned(1))
        #expect(notCleared?["revealed"] == .unsigned(2))

        try await f.market.setFinalOrders(sessionID: id, [buyerFills([fair])], sender: f.operatorSender)
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        #expect(try await f.market.session(id).state == .cleared)
        // Fully filled: the seller's bond and the buyer's limit collateral stay locked.
        try await f.expectFunds(seller, available: 50 * Self.unit - 50_000, locked: 50_000)
        try await f.expectFunds(buyer, available: 50 * Self.unit - 150_000, locked: 150_000)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func unbalancedSlotIsRejectedAtFinalizeClearing() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        let members = [seller, buyer]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params, sellerSalt, buyerSalt) = try await f.revealedPair(
            seller: seller, buyer: buyer, sell: Self.sell, buy: Self.buy)

        // The seller sells 1000 Wh, the buyer buys 600 Wh: slot 0 is 400 Wh short of buyers.
        try await f.market.setFinalOrders(
            sessionID: id,
            [
                f.fillsEntry(seller, Self.sell, sellerSalt, [.init(orderIndex: 0, quantityWh: 1_000, price: 120_000)]),
                f.fillsEntry(buyer, Self.buy, buyerSalt, [.init(orderIndex: 0, quantityWh: 600, price: 120_000)]),
            ], sender: f.operatorSender)
        // Buyer: 400 Wh unfilled releases 400 × 0.15 = 60_000.
        try await f.expectFunds(buyer, available: 50 * Self.unit - 90_000, locked: 90_000)
        try await f.checkConservation(members: members, sessions: [id])

        let wrongCount = await expectRevert("WrongPriceCount") {
            try await f.market.finalizeClearing(
                sessionID: id, clearingPrices: [120_000, 120_000], sender: f.operatorSender)
        }
        #expect(wrongCount?["given"] == .unsigned(2))
        #expect(wrongCount?["slots"] == .unsigned(1))
        let unbalanced = await expectRevert("UnbalancedSlots") {
            try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        }
        #expect(unbalanced?["sessionId"] == .unsigned(id))
        #expect(unbalanced?["unbalancedSlots"] == .unsigned(1))
        #expect(try await f.market.session(id).state == .open)
        // A cleared member cannot be published again to repair the slot.
        await expectRevert("NotRevealed") {
            try await f.market.setFinalOrders(
                sessionID: id,
                [f.fillsEntry(buyer, Self.buy, buyerSalt, [.init(orderIndex: 0, quantityWh: 400, price: 120_000)])],
                sender: f.operatorSender)
        }
    }

    @Test func deliveriesPenaltiesAndSettlement() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        let members = [seller, buyer]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params, sellerSalt, buyerSalt) = try await f.revealedPair(
            seller: seller, buyer: buyer, sell: Self.sell, buy: Self.buy)
        let fills = [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120_000)]
        try await f.market.setFinalOrders(
            sessionID: id,
            [f.fillsEntry(seller, Self.sell, sellerSalt, fills), f.fillsEntry(buyer, Self.buy, buyerSalt, fills)],
            sender: f.operatorSender)
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        try await f.checkConservation(members: members, sessions: [id])
        try await f.travel(to: params.deliveryEnd)
        func sellerDelivers(_ delivered: UInt64, penalty: BigUInt = 0) -> MemberDeliveriesEntry {
            .init(
                member: f.keys[seller].address, orders: Self.sell, fills: fills, delivered: [delivered],
                penalty: penalty)
        }
        func buyerDelivers(_ delivered: UInt64, penalty: BigUInt = 0) -> MemberDeliveriesEntry {
            .init(
                member: f.keys[buyer].address, orders: Self.buy, fills: fills, delivered: [delivered], penalty: penalty)
        }

        let overDelivered = await expectRevert("DeliveredExceedsFill") {
            try await f.market.setValidTransactions(
                sessionID: id, [sellerDelivers(1_000), buyerDelivers(1_001)], sender: f.operatorSender)
        }
        #expect(overDelivered?["member"] == .address(f.keys[buyer].address))
        #expect(overDelivered?["fillIndex"] == .unsigned(0))
        #expect(overDelivered?["delivered"] == .unsigned(1_001))
        #expect(overDelivered?["filled"] == .unsigned(1_000))

        // The buyer locked 150_000 and pays 120_000: at most 30_000 of penalty.
        let buyerPenalty = await expectRevert("PenaltyTooHigh") {
            try await f.market.setValidTransactions(
                sessionID: id, [buyerDelivers(1_000, penalty: 30_001)], sender: f.operatorSender)
        }
        #expect(buyerPenalty?["member"] == .address(f.keys[buyer].address))
        #expect(buyerPenalty?["penalty"] == .unsigned(30_001))
        #expect(buyerPenalty?["maximum"] == .unsigned(30_000))
        // The seller locked a 50_000 bond and pays nothing.
        let sellerPenalty = await expectRevert("PenaltyTooHigh") {
            try await f.market.setValidTransactions(
                sessionID: id, [sellerDelivers(1_000, penalty: 50_001)], sender: f.operatorSender)
        }
        #expect(sellerPenalty?["maximum"] == .unsigned(50_000))
        #expect(try await f.market.session(id).validated == 0)

        try await f.market.setValidTransactions(
            sessionID: id, [sellerDelivers(1_000), buyerDelivers(1_000)], sender: f.operatorSender)
        try await f.expectFunds(buyer, available: 50 * Self.unit - 120_000, locked: 0)
        try await f.expectFunds(seller, available: 50 * Self.unit, locked: 0)
        #expect(try await f.market.session(id).pool == 120_000)
        try await f.checkConservation(members: members, sessions: [id])
        try await f.market.finalizeValidation(sessionID: id, sender: f.operatorSender)
        #expect(try await f.market.session(id).state == .validated)
        try await f.checkConservation(members: members, sessions: [id])

        try await f.market.execute(sessionID: id, sender: f.sender(seller))
        try await f.expectFunds(seller, available: 50 * Self.unit + 120_000, locked: 0)
        try await f.checkConservation(members: members, sessions: [id])
        let twice = await expectRevert("AlreadySettled") {
            try await f.market.execute(sessionID: id, sender: f.sender(seller))
        }
        #expect(twice?["sessionId"] == .unsigned(id))
        #expect(twice?["member"] == .address(f.keys[seller].address))
        try await f.expectFunds(seller, available: 50 * Self.unit + 120_000, locked: 0)

        try await f.market.execute(sessionID: id, sender: f.sender(buyer))
        let settled = try await f.market.session(id)
        #expect(settled.state == .settled)
        #expect(settled.pool == 0)
        try await f.checkConservation(members: members, sessions: [id])
    }
}
