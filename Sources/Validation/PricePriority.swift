import BigInt
import Market

/// Validation of a slot whose fills carry different prices (pay-as-bid, pay-as-offer, external
/// plugins). Scaling both sides pro rata by Wh, as for a single price, could leave buyers paying
/// less than sellers are owed (`finalizeValidation` reverts with `ValueImbalance`): a seller that
/// fails takes its matched buyer's Wh with it, but pro rata would cut every buyer.
///
/// Instead each side keeps its best-priced deliverable Wh first — buyers the highest prices,
/// sellers the lowest, equal prices shared by `LargestRemainder.split` in member and fill
/// order — and the volume is the largest V ≤ min(Σ sellers' D, Σ buyers' D) at which what the
/// kept buyers pay covers what the kept sellers are owed. With prices that come from the
/// matched counterpart (pay-as-bid, pay-as-offer) that is the full minimum; V only shrinks when
/// no choice of Wh could balance.
extension ValidationEngine {
    /// One fill's deliverable Wh and price.
    struct PricedUnit {
        var position: Int
        var fill: Int
        var price: UInt64
        var wh: UInt64
    }

    /// True when the slot needs price priority: more than one price on a side, or buyers'
    /// price below sellers'.
    func needsPricePriority(_ ids: [Int], positions: [Position], members: [ValidationMember]) -> Bool {
        var buyPrices = Set<UInt64>()
        var sellPrices = Set<UInt64>()
        for p in ids {
            for f in positions[p].fills {
                let price = members[positions[p].member].fills[f].price
                if positions[p].side == .buy { buyPrices.insert(price) } else { sellPrices.insert(price) }
            }
        }
        if buyPrices.count > 1 || sellPrices.count > 1 { return true }
        if let b = buyPrices.first, let s = sellPrices.first { return b < s }
        return false
    }

    /// The side's deliverable Wh per fill (each position's D split over its fills pro rata by
    /// quantity), best price first.
    func units(_ side: [Int], positions: [Position], members: [ValidationMember]) -> [PricedUnit] {
        guard let first = side.first else { return [] }
        var units = [PricedUnit]()
        for p in side {
            let fills = members[positions[p].member].fills
            let shares = LargestRemainder.split(
                positions[p].deliverableWh, weights: positions[p].fills.map { fills[$0].quantityWh })
            for (f, wh) in zip(positions[p].fills, shares) {
                units.append(PricedUnit(position: p, fill: f, price: fills[f].price, wh: wh))
            }
        }
        let buying = positions[first].side == .buy
        // Stable: equal prices stay in member (address) and fill order.
        return units.enumerated().sorted { a, b in
            if a.element.price != b.element.price {
                return buying ? a.element.price > b.element.price : a.element.price < b.element.price
            }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Takes `volume` Wh from `units` in order; a price level that does not fit whole is shared
    /// pro rata. Returns Wh per unit.
    func take(_ volume: UInt64, from units: [PricedUnit]) -> [UInt64] {
        var taken = [UInt64](repeating: 0, count: units.count)
        var left = volume
        var start = 0
        while start < units.count, left > 0 {
            var end = start
            var level: UInt64 = 0
            while end < units.count, units[end].price == units[start].price {
                level += units[end].wh
                end += 1
            }
            let shares =
                level <= left
                ? units[start..<end].map(\.wh) : LargestRemainder.split(left, weights: units[start..<end].map(\.wh))
            for (offset, share) in shares.enumerated() { taken[start + offset] = share }
            left -= shares.reduce(0, +)
            start = end
        }
        return taken
    }

    /// Σ Wh × price (exact, before the contract's per-member rounding).
    func value(_ units: [PricedUnit], _ taken: [UInt64]) -> BigUInt {
        zip(units, taken).reduce(BigUInt(0)) { $0 + BigUInt($1.1) * BigUInt($1.0.price) }
    }

    /// Sets every position's validated Wh (and per-fill split) for a slot by price priority;
    /// returns the volume.
    func validateByPrice(
        sells: [Int], buys: [Int], volume maximum: UInt64, positions: inout [Position], members: [ValidationMember]
    ) -> UInt64 {
        let sellUnits = units(sells, positions: positions, members: members)
        let buyUnits = units(buys, positions: positions, members: members)
        func balanced(_ v: UInt64) -> Bool {
            value(buyUnits, take(v, from: buyUnits)) >= value(sellUnits, take(v, from: sellUnits))
        }
        // The margin is concave in V and 0 at V = 0: the balanced volumes form [0, V*].
        var volume = maximum
        if !balanced(volume) {
            var (low, high) = (UInt64(0), maximum)
            while low + 1 < high {
                let middle = low + (high - low) / 2
                if balanced(middle) { low = middle } else { high = middle }
            }
            volume = low
        }
        for (units, taken) in [(sellUnits, take(volume, from: sellUnits)), (buyUnits, take(volume, from: buyUnits))] {
            for (unit, wh) in zip(units, taken) {
                positions[unit.position].fillValidated[unit.fill, default: 0] += wh
                positions[unit.position].validatedWh += wh
            }
        }
        return volume
    }
}
