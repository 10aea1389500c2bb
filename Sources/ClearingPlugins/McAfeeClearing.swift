/// `mcafee`: McAfee's (1992) trade-reduction double auction, with one Wh as the unit. Let Q be
/// the merit-order volume, pb and pa the limits of the last bid and ask that trade, and b′, s′
/// the limits of the first Wh that does not. If p0 = floor((b′ + s′) / 2) lies in [pa, pb], all
/// Q Wh trade at p0. Otherwise (or when b′ or s′ does not exist) one Wh fewer trades — taken from
/// the marginal orders by the same largest-remainder rule — and buyers pay pb while sellers
/// receive pa: truthful bidding is dominant, and the spread goes to the community treasury.
public struct McAfeeClearing: Sendable, ClearingMechanism {
    public init() {}

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        IndexedBook.clearEachSlot(orders: orders, slots: slots) { slot, entries, marks in
            let walk = MeritOrderWalk(entries)
            guard walk.volume > 0, let pb = walk.marginalBid, let pa = walk.marginalAsk else {
                return (SlotClearing(slot: slot, price: nil, volumeWh: 0), [])
            }
            var uniform: UInt64?
            if let b = walk.nextBid, let s = walk.nextAsk {
                let p0 = UInt64((UInt128(b) + UInt128(s)) / 2)
                if pa <= p0 && p0 <= pb { uniform = p0 }
            }
            var (bidQuantities, askQuantities) = walk.allocate(uniform == nil ? walk.volume - 1 : walk.volume)
            Rationing.removeSelfTrades(
                bids: walk.bids, &bidQuantities, asks: walk.asks, &askQuantities, marks: marks)
            let (fills, traded) = walk.fills(bidQuantities, askQuantities) { uniform ?? ($0.isBuy ? pb : pa) }
            return (SlotClearing(slot: slot, price: traded > 0 ? uniform : nil, volumeWh: traded), fills)
        }
    }
}
