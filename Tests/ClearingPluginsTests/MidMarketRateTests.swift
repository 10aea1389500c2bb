import ClearingPlugins
import Testing

/// `mid-market-rate` with λs = 100 and λb = 250: P_mid = 175.
@Suite struct MidMarketRateTests {
    let mmr = MidMarketRateClearing(feedInPrice: 100, retailPrice: 250)

    func clear(_ orders: [ClearingOrder], _ mechanism: MidMarketRateClearing? = nil) throws -> ClearingResult {
        let m = mechanism ?? mmr
        let result = m.clear(orders: orders, slots: 1)
        try ClearingVerifier.verify(
            result, orders: orders, slots: 1, bounds: .init(minimum: m.feedInPrice, maximum: m.retailPrice))
        return result
    }

    func fill(_ result: ClearingResult, _ id: String) -> UInt64 {
        result.fills.first { $0.orderID == id }?.quantityWh ?? 0
    }

    /// The published formula, supply ≥ demand: S = 3000, D = 2000. Buyers pay P_mid = 175;
    /// sellers' blended price (D·P_mid + (S − D)·λs) / S = (350 000 + 100 000) / 3000 = 150. Here
    /// sellers sell 2000 Wh at 175 in the community (rationed 2:1 → 1333 and 667) and export the
    /// other 1000 Wh at λs: their average over all 3000 Wh is exactly the blend.
    @Test func surplusTestVector() throws {
        let orders = [order("s1", .sell, 2_000, 90), order("s2", .sell, 1_000, 100), order("b", .buy, 2_000, 260)]
        let result = try clear(orders)
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 175, volumeWh: 2_000))
        #expect([fill(result, "s1"), fill(result, "s2"), fill(result, "b")] == [1_333, 667, 2_000])
        let sold = result.fills.filter { $0.orderID.hasPrefix("s") }
        let inside = sold.reduce(UInt64(0)) { $0 + $1.quantityWh * $1.price }
        let exported = (3_000 - sold.reduce(UInt64(0)) { $0 + $1.quantityWh }) * 100
        #expect(inside + exported == 3_000 * 150)
    }

    /// Demand > supply: S = 1000, D = 4000. Sellers get 175; buyers' blend (S·P_mid + (D −
    /// S)·λb) / D = (175 000 + 750 000) / 4000 = 231.25: 1000 Wh bought at 175 plus 3000 Wh from
    /// the grid at λb.
    @Test func shortageTestVector() throws {
        let orders = [order("s", .sell, 1_000, 100), order("b1", .buy, 3_000, 250), order("b2", .buy, 1_000, 200)]
        let result = try clear(orders)
        #expect([fill(result, "b1"), fill(result, "b2"), fill(result, "s")] == [750, 250, 1_000])
        let bought = result.fills.filter { $0.orderID.hasPrefix("b") }
        let inside = bought.reduce(UInt64(0)) { $0 + $1.quantityWh * $1.price }
        let imported = (4_000 - bought.reduce(UInt64(0)) { $0 + $1.quantityWh }) * 250
        #expect(inside + imported == 925_000)
    }

    /// Limits decide who takes part at P_mid: a bid at 170 and an ask at 180 stay out.
    @Test func ordersUnwillingAtTheMidPriceStayOut() throws {
        let result = try clear([
            order("b-low", .buy, 500, 170), order("b", .buy, 100, 175), order("s-high", .sell, 500, 180),
            order("s", .sell, 300, 175),
        ])
        #expect(
            [fill(result, "b-low"), fill(result, "b"), fill(result, "s-high"), fill(result, "s")] == [0, 100, 0, 100])
    }

    @Test func midPriceRoundsDown() throws {
        let odd = MidMarketRateClearing(feedInPrice: 100, retailPrice: 251)
        #expect(odd.midPrice == 175)
        #expect(
            try clear([order("b", .buy, 1, 251), order("s", .sell, 1, 100)], odd).fills.map(\.price) == [175, 175])
        #expect(MidMarketRateClearing(feedInPrice: .max - 1, retailPrice: .max).midPrice == UInt64.max - 1)
    }

    @Test func emptySidesNoCrossingAndOneOrderTradeNothing() throws {
        let empty = SlotClearing(slot: 0, price: nil, volumeWh: 0)
        #expect(try clear([]).slots == [empty])
        #expect(try clear([order("b", .buy, 100, 300)]).slots == [empty])
        #expect(try clear([order("b", .buy, 100, 150), order("s", .sell, 100, 120)]).fills.isEmpty)
    }

    /// All at P_mid: three equal asks share 10 Wh → 4, 3, 3 (spare Wh to the first id).
    @Test func allAtTheSamePriceShareByLargestRemainder() throws {
        let result = try clear([
            order("s1", .sell, 10, 175), order("s2", .sell, 10, 175), order("s3", .sell, 10, 175),
            order("b", .buy, 10, 175),
        ])
        #expect([fill(result, "s1"), fill(result, "s2"), fill(result, "s3")] == [4, 3, 3])
    }

    @Test func hugeQuantitiesAreCappedAtTheTypeLimit() throws {
        let result = try clear([
            order("b1", .buy, .max, 250), order("b2", .buy, 1, 250), order("s1", .sell, .max, 100),
        ])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 175, volumeWh: .max))
        #expect(fill(result, "s1") == .max)
    }

    @Test func randomBooksVerify() {
        var rng = SeededRNG(seed: 2018)
        for round in 0..<2_000 {
            let orders = randomBook(&rng, slots: 2)
            let result = mmr.clear(orders: orders, slots: 2)
            do {
                try ClearingVerifier.verify(result, orders: orders, slots: 2, bounds: .init(minimum: 100, maximum: 250))
            } catch { Issue.record("round \(round): \(error)") }
            #expect(result.fills.allSatisfy { $0.price == 175 })
        }
    }
}
