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
        MeritOrderWalk.clearEachSlot(orders: orders, slots: slots, clearSlot)
    }

    func clearSlot(slot: Int, book: [ClearingOrder]) -> (SlotClearing, [OrderFill]) {
        let walk = MeritOrderWalk(book: book)
        guard walk.volume > 0, let pb = walk.marginalBid, let pa = walk.marginalAsk else {
            return (SlotClearing(slot: slot, price: nil, volumeWh: 0), [])
        }
        // Rejected orders: strictly worse than the marginal price of their side.
        let bestRejectedBid = walk.bids.first { $0.limitPrice < pb }?.limitPrice
        let bestRejectedAsk = walk.asks.first { $0.limitPrice > pa }?.limitPrice
        let low = boundByRejected ? max(pa, bestRejectedBid ?? 0) : pa
        let high = boundByRejected ? min(pb, bestRejectedAsk ?? UInt64.max) : pb
        let price = choose(low: low, high: high)
        let quantities = Self.removeSelfTrades(walk.allocate(walk.volume), book: book)
        let fills = book.compactMap { order -> OrderFill? in
            guard let q = quantities[order.id], q > 0 else { return nil }
            return OrderFill(orderID: order.id, quantityWh: q, price: price)
        }
        let traded = fills.filter { f in walk.bids.contains { $0.id == f.orderID } }.reduce(0) { $0 + $1.quantityWh }
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

    /// Splits `total` Wh over `orders` pro rata to their quantities by `LargestRemainder.split`
    /// (floors first, then one Wh each to the largest remainders), remainder ties by order id.
    /// Σ shares == total whenever total ≤ Σ quantities.
    static func proRata(_ total: UInt64, over orders: [ClearingOrder]) -> [UInt64] {
        let byID = orders.indices.sorted { orders[$0].id != orders[$1].id ? orders[$0].id < orders[$1].id : $0 < $1 }
        let split = LargestRemainder.split(total, weights: byID.map { orders[$0].quantityWh })
        var shares = [UInt64](repeating: 0, count: orders.count)
        for (position, index) in byID.enumerated() { shares[index] = split[position] }
        return shares
    }

    /// Takes each member's smaller filled side off both of its sides in the slot.
    static func removeSelfTrades(_ quantities: [String: UInt64], book: [ClearingOrder]) -> [String: UInt64] {
        var result = quantities
        for (_, orders) in Dictionary(grouping: book, by: \.member) {
            let buys = orders.filter { $0.side == .buy }.sorted { $0.id < $1.id }
            let sells = orders.filter { $0.side == .sell }.sorted { $0.id < $1.id }
            let bought = buys.reduce(0) { $0 + (result[$1.id] ?? 0) }
            let sold = sells.reduce(0) { $0 + (result[$1.id] ?? 0) }
            var overlap = min(bought, sold)
            guard overlap > 0 else { continue }
            for side in [buys, sells] {
                var cut = overlap
                for order in side.reversed() where cut > 0 {
                    let q = result[order.id] ?? 0
                    let take = min(q, cut)
                    result[order.id] = q - take
                    cut -= take
                }
            }
            overlap = 0
        }
        return result
    }
}
