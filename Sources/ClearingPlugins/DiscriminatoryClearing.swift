import BigInt
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
        MeritOrderWalk.clearEachSlot(orders: orders, slots: slots) { slot, book in
            let walk = MeritOrderWalk(book: book)
            let quantities = UniformPriceClearing.removeSelfTrades(walk.allocate(walk.volume), book: book)
            // The filled orders, still in merit order, with their quantities.
            let bids = walk.bids.compactMap { o in quantities[o.id].flatMap { $0 > 0 ? (o, $0) : nil } }
            let asks = walk.asks.compactMap { o in quantities[o.id].flatMap { $0 > 0 ? (o, $0) : nil } }
            // Value each order pays or receives across its matches.
            var value = [String: BigUInt]()
            var i = 0
            var j = 0
            var bidLeft = bids.first?.1 ?? 0
            var askLeft = asks.first?.1 ?? 0
            while i < bids.count, j < asks.count {
                let q = min(bidLeft, askLeft)
                let price = mode == .payAsBid ? bids[i].0.limitPrice : asks[j].0.limitPrice
                value[bids[i].0.id, default: 0] += BigUInt(q) * BigUInt(price)
                value[asks[j].0.id, default: 0] += BigUInt(q) * BigUInt(price)
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
            var fills = [OrderFill]()
            for (order, quantity) in bids + asks {
                let total = value[order.id] ?? 0
                let q = BigUInt(quantity)
                let price: UInt64
                switch (mode, order.side) {
                case (.payAsBid, .buy), (.payAsOffer, .sell): price = order.limitPrice
                case (.payAsBid, .sell): price = UInt64(total / q)
                case (.payAsOffer, .buy): price = UInt64((total + q - 1) / q)
                }
                fills.append(OrderFill(orderID: order.id, quantityWh: quantity, price: price))
            }
            let volume = bids.reduce(0) { $0 + $1.1 }
            return (SlotClearing(slot: slot, price: nil, volumeWh: volume), fills)
        }
    }
}
