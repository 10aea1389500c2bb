import BigInt
import ClearingPlugins
import Testing

/// uniform-price maximises traded welfare (Σ bought·bid − Σ sold·ask): checked against a
/// brute-force search over every balanced allocation of small random books.
@Suite struct WelfareTests {
    static func welfare(_ quantities: [UInt64], _ orders: [ClearingOrder]) -> BigInt {
        zip(quantities, orders).reduce(BigInt(0)) { sum, pair in
            let value = BigInt(pair.0) * BigInt(pair.1.limitPrice)
            return pair.1.side == .buy ? sum + value : sum - value
        }
    }

    static func bruteForce(_ orders: [ClearingOrder]) -> BigInt {
        var best = BigInt(0)
        var quantities = [UInt64](repeating: 0, count: orders.count)
        func visit(_ index: Int) {
            if index == orders.count {
                let bought = zip(quantities, orders).filter { $1.side == .buy }.reduce(0) { $0 + $1.0 }
                let sold = zip(quantities, orders).filter { $1.side == .sell }.reduce(0) { $0 + $1.0 }
                if bought == sold { best = max(best, welfare(quantities, orders)) }
                return
            }
            for q in 0...orders[index].quantityWh {
                quantities[index] = q
                visit(index + 1)
            }
        }
        visit(0)
        return best
    }

    @Test func uniformPriceReachesTheBruteForceOptimum() {
        var rng = SeededRNG(seed: 4_242)
        for round in 0..<400 {
            let orders = (0..<Int.random(in: 1...5, using: &rng)).map { i in
                order(
                    "o\(i)", Bool.random(using: &rng) ? .buy : .sell, UInt64.random(in: 1...4, using: &rng),
                    UInt64.random(in: 1...9, using: &rng) * 10)
            }
            let result = UniformPriceClearing().clear(orders: orders, slots: 1)
            let quantities = orders.map { o in result.fills.first { $0.orderID == o.id }?.quantityWh ?? 0 }
            #expect(Self.welfare(quantities, orders) == Self.bruteForce(orders), "round \(round): \(orders)")
        }
    }
}
