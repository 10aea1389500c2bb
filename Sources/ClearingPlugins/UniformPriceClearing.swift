import BigInt
import Market

/// `uniform-price` (pay-as-clear): each slot clears at one price. Orders are taken in merit
/// order (bids by descending limit, asks by ascending limit; equal limits by order id) while the
/// best remaining bid is at least the best remaining ask, which gives the largest tradable
/// volume. Orders better than the marginal price are filled completely; the orders at the
/// marginal price of each side share what is left pro rata to their quantities, in whole Wh,
/// by the largest-remainder rule (remainder ties by order id). The price is chosen by `rule`
/// inside the interval where no filled order would rather not trade and no rejected order
/// would rather trade: [max(marginal ask, best rejected bid), min(marginal bid, best rejected ask)].
/// A member filled on both sides of one slot would trade with itself: the smaller of its two
/// filled volumes is taken off both sides (from its orders in descending id order),
/// which keeps every slot balanced. See docs/clearing.md.
public struct UniformPriceClearing: Sendable {
    public var rule: PriceRule
    /// When false the interval is only [marginal ask, marginal bid] (the k-double auction's
    /// pair), without the rejected orders' bounds.
    public var boundByRejected: Bool

    public init(rule: PriceRule = .midpoint, boundByRejected: Bool = true) {
        self.rule = rule
        self.boundByRejected = boundByRejected
    }

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        IndexedBook.clearEachSlot(orders: orders, slots: slots, clearSlot)
    }

    func clearSlot(slot: Int, entries: [SlotEntry], marks: MemberMarks) -> (SlotClearing, [SlotFill]) {
        let walk = MeritOrderWalk(entries)
        guard walk.volume > 0, let pb = walk.marginalBid, let pa = walk.marginalAsk else {
            return (SlotClearing(slot: slot, price: nil, volumeWh: 0), [])
        }
        // Rejected orders: strictly worse than the marginal price of their side.
        let bestRejectedBid = walk.bids.first { $0.limit < pb }?.limit
        let bestRejectedAsk = walk.asks.first { $0.limit > pa }?.limit
        let low = boundByRejected ? max(pa, bestRejectedBid ?? 0) : pa
        let high = boundByRejected ? min(pb, bestRejectedAsk ?? UInt64.max) : pb
        let price = choose(low: low, high: high)
        var (bidQuantities, askQuantities) = walk.allocate(walk.volume)
        Rationing.removeSelfTrades(
            bids: walk.bids, &bidQuantities, asks: walk.asks, &askQuantities, marks: marks)
        let (fills, traded) = walk.fills(bidQuantities, askQuantities) { _ in price }
        return (SlotClearing(slot: slot, price: traded > 0 ? price : nil, volumeWh: traded), fills)
    }

    func choose(low: UInt64, high: UInt64) -> UInt64 {
        switch rule {
        case .midpoint: return low + (high - low) / 2
        case .bid: return high
        case .ask: return low
        case .k(let numerator, let denominator):
            guard denominator > 0 else { return low }
            let span = BigUInt(high - low) * BigUInt(min(numerator, denominator)) / BigUInt(denominator)
            return low + UInt64(span)
        }
    }
}
