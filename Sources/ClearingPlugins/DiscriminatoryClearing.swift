import BigInt
import Market

/// `pay-as-bid` and `pay-as-offer`: the same volume and the same fills as `uniform-price`, but
/// each unit trades at a price of its own match. Filled bids and asks are paired in merit order
/// (best bid with best ask, whole Wh); in pay-as-bid a match is priced at its bid, in
/// pay-as-offer at its ask. Every order ends with one price (the contract takes one per fill):
/// the side whose limit sets the match price gets exactly its limit; the other side gets the
/// volume-weighted average of its matches, rounded down for buyers' counterparties (sellers in
/// pay-as-bid receive less or equal) and up for sellers' counterparties (buyers in pay-as-offer
/// pay more or equal), so the pool always covers what sellers are owed; the difference is dust
/// for the community treasury.
public struct DiscriminatoryClearing: Sendable {
    public enum Mode: Sendable { case payAsBid, payAsOffer }
    public var mode: Mode

    public init(mode: Mode) { self.mode = mode }

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        let uniform = UniformPriceClearing().clear(orders: orders, slots: slots)
        let byID = Dictionary(orders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var fills = [OrderFill]()
        var slotResults = [SlotClearing]()
        for slot in 0..<slots {
            let slotFills = uniform.fills.filter { byID[$0.orderID]?.slot == slot }
            let bids = slotFills.filter { byID[$0.orderID]?.side == .buy }.sorted {
                let (a, b) = (byID[$0.orderID]!, byID[$1.orderID]!)
                return a.limitPrice != b.limitPrice ? a.limitPrice > b.limitPrice : a.id < b.id
            }
            let asks = slotFills.filter { byID[$0.orderID]?.side == .sell }.sorted {
                let (a, b) = (byID[$0.orderID]!, byID[$1.orderID]!)
                return a.limitPrice != b.limitPrice ? a.limitPrice < b.limitPrice : a.id < b.id
            }
            // Value each order receives or pays across its matches.
            var value = [String: BigUInt]()
            var i = 0
            var j = 0
            var bidLeft = bids.first?.quantityWh ?? 0
            var askLeft = asks.first?.quantityWh ?? 0
            while i < bids.count, j < asks.count {
                let q = min(bidLeft, askLeft)
                let price = mode == .payAsBid ? byID[bids[i].orderID]!.limitPrice : byID[asks[j].orderID]!.limitPrice
                value[bids[i].orderID, default: 0] += BigUInt(q) * BigUInt(price)
                value[asks[j].orderID, default: 0] += BigUInt(q) * BigUInt(price)
                bidLeft -= q
                askLeft -= q
                if bidLeft == 0 {
                    i += 1
                    bidLeft = i < bids.count ? bids[i].quantityWh : 0
                }
                if askLeft == 0 {
                    j += 1
                    askLeft = j < asks.count ? asks[j].quantityWh : 0
                }
            }
            for fill in bids + asks {
                let order = byID[fill.orderID]!
                let total = value[fill.orderID] ?? 0
                let q = BigUInt(fill.quantityWh)
                let price: UInt64
                switch (mode, order.side) {
                case (.payAsBid, .buy), (.payAsOffer, .sell): price = order.limitPrice
                case (.payAsBid, .sell): price = UInt64(total / q)
                case (.payAsOffer, .buy): price = UInt64((total + q - 1) / q)
                }
                fills.append(OrderFill(orderID: fill.orderID, quantityWh: fill.quantityWh, price: price))
            }
            let volume = bids.reduce(0) { $0 + $1.quantityWh }
            slotResults.append(SlotClearing(slot: slot, price: nil, volumeWh: volume))
        }
        fills.sort { $0.orderID < $1.orderID }
        return ClearingResult(slots: slotResults, fills: fills)
    }
}
