import Chain
import ClearingPlugins
import Market
import Testing

let memberA = Address(unchecked: [UInt8](repeating: 0xa1, count: 20))
let memberB = Address(unchecked: [UInt8](repeating: 0xb2, count: 20))

func order(_ id: String, _ side: OrderSide, _ wh: UInt64, _ price: UInt64, slot: Int = 0, member: Address? = nil)
    -> ClearingOrder
{
    ClearingOrder(
        id: id, member: member ?? Address(unchecked: Array(Keccak256.hash(id).prefix(20))), slot: slot, side: side,
        quantityWh: wh, limitPrice: price)
}

@Suite struct UniformPriceClearingTests {
    func clear(_ orders: [ClearingOrder], rule: PriceRule = .midpoint, slots: Int = 1) throws -> ClearingResult {
        let result = UniformPriceClearing(rule: rule).clear(orders: orders, slots: slots)
        try ClearingVerifier.verify(result, orders: orders, slots: slots)
        return result
    }

    func fill(_ result: ClearingResult, _ id: String) -> UInt64 {
        result.fills.first { $0.orderID == id }?.quantityWh ?? 0
    }

    @Test func oneBidOneAskClearAtTheMidpoint() throws {
        let result = try clear([order("b", .buy, 100, 200), order("s", .sell, 100, 100)])
        #expect(result.slots == [SlotClearing(slot: 0, price: 150, volumeWh: 100)])
        #expect(result.fills.map(\.price) == [150, 150])
    }

    /// Bids A 300 @ 200, B 200 @ 150, C 100 @ 150; ask X 400 @ 100. Volume 400; A is
    /// inframarginal (300); B and C share the last 100 Wh pro rata 2:1: floors 66 and 33, the
    /// spare Wh goes to the larger remainder (B: 200·100 mod 300 = 200 > C: 100). Price interval
    /// [100, 150] → midpoint 125.
    @Test func marginalOrdersAreRationedByLargestRemainder() throws {
        let result = try clear([
            order("a", .buy, 300, 200), order("b", .buy, 200, 150), order("c", .buy, 100, 150),
            order("x", .sell, 400, 100),
        ])
        #expect(fill(result, "a") == 300)
        #expect(fill(result, "b") == 67)
        #expect(fill(result, "c") == 33)
        #expect(fill(result, "x") == 400)
        #expect(result.slots[0].price == 125)
    }

    /// Rejected orders bound the price: bids 100 @ 200, 100 @ 120; asks 100 @ 100, 100 @ 180.
    /// One pair trades; the rejected bid (120) and rejected ask (180) narrow the interval to
    /// [120, 180].
    @Test(arguments: [
        (PriceRule.midpoint, UInt64(150)), (.bid, 180), (.ask, 120), (.k(numerator: 1, denominator: 4), 135),
    ])
    func priceRules(_ rule: PriceRule, _ expected: UInt64) throws {
        let result = try clear(
            [
                order("b1", .buy, 100, 200), order("b2", .buy, 100, 120), order("s1", .sell, 100, 100),
                order("s2", .sell, 100, 180),
            ],
            rule: rule)
        #expect(result.slots[0].volumeWh == 100)
        #expect(result.slots[0].price == expected)
    }

    @Test func noCrossingAndEmptySidesTradeNothing() throws {
        #expect(try clear([order("b", .buy, 100, 100), order("s", .sell, 100, 200)]).fills.isEmpty)
        #expect(try clear([order("b", .buy, 100, 100)]).slots == [SlotClearing(slot: 0, price: nil, volumeWh: 0)])
        #expect(try clear([]).fills.isEmpty)
    }

    @Test func allAtOnePriceSharesProRata() throws {
        let result = try clear([
            order("b1", .buy, 10, 150), order("b2", .buy, 10, 150), order("b3", .buy, 10, 150),
            order("s", .sell, 10, 150),
        ])
        // 10 Wh over three equal bids: 3 each, the spare Wh to the first id.
        #expect([fill(result, "b1"), fill(result, "b2"), fill(result, "b3")] == [4, 3, 3])
        #expect(result.slots[0].price == 150)
    }

    @Test func hugeQuantitiesDoNotOverflow() throws {
        let half = UInt64.max / 2
        let result = try clear([
            order("b1", .buy, half, .max), order("b2", .buy, half, .max - 1), order("s1", .sell, half, 0),
            order("s2", .sell, half, 1),
        ])
        #expect(result.slots[0].volumeWh == 2 * half)
    }

    @Test func aMemberDoesNotTradeWithItself() throws {
        let result = try clear([
            order("m-buy", .buy, 100, 200, member: memberA), order("m-sell", .sell, 100, 100, member: memberA),
            order("n-sell", .sell, 100, 150, member: memberB),
        ])
        #expect(fill(result, "m-buy") == 0 && fill(result, "m-sell") == 0)
    }

    @Test func slotsClearIndependently() throws {
        let result = try clear(
            [
                order("b0", .buy, 50, 200, slot: 0), order("s0", .sell, 50, 100, slot: 0),
                order("b1", .buy, 70, 300, slot: 1),
                order("s1", .sell, 70, 250, slot: 1),
            ], slots: 2)
        #expect(result.slots.map(\.price) == [150, 275])
        #expect(result.slots.map(\.volumeWh) == [50, 70])
    }

    /// Property test: thousands of random books clear into results the verifier accepts, and no
    /// unfilled bid/ask pair is left that could still trade at the price.
    @Test func randomBooksAlwaysVerify() throws {
        var rng = SeededRNG(seed: 2026)
        for round in 0..<2_000 {
            let count = Int.random(in: 0...12, using: &rng)
            let orders = (0..<count).map { i in
                order(
                    "o\(i)", Bool.random(using: &rng) ? .buy : .sell, UInt64.random(in: 1...5_000, using: &rng),
                    UInt64.random(in: 50_000...300_000, using: &rng) / 10_000 * 10_000,
                    slot: Int.random(in: 0...2, using: &rng),
                    member: Bool.random(using: &rng)
                        ? memberA : Address(unchecked: Array(Keccak256.hash("m\(i)").prefix(20))))
            }
            let result = UniformPriceClearing().clear(orders: orders, slots: 3)
            do { try ClearingVerifier.verify(result, orders: orders, slots: 3) } catch {
                Issue.record("round \(round): \(error)")
            }
        }
    }

    @Test func verifierRejectsBrokenResults() {
        let orders = [order("b", .buy, 100, 200), order("s", .sell, 100, 100)]
        func expectViolation(_ fills: [OrderFill], _ text: String) {
            let result = ClearingResult(slots: [SlotClearing(slot: 0, price: 150, volumeWh: 100)], fills: fills)
            do {
                try ClearingVerifier.verify(result, orders: orders, slots: 1)
                Issue.record("accepted: \(text)")
            } catch { #expect(error.description.contains(text), "\(error)") }
        }
        expectViolation(
            [.init(orderID: "b", quantityWh: 100, price: 250), .init(orderID: "s", quantityWh: 100, price: 250)],
            "above its limit")
        expectViolation(
            [.init(orderID: "b", quantityWh: 100, price: 90), .init(orderID: "s", quantityWh: 100, price: 90)],
            "below its limit")
        expectViolation(
            [.init(orderID: "b", quantityWh: 120, price: 150), .init(orderID: "s", quantityWh: 120, price: 150)],
            "more than")
        expectViolation(
            [.init(orderID: "b", quantityWh: 100, price: 150), .init(orderID: "s", quantityWh: 90, price: 150)],
            "bought 100 Wh ≠ sold 90 Wh")
        expectViolation([.init(orderID: "z", quantityWh: 1, price: 150)], "names no order")
        expectViolation(
            [.init(orderID: "b", quantityWh: 50, price: 150), .init(orderID: "b", quantityWh: 50, price: 150)],
            "filled twice")
    }
}

typealias SeededRNG = SplitMix64
