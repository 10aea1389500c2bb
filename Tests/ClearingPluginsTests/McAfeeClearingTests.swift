import ClearingPlugins
import Testing

@Suite struct McAfeeClearingTests {
    func clear(_ orders: [ClearingOrder]) throws -> ClearingResult {
        let result = McAfeeClearing().clear(orders: orders, slots: 1)
        try ClearingVerifier.verify(result, orders: orders, slots: 1)
        return result
    }

    /// Q = 100 Wh (200 against 100); the next units are a bid at 120 and an ask at 180, so
    /// p0 = 150 lies in [100, 200]: all 100 Wh trade at 150.
    @Test func candidatePriceInsideTheMarginClearsEverything() throws {
        let result = try clear([
            order("b1", .buy, 100, 200), order("b2", .buy, 100, 120), order("s1", .sell, 100, 100),
            order("s2", .sell, 100, 180),
        ])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 150, volumeWh: 100))
        #expect(result.fills.allSatisfy { $0.price == 150 && $0.quantityWh == 100 })
    }

    /// Next units 50 and 400 give p0 = 225 > 200: one Wh is cut; the buyer pays its 200, the
    /// seller receives its 100, the spread is the treasury's.
    @Test func candidateOutsideTheMarginReducesTrade() throws {
        let result = try clear([
            order("b1", .buy, 100, 200), order("b2", .buy, 100, 50), order("s1", .sell, 100, 100),
            order("s2", .sell, 100, 400),
        ])
        #expect(result.slots[0].volumeWh == 99)
        #expect(result.fills.first { $0.orderID == "b1" } == OrderFill(orderID: "b1", quantityWh: 99, price: 200))
        #expect(result.fills.first { $0.orderID == "s1" } == OrderFill(orderID: "s1", quantityWh: 99, price: 100))
    }

    @Test func withoutANextUnitTradeIsReduced() throws {
        let result = try clear([order("b", .buy, 10, 200), order("s", .sell, 10, 100)])
        #expect(result.slots[0].volumeWh == 9)
        #expect(try clear([order("b", .buy, 1, 200), order("s", .sell, 1, 100)]).fills.isEmpty)
    }

    @Test func randomBooksVerify() {
        var rng = SeededRNG(seed: 1992)
        for _ in 0..<1_000 {
            let orders = (0..<Int.random(in: 0...10, using: &rng)).map { i in
                order(
                    "o\(i)", Bool.random(using: &rng) ? .buy : .sell, UInt64.random(in: 1...2_000, using: &rng),
                    UInt64.random(in: 1...30, using: &rng) * 10_000)
            }
            let result = McAfeeClearing().clear(orders: orders, slots: 1)
            do { try ClearingVerifier.verify(result, orders: orders, slots: 1) } catch { Issue.record("\(error)") }
            let uniform = UniformPriceClearing().clear(orders: orders, slots: 1)
            // Trade reduction removes at most one Wh per slot.
            #expect(result.slots[0].volumeWh + 1 >= uniform.slots[0].volumeWh)
        }
    }
}
