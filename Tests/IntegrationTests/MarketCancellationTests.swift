import BigInt
import Chain
import Market
import Testing

/// A session whose clearing can never balance is cancelled by the admin and every member gets
/// back exactly what it had locked — whatever stage each one had reached.
@Suite struct MarketCancellationTests {
    @Test func stuckClearingIsCancelledAndEveryLockReturned() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer, late, absent) = (2, 3, 4, 5)
        let everyone = [seller, buyer, late, absent]
        try await f.onboard(everyone, mint: 100 * MarketFixture.unit, deposit: 50 * MarketFixture.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let orders: [Int: [MarketOrder]] = [
            seller: [.init(slot: 0, side: .sell, quantityWh: 2_000, limitPrice: 100_000)],
            buyer: [.init(slot: 0, side: .buy, quantityWh: 2_000, limitPrice: 200_000)],
            late: [.init(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 300_000)],
            absent: [.init(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 300_000)],
        ]
        var salts = [Int: [UInt8]]()
        for i in everyone {
            salts[i] = Commitment.randomSalt()
            let commitment = try Commitment.compute(
                chainID: f.chain.chainID, marketplace: f.market.address, sessionID: id, member: f.keys[i].address,
                orders: orders[i]!, salt: salts[i]!)
            try await f.market.submitCommitment(sessionID: id, commitment: commitment, sender: f.sender(i))
        }
        try await f.travel(to: params.commitDeadline)
        for i in [seller, buyer, late] {
            try await f.market.revealOrders(sessionID: id, orders: orders[i]!, salt: salts[i]!, sender: f.sender(i))
        }
        try await f.travel(to: params.revealDeadline)
        // A faulty chunk: the seller is cleared alone, so slot 0 can never balance again.
        let sellerFills = [MarketFill(orderIndex: 0, quantityWh: 2_000, price: 150_000)]
        try await f.market.setFinalOrders(
            sessionID: id,
            [
                MemberFillsEntry(
                    member: f.keys[seller].address, orders: orders[seller]!, salt: salts[seller]!, fills: sellerFills)
            ],
            sender: f.operatorSender)
        await #expect(throws: SendError.self) {
            try await f.market.finalizeClearing(sessionID: id, clearingPrices: [150_000], sender: f.operatorSender)
        }
        // Locked now: seller 100_000 (2 kWh of bond), buyer 400_000, late buyer 300_000, absent 5 CEUR deposit.
        try await f.expectFunds(seller, available: 49_900_000, locked: 100_000)
        try await f.expectFunds(absent, available: 45_000_000, locked: 5_000_000)

        // Only the admin cancels.
        await #expect(throws: SendError.self) {
            try await f.market.cancelSession(sessionID: id, reason: "stuck", sender: f.operatorSender)
        }
        let cancel = try await f.market.cancelSession(
            sessionID: id, reason: "clearing chunk cannot balance", sender: f.admin)
        #expect(
            f.market.events(in: cancel) == [.sessionCancelled(sessionID: id, reason: "clearing chunk cannot balance")])
        #expect(try await f.market.session(id).state == .cancelled)

        let entries = [
            MemberFillsEntry(
                member: f.keys[seller].address, orders: orders[seller]!, salt: salts[seller]!, fills: sellerFills),
            MemberFillsEntry(member: f.keys[buyer].address, orders: orders[buyer]!, salt: salts[buyer]!, fills: []),
            MemberFillsEntry(member: f.keys[late].address, orders: orders[late]!, salt: salts[late]!, fills: []),
            MemberFillsEntry(
                member: f.keys[absent].address, orders: [], salt: [UInt8](repeating: 0, count: 32), fills: []),
        ]
        // A wrong salt for a revealed member is refused.
        var forged = entries[1]
        forged.salt = Commitment.randomSalt()
        await #expect(throws: SendError.self) {
            try await f.market.releaseCancelled(sessionID: id, [forged], sender: f.sender(late))
        }
        let release = try await f.market.releaseCancelled(sessionID: id, entries, sender: f.sender(late))
        let released = f.market.events(in: release).compactMap { event -> BigUInt? in
            if case .lockReleased(_, _, let amount) = event { return amount }
            return nil
        }
        #expect(released == [100_000, 400_000, 300_000, 5_000_000])
        for i in everyone { try await f.expectFunds(i, available: 50 * MarketFixture.unit, locked: 0) }
        try await f.checkConservation(members: everyone, sessions: [id])

        // Releasing again changes nothing; the next session may open.
        try await f.market.releaseCancelled(sessionID: id, entries, sender: f.sender(late))
        for i in everyone { try await f.expectFunds(i, available: 50 * MarketFixture.unit, locked: 0) }
        let (next, _) = try await f.openSession()
        #expect(next == id + 1)
    }
}
