/// `mid-market-rate` (Long et al. 2017): every slot trades inside the community at
/// P_mid = λs + floor((λb − λs) / 2), the midpoint of the feed-in price λs and the retail price
/// λb (base units per kWh). Bids with limit ≥ P_mid and asks with limit ≤ P_mid take part; the
/// traded volume is min(supply, demand) and the long side is rationed pro rata (see
/// `FixedPriceSlot`).
///
/// The published mechanism blends P_mid with λs for sellers when supply exceeds demand (with λb
/// for buyers in the opposite case); that blend is the average over a member's whole energy,
/// including the part exported to or imported from the grid at λs / λb. Here a fill covers only
/// the energy traded inside the community, so every fill is priced P_mid and the grid part is
/// settled by the grid, outside the market: a member's average over both equals the published
/// blend (up to the rounding of P_mid). See docs/clearing.md.
public struct MidMarketRateClearing: Sendable, ClearingMechanism {
    public var feedInPrice: UInt64
    public var retailPrice: UInt64

    /// If the prices are swapped, the smaller is taken as λs.
    public init(feedInPrice: UInt64, retailPrice: UInt64) {
        self.feedInPrice = min(feedInPrice, retailPrice)
        self.retailPrice = max(feedInPrice, retailPrice)
    }

    /// P_mid, rounded down.
    public var midPrice: UInt64 { feedInPrice + (retailPrice - feedInPrice) / 2 }

    /// Every fill lies in [λs, λb].
    public var priceBounds: ClearingVerifier.Bounds? { .init(minimum: feedInPrice, maximum: retailPrice) }

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        let price = midPrice
        return IndexedBook.clearEachSlot(orders: orders, slots: slots) { slot, entries, marks in
            FixedPriceSlot.clear(slot: slot, entries: entries, price: price, marks: marks)
        }
    }
}
