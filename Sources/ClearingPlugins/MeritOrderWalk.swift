/// One slot's book in merit order, walked to its largest tradable volume: bids by descending
/// limit, asks by ascending, equal limits by order id; units (Wh) trade while the best remaining
/// bid is at least the best remaining ask. Shared by every mechanism built on merit order.
struct MeritOrderWalk {
    let bids: [SlotEntry]
    let asks: [SlotEntry]
    /// Wh that can trade.
    private(set) var volume: UInt64 = 0
    /// Limit of the last bid and ask that traded.
    private(set) var marginalBid: UInt64?
    private(set) var marginalAsk: UInt64?
    /// Limits of the first Wh that did not trade on each side (McAfee's k+1-th units).
    private(set) var nextBid: UInt64?
    private(set) var nextAsk: UInt64?

    init(_ entries: [SlotEntry]) {
        var bids = [SlotEntry]()
        var asks = [SlotEntry]()
        for entry in entries {
            if entry.isBuy { bids.append(entry) } else { asks.append(entry) }
        }
        bids.sort { $0.limit != $1.limit ? $0.limit > $1.limit : $0.rank < $1.rank }
        asks.sort { $0.limit != $1.limit ? $0.limit < $1.limit : $0.rank < $1.rank }
        self.bids = bids
        self.asks = asks
        var i = 0
        var j = 0
        var bidLeft = bids.first?.quantity ?? 0
        var askLeft = asks.first?.quantity ?? 0
        while i < bids.count, j < asks.count, bids[i].limit >= asks[j].limit {
            let traded = min(bidLeft, askLeft)
            volume += traded
            marginalBid = bids[i].limit
            marginalAsk = asks[j].limit
            bidLeft -= traded
            askLeft -= traded
            if bidLeft == 0 {
                i += 1
                bidLeft = i < bids.count ? bids[i].quantity : 0
            }
            if askLeft == 0 {
                j += 1
                askLeft = j < asks.count ? asks[j].quantity : 0
            }
        }
        nextBid = i < bids.count ? bids[i].limit : nil
        nextAsk = j < asks.count ? asks[j].limit : nil
    }

    /// Quantities (aligned with `bids` and `asks`) for trading `total` Wh (≤ `volume`, and at
    /// least what orders strictly better than the marginal prices hold): those orders fill
    /// completely, orders at a marginal price share the rest by the largest-remainder rule.
    func allocate(_ total: UInt64) -> (bids: [UInt64], asks: [UInt64]) {
        var bidQuantities = [UInt64](repeating: 0, count: bids.count)
        var askQuantities = [UInt64](repeating: 0, count: asks.count)
        guard let pb = marginalBid, let pa = marginalAsk else { return (bidQuantities, askQuantities) }
        Self.allocate(total, side: bids, marginal: pb, into: &bidQuantities)
        Self.allocate(total, side: asks, marginal: pa, into: &askQuantities)
        return (bidQuantities, askQuantities)
    }

    /// `side` is in merit order: the orders better than `marginal` are a prefix, those at it
    /// the run right after.
    private static func allocate(_ total: UInt64, side: [SlotEntry], marginal: UInt64, into quantities: inout [UInt64])
    {
        var remaining = total
        var k = 0
        while k < side.count, side[k].limit != marginal {
            quantities[k] = side[k].quantity
            remaining -= side[k].quantity
            k += 1
        }
        var end = k
        while end < side.count, side[end].limit == marginal { end += 1 }
        for (offset, share) in Rationing.proRata(remaining, over: side[k..<end]).enumerated() {
            quantities[k + offset] = share
        }
    }

    /// The fills of a slot from quantities aligned with `bids` and `asks`, each priced by
    /// `price`, and the Wh bought.
    func fills(_ bidQuantities: [UInt64], _ askQuantities: [UInt64], price: (SlotEntry) -> UInt64)
        -> ([SlotFill], UInt64)
    {
        var fills = [SlotFill]()
        var traded: UInt64 = 0
        for (k, bid) in bids.enumerated() where bidQuantities[k] > 0 {
            fills.append(SlotFill(entry: bid, quantity: bidQuantities[k], price: price(bid)))
            traded += bidQuantities[k]
        }
        for (k, ask) in asks.enumerated() where askQuantities[k] > 0 {
            fills.append(SlotFill(entry: ask, quantity: askQuantities[k], price: price(ask)))
        }
        return (fills, traded)
    }
}
