/// `mcafee`: McAfee's (1992) trade-reduction double auction, with one Wh as the unit. Let Q be
/// the merit-order volume, pb and pa the limits of the last bid and ask that trade, and b′, s′
/// the limits of the first Wh that does not. If p0 = floor((b′ + s′) / 2) lies in [pa, pb], all
/// Q Wh trade at p0. Otherwise (or when b′ or s′ does not exist) one Wh fewer trades — taken from
/// the marginal orders by the same largest-remainder rule — and buyers pay pb while sellers
/// receive pa: truthful bidding is dominant, and the spread goes to the community treasury.
public struct McAfeeClearing: Sendable, ClearingMechanism {
    public init() {}

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        MeritOrderWalk.clearEachSlot(orders: orders, slots: slots) { slot, book in
            let walk = MeritOrderWalk(book: book)
            guard walk.volume > 0, let pb = walk.marginalBid, let pa = walk.marginalAsk else {
                return (SlotClearing(slot: slot, price: nil, volumeWh: 0), [])
            }
            var uniform: UInt64?
            if let b = walk.nextBid, let s = walk.nextAsk {
                let p0 = UInt64((UInt128(b) + UInt128(s)) / 2)
                if pa <= p0 && p0 <= pb { uniform = p0 }
            }
            let total = uniform == nil ? walk.volume - 1 : walk.volume
            let quantities = UniformPriceClearing.removeSelfTrades(walk.allocate(total), book: book)
            var traded: UInt64 = 0
            var fills = [OrderFill]()
            for order in book {
                guard let q = quantities[order.id], q > 0 else { continue }
                let price = uniform ?? (order.side == .buy ? pb : pa)
                fills.append(OrderFill(orderID: order.id, quantityWh: q, price: price))
                if order.side == .buy { traded += q }
            }
            return (SlotClearing(slot: slot, price: traded > 0 ? uniform : nil, volumeWh: traded), fills)
        }
    }
}
