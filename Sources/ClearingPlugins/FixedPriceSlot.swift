/// One slot traded at a price set from outside the book (the community-pricing mechanisms
/// `sdr` and `mid-market-rate`): every bid with limit ≥ price and every ask with limit ≤ price
/// takes part, as price-takers. The traded volume is min(supply, demand) (at most 2^64 − 1 Wh);
/// the short side fills completely, the long side shares the volume pro rata to its quantities
/// by the largest-remainder rule (remainder ties by order id), whatever the limits. Self-trades
/// are then taken off as in `uniform-price`.
enum FixedPriceSlot {
    static func clear(slot: Int, book: [ClearingOrder], price: UInt64) -> (SlotClearing, [OrderFill]) {
        let buyers = book.filter { $0.side == .buy && $0.limitPrice >= price }.sorted { $0.id < $1.id }
        let sellers = book.filter { $0.side == .sell && $0.limitPrice <= price }.sorted { $0.id < $1.id }
        let demand = buyers.reduce(UInt128(0)) { $0 + UInt128($1.quantityWh) }
        let supply = sellers.reduce(UInt128(0)) { $0 + UInt128($1.quantityWh) }
        let volume = UInt64(min(supply, demand, UInt128(UInt64.max)))
        guard volume > 0 else { return (SlotClearing(slot: slot, price: nil, volumeWh: 0), []) }
        var quantities = [String: UInt64]()
        for (side, total) in [(buyers, demand), (sellers, supply)] {
            if total == UInt128(volume) {
                for order in side { quantities[order.id] = order.quantityWh }
            } else {
                for (order, share) in zip(side, UniformPriceClearing.proRata(volume, over: side)) {
                    quantities[order.id] = share
                }
            }
        }
        quantities = UniformPriceClearing.removeSelfTrades(quantities, book: book)
        var traded: UInt64 = 0
        var fills = [OrderFill]()
        for order in buyers + sellers {
            guard let q = quantities[order.id], q > 0 else { continue }
            fills.append(OrderFill(orderID: order.id, quantityWh: q, price: price))
            if order.side == .buy { traded += q }
        }
        return (SlotClearing(slot: slot, price: traded > 0 ? price : nil, volumeWh: traded), fills)
    }
}
