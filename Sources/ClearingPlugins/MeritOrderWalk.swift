/// One slot's book in merit order, walked to its largest tradable volume: bids by descending
/// limit, asks by ascending, equal limits by order id; units (Wh) trade while the best remaining
/// bid is at least the best remaining ask. Shared by every mechanism built on merit order.
struct MeritOrderWalk {
    let bids: [ClearingOrder]
    let asks: [ClearingOrder]
    /// Wh that can trade.
    private(set) var volume: UInt64 = 0
    /// Limit of the last bid and ask that traded.
    private(set) var marginalBid: UInt64?
    private(set) var marginalAsk: UInt64?
    /// Limits of the first Wh that did not trade on each side (McAfee's k+1-th units).
    private(set) var nextBid: UInt64?
    private(set) var nextAsk: UInt64?

    init(book: [ClearingOrder]) {
        bids = book.filter { $0.side == .buy }.sorted {
            $0.limitPrice != $1.limitPrice ? $0.limitPrice > $1.limitPrice : $0.id < $1.id
        }
        asks = book.filter { $0.side == .sell }.sorted {
            $0.limitPrice != $1.limitPrice ? $0.limitPrice < $1.limitPrice : $0.id < $1.id
        }
        var i = 0
        var j = 0
        var bidLeft = bids.first?.quantityWh ?? 0
        var askLeft = asks.first?.quantityWh ?? 0
        while i < bids.count, j < asks.count, bids[i].limitPrice >= asks[j].limitPrice {
            let traded = min(bidLeft, askLeft)
            volume += traded
            marginalBid = bids[i].limitPrice
            marginalAsk = asks[j].limitPrice
            bidLeft -= traded
            askLeft -= traded
            if bidLeft == 0 {
                i += 1
                bidLeft = i < bids.count ? bids[i].quantityWh : 0
            }
            if askLeft == 0 {
                j += 1
                askLeft = j < asks.count ? asks[j].quantityWh : 0
            }
        }
        nextBid = i < bids.count ? bids[i].limitPrice : nil
        nextAsk = j < asks.count ? asks[j].limitPrice : nil
    }

    /// Clears each slot on its own with `clearSlot(slot, book)` and gathers the results, fills
    /// sorted by order id.
    static func clearEachSlot(
        orders: [ClearingOrder], slots: Int, _ clearSlot: (Int, [ClearingOrder]) -> (SlotClearing, [OrderFill])
    ) -> ClearingResult {
        var slotResults = [SlotClearing]()
        var fills = [OrderFill]()
        let bySlot = Dictionary(grouping: orders, by: \.slot)
        for slot in 0..<slots {
            let (clearing, slotFills) = clearSlot(slot, bySlot[slot] ?? [])
            slotResults.append(clearing)
            fills += slotFills
        }
        fills.sort { $0.orderID < $1.orderID }
        return ClearingResult(slots: slotResults, fills: fills)
    }

    /// Quantities for trading `total` Wh (≤ `volume`, and at least what orders strictly better
    /// than the marginal prices hold): those orders fill completely, orders at a marginal price
    /// share the rest by the largest-remainder rule.
    func allocate(_ total: UInt64) -> [String: UInt64] {
        guard let pb = marginalBid, let pa = marginalAsk else { return [:] }
        var quantities = [String: UInt64]()
        for (side, marginal) in [(bids, pb), (asks, pa)] {
            let better = side.filter { $0.side == .buy ? $0.limitPrice > marginal : $0.limitPrice < marginal }
            let atMargin = side.filter { $0.limitPrice == marginal }
            var remaining = total
            for order in better {
                quantities[order.id] = order.quantityWh
                remaining -= order.quantityWh
            }
            for (order, share) in zip(atMargin, UniformPriceClearing.proRata(remaining, over: atMargin)) where share > 0
            {
                quantities[order.id] = share
            }
        }
        return quantities
    }
}
