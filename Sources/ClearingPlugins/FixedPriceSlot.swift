/// One slot traded at a price set from outside the book (the community-pricing mechanisms
/// `sdr` and `mid-market-rate`): every bid with limit ≥ price and every ask with limit ≤ price
/// takes part, as price-takers. The traded volume is min(supply, demand) (at most 2^64 − 1 Wh);
/// the short side fills completely, the long side shares the volume pro rata to its quantities
/// by the largest-remainder rule (remainder ties by order id), whatever the limits. Self-trades
/// are then taken off as in `uniform-price`.
enum FixedPriceSlot {
    static func clear(slot: Int, entries: [SlotEntry], price: UInt64, marks: MemberMarks) -> (SlotClearing, [SlotFill])
    {
        var buyers = [SlotEntry]()
        var sellers = [SlotEntry]()
        var demand: UInt128 = 0
        var supply: UInt128 = 0
        for entry in entries {
            if entry.isBuy, entry.limit >= price {
                buyers.append(entry)
                demand += UInt128(entry.quantity)
            } else if !entry.isBuy, entry.limit <= price {
                sellers.append(entry)
                supply += UInt128(entry.quantity)
            }
        }
        let volume = UInt64(min(supply, demand, UInt128(UInt64.max)))
        guard volume > 0 else { return (SlotClearing(slot: slot, price: nil, volumeWh: 0), []) }
        var bidQuantities = share(volume, over: buyers, sum: demand)
        var askQuantities = share(volume, over: sellers, sum: supply)
        Rationing.removeSelfTrades(bids: buyers, &bidQuantities, asks: sellers, &askQuantities, marks: marks)
        var traded: UInt64 = 0
        var fills = [SlotFill]()
        for (k, buyer) in buyers.enumerated() where bidQuantities[k] > 0 {
            fills.append(SlotFill(entry: buyer, quantity: bidQuantities[k], price: price))
            traded += bidQuantities[k]
        }
        for (k, seller) in sellers.enumerated() where askQuantities[k] > 0 {
            fills.append(SlotFill(entry: seller, quantity: askQuantities[k], price: price))
        }
        return (SlotClearing(slot: slot, price: traded > 0 ? price : nil, volumeWh: traded), fills)
    }

    /// Everyone's full quantity if the side is short, else a pro-rata share of `volume`.
    private static func share(_ volume: UInt64, over side: [SlotEntry], sum: UInt128) -> [UInt64] {
        sum == UInt128(volume) ? side.map(\.quantity) : Rationing.proRata(volume, over: side[...])
    }
}
