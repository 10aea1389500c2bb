import Market

/// The two rules every mechanism shares for who gets how much: largest-remainder pro-rata
/// sharing and the removal of self-trades. Integer-only (128-bit intermediates).
enum Rationing {
    /// Splits `total` Wh over `entries` pro rata to their quantities: floors first, then one Wh
    /// each to the largest remainders, ties by order id. Σ shares == total whenever total ≤ Σ
    /// quantities.
    static func proRata(_ total: UInt64, over entries: ArraySlice<SlotEntry>) -> [UInt64] {
        LargestRemainder.split(total, weights: entries.map(\.quantity), ranks: entries.map { Int($0.rank) })
    }

    /// A member filled on both sides of a slot would trade with itself: the smaller of its
    /// bought and sold volumes is taken off both sides, from its orders in descending id order.
    /// `bids`/`asks` and their quantities are aligned.
    static func removeSelfTrades(
        bids: [SlotEntry], _ bidQuantities: inout [UInt64], asks: [SlotEntry], _ askQuantities: inout [UInt64],
        marks: MemberMarks
    ) {
        marks.stamp += 1
        let stamp = marks.stamp
        for (k, bid) in bids.enumerated() where bidQuantities[k] > 0 { marks.marks[Int(bid.member)] = stamp }
        var conflicted = Set<Int32>()
        for (k, ask) in asks.enumerated() where askQuantities[k] > 0 && marks.marks[Int(ask.member)] == stamp {
            conflicted.insert(ask.member)
        }
        guard !conflicted.isEmpty else { return }
        // Positions of each conflicted member's filled orders.
        var buys = [Int32: [Int]]()
        var sells = [Int32: [Int]]()
        for (k, bid) in bids.enumerated() where bidQuantities[k] > 0 && conflicted.contains(bid.member) {
            buys[bid.member, default: []].append(k)
        }
        for (k, ask) in asks.enumerated() where askQuantities[k] > 0 && conflicted.contains(ask.member) {
            sells[ask.member, default: []].append(k)
        }
        for member in conflicted {
            let buyPositions = (buys[member] ?? []).sorted { bids[$0].rank > bids[$1].rank }
            let sellPositions = (sells[member] ?? []).sorted { asks[$0].rank > asks[$1].rank }
            let bought = buyPositions.reduce(UInt128(0)) { $0 + UInt128(bidQuantities[$1]) }
            let sold = sellPositions.reduce(UInt128(0)) { $0 + UInt128(askQuantities[$1]) }
            let overlap = min(bought, sold)
            cut(overlap, from: buyPositions, &bidQuantities)
            cut(overlap, from: sellPositions, &askQuantities)
        }
    }

    private static func cut(_ overlap: UInt128, from positions: [Int], _ quantities: inout [UInt64]) {
        var left = overlap
        for k in positions where left > 0 {
            let take = UInt64(min(UInt128(quantities[k]), left))
            quantities[k] -= take
            left -= UInt128(take)
        }
    }
}

/// Scratch space for `removeSelfTrades`: one mark per member number, reused across slots.
final class MemberMarks {
    var marks: [Int32]
    var stamp: Int32 = 0
    init(memberCount: Int) { marks = [Int32](repeating: 0, count: memberCount) }
}
