import Market

/// `pay-as-bid` and `pay-as-offer`: the same volume and the same fills as `uniform-price`, but
/// each unit trades at a price of its own match. Filled bids and asks are paired in merit order
/// (best bid with best ask, whole Wh); in pay-as-bid a match is priced at its bid, in
/// pay-as-offer at its ask. Every order ends with one price (the contract takes one per fill):
/// the side whose limit sets the match price gets exactly its limit; the other side gets the
/// volume-weighted average of its matches, rounded down for sellers in pay-as-bid and up for
/// buyers in pay-as-offer, so the pool always covers what sellers are owed; the difference is
/// dust for the community treasury.
public struct DiscriminatoryClearing: Sendable, ClearingMechanism {
    public enum Mode: Sendable { case payAsBid, payAsOffer }
    public var mode: Mode

    public init(mode: Mode) { self.mode = mode }

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        IndexedBook.clearEachSlot(orders: orders, slots: slots) { slot, entries, marks in
            let walk = MeritOrderWalk(entries)
            var (bidQuantities, askQuantities) = walk.allocate(walk.volume)
            Rationing.removeSelfTrades(
                bids: walk.bids, &bidQuantities, asks: walk.asks, &askQuantities, marks: marks)
            // The filled orders, still in merit order, with their quantities.
            let bids = walk.bids.indices.filter { bidQuantities[$0] > 0 }.map { (walk.bids[$0], bidQuantities[$0]) }
            let asks = walk.asks.indices.filter { askQuantities[$0] > 0 }.map { (walk.asks[$0], askQuantities[$0]) }
            // Value each order pays or receives across its matches (< 2^128: Σ q ≤ its quantity).
            var bidValue = [UInt128](repeating: 0, count: bids.count)
            var askValue = [UInt128](repeating: 0, count: asks.count)
            var i = 0
            var j = 0
            var bidLeft = bids.first?.1 ?? 0
            var askLeft = asks.first?.1 ?? 0
            while i < bids.count, j < asks.count {
                let q = min(bidLeft, askLeft)
                let price = mode == .payAsBid ? bids[i].0.limit : asks[j].0.limit
                bidValue[i] += UInt128(q) * UInt128(price)
                askValue[j] += UInt128(q) * UInt128(price)
                bidLeft -= q
                askLeft -= q
                if bidLeft == 0 {
                    i += 1
                    bidLeft = i < bids.count ? bids[i].1 : 0
                }
                if askLeft == 0 {
                    j += 1
                    askLeft = j < asks.count ? asks[j].1 : 0
                }
            }
            var fills = [SlotFill]()
            for (side, values) in [(bids, bidValue), (asks, askValue)] {
                for ((entry, quantity), total) in zip(side, values) {
                    let q = UInt128(quantity)
                    let price: UInt64
                    switch (mode, entry.isBuy) {
                    case (.payAsBid, true), (.payAsOffer, false): price = entry.limit
                    case (.payAsBid, false): price = UInt64(total / q)
                    case (.payAsOffer, true): price = UInt64((total + q - 1) / q)
                    }
                    fills.append(SlotFill(entry: entry, quantity: quantity, price: price))
                }
            }
            let volume = bids.reduce(0) { $0 + $1.1 }
            return (SlotClearing(slot: slot, price: nil, volumeWh: volume), fills)
        }
    }
}
