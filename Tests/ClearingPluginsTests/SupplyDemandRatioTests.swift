import ClearingPlugins
import Testing

/// `sdr` with λs = 100 and λb = 250 base units per kWh unless said otherwise.
@Suite struct SupplyDemandRatioTests {
    let sdr = SupplyDemandRatioClearing(feedInPrice: 100, retailPrice: 250)

    func clear(_ orders: [ClearingOrder], _ mechanism: SupplyDemandRatioClearing? = nil) throws -> ClearingResult {
        let result = (mechanism ?? sdr).clear(orders: orders, slots: 1)
        try ClearingVerifier.verify(
            result, orders: orders, slots: 1, bounds: .init(minimum: sdr.feedInPrice, maximum: sdr.retailPrice))
        return result
    }

    func fill(_ result: ClearingResult, _ id: String) -> UInt64 {
        result.fills.first { $0.orderID == id }?.quantityWh ?? 0
    }

    /// The published formula, worked by hand. SDR = 1000/2000 = 1/2:
    /// 100·250 / (150·1/2 + 100) = 25 000 / 175 = 142.857… → 142. With λs = 0.10 and λb = 0.25
    /// per kWh in 6-decimal base units and SDR = 3/4: 100 000·250 000 / (150 000·3/4 + 100 000) =
    /// 2.5·10^10 / 212 500 = 117 647.05… → 117 647. SDR ≥ 1 gives λs; no supply gives λb.
    @Test func publishedFormulaTestVector() {
        #expect(sdr.formulaPrice(supply: 1_000, demand: 2_000) == 142)
        let realistic = SupplyDemandRatioClearing(feedInPrice: 100_000, retailPrice: 250_000)
        #expect(realistic.formulaPrice(supply: 3_000, demand: 4_000) == 117_647)
        #expect(sdr.formulaPrice(supply: 2_000, demand: 2_000) == 100)
        #expect(sdr.formulaPrice(supply: 5_000, demand: 2_000) == 100)
        #expect(sdr.formulaPrice(supply: 0, demand: 2_000) == 250)
        #expect(sdr.formulaPrice(supply: 7, demand: 0) == 100)
    }

    /// Price-takers (asks ≤ λs, bids ≥ λb): the slot clears at floor(formula) = 142. Supply 1000
    /// is short; the bids share it 1500:500 → 750 and 250. Liu et al.'s buyer price including
    /// the grid, P·SDR + λb·(1 − SDR) = 196.43, is what buyers pay on average over their whole
    /// demand once the unfilled 1000 Wh come from the grid at λb: (1000·142 + 1000·250) / 2000.
    @Test func priceTakersClearAtTheFormula() throws {
        let result = try clear([
            order("s1", .sell, 600, 0), order("s2", .sell, 400, 50), order("b1", .buy, 1_500, 300),
            order("b2", .buy, 500, 260),
        ])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 142, volumeWh: 1_000))
        #expect(
            [fill(result, "s1"), fill(result, "s2"), fill(result, "b1"), fill(result, "b2")] == [600, 400, 750, 250])
        let buyerValue = result.fills.filter { $0.orderID.hasPrefix("b") }.reduce(UInt64(0)) {
            $0 + $1.quantityWh * $1.price
        }
        #expect((buyerValue + (2_000 - 1_000) * 250) / 2_000 == 196)
    }

    /// A bid limit below the formula caps the price: supply 500, demand 1000 → formula 142, but
    /// at 131 the bid (limit 130) drops out and the formula falls to λs. Largest p with g(p) ≥ p
    /// is 130.
    @Test func aBindingBidLimitCapsThePrice() throws {
        let result = try clear([order("s", .sell, 500, 100), order("b", .buy, 1_000, 130)])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 130, volumeWh: 500))
    }

    /// An ask above the community price never takes part: below 200 there is no supply (g = λb
    /// ≥ p); from 200 the formula is 142 < p. p = 199, where nothing is offered: no trade.
    @Test func anAskAboveTheCommunityPriceDoesNotTrade() throws {
        let result = try clear([order("s", .sell, 500, 200), order("b", .buy, 1_000, 300)])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: nil, volumeWh: 0))
        #expect(result.fills.isEmpty)
    }

    /// Supply ≥ demand: the price is λs and sellers are rationed.
    @Test func surplusTradesAtTheFeedInPrice() throws {
        let result = try clear([
            order("s1", .sell, 300, 100), order("s2", .sell, 100, 90), order("b", .buy, 200, 250),
        ])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 100, volumeWh: 200))
        #expect([fill(result, "s1"), fill(result, "s2")] == [150, 50])
    }

    @Test func emptySidesNoCrossingAndOneOrderTradeNothing() throws {
        let empty = SlotClearing(slot: 0, price: nil, volumeWh: 0)
        #expect(try clear([]).slots == [empty])
        #expect(try clear([order("b", .buy, 100, 300)]).slots == [empty])
        #expect(try clear([order("s", .sell, 100, 0)]).slots == [empty])
        // The only bid is below λs: nobody buys at any community price.
        #expect(try clear([order("b", .buy, 100, 99), order("s", .sell, 100, 0)]).fills.isEmpty)
    }

    /// SDR = 10/30: 25 000 / (150/3 + 100) = 166.67 → 166. Three equal bids share 10 Wh: 3 each,
    /// the spare Wh to the first id.
    @Test func tiesShareByLargestRemainderAndId() throws {
        let result = try clear([
            order("b1", .buy, 10, 200), order("b2", .buy, 10, 200), order("b3", .buy, 10, 200),
            order("s", .sell, 10, 100),
        ])
        #expect(result.slots[0].price == 166)
        #expect([fill(result, "b1"), fill(result, "b2"), fill(result, "b3")] == [4, 3, 3])
    }

    /// Everyone at λs: at 100 supply 10, demand 20 → formula 142 ≥ 100; at 101 the bids drop
    /// out. The slot clears at 100, the bids sharing 10 Wh equally.
    @Test func allAtTheSamePriceClearThere() throws {
        let result = try clear([order("b1", .buy, 10, 100), order("b2", .buy, 10, 100), order("s", .sell, 10, 100)])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 100, volumeWh: 10))
        #expect([fill(result, "b1"), fill(result, "b2"), fill(result, "s")] == [5, 5, 10])
    }

    /// Sums above 2^64: supply = demand = 2·(2^64 − 1) → SDR 1 → λs; the volume is capped at
    /// 2^64 − 1 and both sides are rationed: 2^63 and 2^63 − 1.
    @Test func hugeQuantitiesAreCappedAtTheTypeLimit() throws {
        let result = try clear([
            order("b1", .buy, .max, 250), order("b2", .buy, .max, 250), order("s1", .sell, .max, 100),
            order("s2", .sell, .max, 100),
        ])
        #expect(result.slots[0] == SlotClearing(slot: 0, price: 100, volumeWh: .max))
        #expect([fill(result, "b1"), fill(result, "b2")] == [UInt64(1) << 63, (UInt64(1) << 63) - 1])
        let extreme = SupplyDemandRatioClearing(feedInPrice: .max - 1, retailPrice: .max)
        let price = extreme.formulaPrice(supply: UInt128(UInt64.max) * 3, demand: UInt128(UInt64.max) * 4)
        #expect(price == UInt64.max - 1)
    }

    @Test func aMemberDoesNotTradeWithItself() throws {
        let result = try clear([
            order("m-buy", .buy, 100, 250, member: memberA), order("m-sell", .sell, 100, 100, member: memberA),
        ])
        #expect(result.fills.isEmpty)
    }

    /// On random books: the verifier passes (with λs…λb as price bounds), and the price is the
    /// largest p in [λs, λb] with g(p) ≥ p, g being the formula on the orders willing at p.
    @Test func randomBooksVerifyAndPriceIsTheLargestFixedPoint() throws {
        var rng = SeededRNG(seed: 2017)
        for round in 0..<2_000 {
            let orders = randomBook(&rng, slots: 2)
            let result = sdr.clear(orders: orders, slots: 2)
            do {
                try ClearingVerifier.verify(result, orders: orders, slots: 2, bounds: .init(minimum: 100, maximum: 250))
            } catch { Issue.record("round \(round): \(error)") }
            for slot in result.slots {
                guard let p = slot.price else { continue }
                let book = orders.filter { $0.slot == slot.slot }
                #expect(g(book, p) >= p, "round \(round)")
                #expect(p == 250 || g(book, p + 1) < p + 1, "round \(round)")
            }
        }
    }

    func g(_ book: [ClearingOrder], _ p: UInt64) -> UInt64 {
        let supply = book.filter { $0.side == .sell && $0.limitPrice <= p }.reduce(UInt128(0)) {
            $0 + UInt128($1.quantityWh)
        }
        let demand = book.filter { $0.side == .buy && $0.limitPrice >= p }.reduce(UInt128(0)) {
            $0 + UInt128($1.quantityWh)
        }
        return sdr.formulaPrice(supply: supply, demand: demand)
    }
}

/// Books for the community-pricing property tests: limits around [100, 250], some members on
/// both sides of a slot.
func randomBook(_ rng: inout SeededRNG, slots: Int) -> [ClearingOrder] {
    (0..<Int.random(in: 0...12, using: &rng)).map { i in
        order(
            "o\(i)", Bool.random(using: &rng) ? .buy : .sell, UInt64.random(in: 1...3_000, using: &rng),
            UInt64.random(in: 50...300, using: &rng), slot: Int.random(in: 0..<slots, using: &rng),
            member: Int.random(in: 0...3, using: &rng) == 0 ? memberA : nil)
    }
}
