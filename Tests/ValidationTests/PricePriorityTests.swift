import BigInt
import Chain
import Market
import Testing
import Validation

/// Slots whose fills carry different prices (pay-as-bid and the like) are validated by price
/// priority, so buyers' payments always cover what sellers are owed.
@Suite struct PricePriorityTests {
    typealias T = ValidationEngineTests

    /// Pay-as-bid: A bids 30, B 26; S2 asks 8, S1 25; 1000 Wh each. S2 was paid A's bid (30), S1
    /// B's (26). S1 delivers nothing. Pro rata by Wh would keep 500 Wh of each buyer: they would
    /// pay 15 + 13 = 28 while S2 is owed 30 (the contract's ValueImbalance). By price, the
    /// highest bid keeps its Wh: A 1000 Wh pays ⌈1000·30/1000⌉ = 30 = S2's ⌊1000·30/1000⌋.
    @Test func aFailingSellerTakesTheLowestBidWithIt() throws {
        let members = [
            T.member(1, .buy, limit: 30, fills: [1000], price: 30),  // A
            T.member(2, .buy, limit: 26, fills: [1000], price: 26),  // B
            T.member(3, .sell, limit: 8, fills: [1000], price: 30),  // S2
            T.member(4, .sell, limit: 25, fills: [1000], price: 26),  // S1
        ]
        let meters = T.meters(["P1": (1000, 0), "P2": (1000, 0), "P3": (0, 1000), "P4": (0, 0)])
        let result = try T.engine(ValidationRules()).validate(members: members, meters: meters)
        #expect(result.members.map(\.delivered) == [[1000], [0], [1000], [0]])
        #expect(result.members.map(\.pay) == [30, 0, 0, 0])
        #expect(result.members.map(\.receive) == [0, 0, 30, 0])
        #expect(result.slots[0].validatedWh == 1000)
        // B's own meter showed all it bought: its loss is not its fault, no shortfall.
        #expect(result.members[1].shortfallWh == 0)
        #expect(result.members[3].sellerShortfallWh == 1000)
    }

    /// When no choice of Wh balances (the cheap seller and the high bidder both fail), the
    /// volume shrinks to the largest balanced one: here nothing at 30 can be paid by a bid of 26.
    @Test func anUnbalanceableSlotShrinks() throws {
        let members = [
            T.member(1, .buy, limit: 30, fills: [1000], price: 30),  // A, away
            T.member(2, .buy, limit: 26, fills: [1000], price: 26),  // B
            T.member(3, .sell, limit: 8, fills: [1000], price: 30),  // S2
            T.member(4, .sell, limit: 25, fills: [1000], price: 26),  // S1, no sun
        ]
        let meters = T.meters(["P1": (0, 0), "P2": (1000, 0), "P3": (0, 1000), "P4": (0, 0)])
        let result = try T.engine(ValidationRules()).validate(members: members, meters: meters)
        #expect(result.slots[0].validatedWh == 0)
        #expect(result.totals.buyerPayments >= result.totals.sellerReceipts)
    }

    /// Random books with a different price per fill: the engine's invariants (including pay ≥
    /// owed) hold on every one, and a slot shrinks only when it must.
    @Test func randomDiscriminatoryBooksAlwaysBalance() throws {
        var rng = SplitMix64(seed: 2_026_1125)
        for _ in 0..<1_000 {
            var members = [ValidationMember]()
            var meters = [String: (UInt64, UInt64)]()
            let sellers = Int.random(in: 1...4, using: &rng)
            let buyers = Int.random(in: 1...4, using: &rng)
            var sold = [UInt64]()
            for _ in 0..<sellers { sold.append(UInt64.random(in: 1...3_000, using: &rng)) }
            let total = sold.reduce(0, +)
            let boughtShares = LargestRemainder.split(
                total, weights: (0..<buyers).map { _ in UInt64.random(in: 1...10, using: &rng) })
            for (n, q) in sold.enumerated() {
                let price = UInt64.random(in: 50...300, using: &rng)
                members.append(T.member(UInt8(n + 1), .sell, limit: 10, fills: [q], price: price))
                meters["P\(n + 1)"] = (0, UInt64.random(in: 0...q + 500, using: &rng))
            }
            for (k, q) in boughtShares.enumerated() where q > 0 {
                let n = sellers + k + 1
                let price = UInt64.random(in: 50...300, using: &rng)
                members.append(T.member(UInt8(n), .buy, limit: 400, fills: [q], price: price))
                meters["P\(n)"] = (UInt64.random(in: 0...q + 500, using: &rng), 0)
            }
            let result = try T.engine(ValidationRules()).validate(members: members, meters: T.meters(meters))
            #expect(result.totals.buyerPayments >= result.totals.sellerReceipts)
            // Bought == sold, and no more than either side could deliver.
            let delivered = { (side: OrderSide) in
                result.members.filter { $0.orders[0].side == side }.reduce(UInt64(0)) { $0 + $1.delivered[0] }
            }
            #expect(delivered(.buy) == delivered(.sell))
            #expect(delivered(.sell) == result.slots[0].validatedWh)
            #expect(
                result.slots[0].validatedWh
                    <= min(result.slots[0].sellerDeliverableWh, result.slots[0].buyerDeliverableWh))
        }
    }
}
