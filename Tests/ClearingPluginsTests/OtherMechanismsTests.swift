import Chain
import ClearingPlugins
import Market
import Testing

@Suite struct OtherMechanismsTests {
    let book = [
        order("a", .buy, 300, 200), order("b", .buy, 200, 150), order("c", .buy, 100, 150), order("x", .sell, 400, 100),
    ]

    func price(_ result: ClearingResult, _ id: String) -> UInt64? { result.fills.first { $0.orderID == id }?.price }

    /// Same fills as uniform-price (A 300, B 67, C 33 against X 400); buyers pay their bids, X
    /// gets the volume-weighted bid: (300·200 + 100·150) / 400 = 187.5 → 187 (rounded down).
    @Test func payAsBid() throws {
        let result = DiscriminatoryClearing(mode: .payAsBid).clear(orders: book, slots: 1)
        try ClearingVerifier.verify(result, orders: book, slots: 1)
        #expect(result.fills.map(\.quantityWh) == [300, 67, 33, 400])
        #expect(
            [price(result, "a"), price(result, "b"), price(result, "c"), price(result, "x")] == [200, 150, 150, 187])
    }

    /// Every match at the ask: X gets 100, buyers pay 100.
    @Test func payAsOffer() throws {
        let result = DiscriminatoryClearing(mode: .payAsOffer).clear(orders: book, slots: 1)
        try ClearingVerifier.verify(result, orders: book, slots: 1)
        #expect(result.fills.allSatisfy { $0.price == 100 })
    }

    /// Two asks matched by one bid at different prices: the buyer pays the ceiling of the
    /// weighted ask: (60·100 + 40·130) / 100 = 112.
    @Test func payAsOfferRoundsBuyersUp() throws {
        let orders = [order("b", .buy, 100, 200), order("s1", .sell, 60, 100), order("s2", .sell, 40, 130)]
        let result = DiscriminatoryClearing(mode: .payAsOffer).clear(orders: orders, slots: 1)
        try ClearingVerifier.verify(result, orders: orders, slots: 1)
        #expect(price(result, "b") == 112)
        let uneven = [order("b", .buy, 3, 200), order("s1", .sell, 1, 100), order("s2", .sell, 2, 101)]
        let rounded = DiscriminatoryClearing(mode: .payAsOffer).clear(orders: uneven, slots: 1)
        #expect(price(rounded, "b") == 101)  // (100 + 202) / 3 = 100.67 → 101
    }

    /// k-double auction: p = k·b + (1 − k)·a on the marginal pair only (200 and 100), so with
    /// k = 1/4 it is 125, where uniform-price with the rejected orders' bounds gives 135.
    @Test func kDoubleAuctionUsesTheMarginalPairOnly() throws {
        let orders = [
            order("b1", .buy, 100, 200), order("b2", .buy, 100, 120), order("s1", .sell, 100, 100),
            order("s2", .sell, 100, 180),
        ]
        let kda = UniformPriceClearing(rule: .k(numerator: 1, denominator: 4), boundByRejected: false)
            .clear(orders: orders, slots: 1)
        try ClearingVerifier.verify(kda, orders: orders, slots: 1)
        #expect(kda.slots[0].price == 125)
        let uniform = UniformPriceClearing(rule: .k(numerator: 1, denominator: 4)).clear(orders: orders, slots: 1)
        #expect(uniform.slots[0].price == 135)
    }

    @Test func randomBooksVerifyForEveryMechanism() throws {
        var rng = SeededRNG(seed: 77)
        for _ in 0..<1_000 {
            let orders = (0..<Int.random(in: 0...10, using: &rng)).map { i in
                order(
                    "o\(i)", Bool.random(using: &rng) ? .buy : .sell, UInt64.random(in: 1...3_000, using: &rng),
                    UInt64.random(in: 1...40, using: &rng) * 7_919, slot: Int.random(in: 0...1, using: &rng))
            }
            for result in [
                DiscriminatoryClearing(mode: .payAsBid).clear(orders: orders, slots: 2),
                DiscriminatoryClearing(mode: .payAsOffer).clear(orders: orders, slots: 2),
                UniformPriceClearing(rule: .k(numerator: 1, denominator: 3), boundByRejected: false).clear(
                    orders: orders, slots: 2),
                SupplyDemandRatioClearing(feedInPrice: 7_919, retailPrice: 40 * 7_919).clear(orders: orders, slots: 2),
                MidMarketRateClearing(feedInPrice: 7_919, retailPrice: 40 * 7_919).clear(orders: orders, slots: 2),
            ] {
                do { try ClearingVerifier.verify(result, orders: orders, slots: 2) } catch { Issue.record("\(error)") }
            }
        }
    }
}
