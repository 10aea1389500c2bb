import BigInt

/// `sdr`: supply-demand-ratio community pricing (Liu et al. 2017; Zhou et al. 2018). With the
/// feed-in price λs and the retail price λb (base units per kWh, λs ≤ λb) and SDR = supply /
/// demand of a slot, the community price is λs·λb / ((λb − λs)·SDR + λs) when SDR < 1 and λs
/// when SDR ≥ 1, computed on integers (SDR as the fraction supply/demand) and rounded down.
///
/// Adapted to orders with limits: at a candidate price p only bids with limit ≥ p and asks
/// with limit ≤ p take part, so the formula's value g(p) falls as p rises. The slot clears at
/// the largest integer p in [λs, λb] with g(p) ≥ p (found by bisection; it always exists since
/// g ≥ λs). When no limit binds this is exactly floor(formula). Everyone taking part trades at
/// p; the traded volume is min(supply, demand) and the long side is rationed pro rata (see
/// `FixedPriceSlot`). See docs/clearing.md.
public struct SupplyDemandRatioClearing: Sendable, ClearingMechanism {
    /// λs: what the grid pays for exported energy (base units per kWh).
    public var feedInPrice: UInt64
    /// λb: what the grid charges for imported energy (base units per kWh).
    public var retailPrice: UInt64

    /// `feedInPrice` ≤ `retailPrice` is expected; if they are swapped, the smaller is taken as λs.
    public init(feedInPrice: UInt64, retailPrice: UInt64) {
        self.feedInPrice = min(feedInPrice, retailPrice)
        self.retailPrice = max(feedInPrice, retailPrice)
    }

    /// The published formula on an exact ratio supply/demand, rounded down. No demand counts as
    /// SDR ≥ 1 (λs); no supply as SDR = 0 (λb).
    public func formulaPrice(supply: UInt128, demand: UInt128) -> UInt64 {
        let (ls, lb) = (feedInPrice, retailPrice)
        guard demand > 0, supply < demand, ls < lb else { return ls }
        guard supply > 0 else { return lb }
        // λs·λb / ((λb − λs)·S/D + λs) = λs·λb·D / ((λb − λs)·S + λs·D)
        let numerator = BigUInt(ls) * BigUInt(lb) * BigUInt(demand)
        let denominator = BigUInt(lb - ls) * BigUInt(supply) + BigUInt(ls) * BigUInt(demand)
        return UInt64(numerator / denominator)
    }

    /// Every fill lies in [λs, λb].
    public var priceBounds: ClearingVerifier.Bounds? { .init(minimum: feedInPrice, maximum: retailPrice) }

    public func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult {
        IndexedBook.clearEachSlot(orders: orders, slots: slots) { slot, entries, marks in
            FixedPriceSlot.clear(slot: slot, entries: entries, price: price(of: entries), marks: marks)
        }
    }

    /// The slot's price: the largest p in [λs, λb] with g(p) ≥ p.
    func price(of entries: [SlotEntry]) -> UInt64 {
        let curve = SupplyDemandCurve(entries)
        var low = feedInPrice
        var high = retailPrice
        while low < high {
            let mid = low + (high - low) / 2 + (high - low) % 2
            let (supply, demand) = curve.at(mid)
            if formulaPrice(supply: supply, demand: demand) >= mid { low = mid } else { high = mid - 1 }
        }
        return low
    }
}

/// Participating supply (asks with limit ≤ p) and demand (bids with limit ≥ p) at any price p,
/// in O(log n) after sorting the limits once.
struct SupplyDemandCurve {
    /// Ask limits ascending, with running quantity sums.
    private var askLimits = [UInt64]()
    private var askSums = [UInt128]()
    /// Bid limits ascending, with quantity sums from each index to the end.
    private var bidLimits = [UInt64]()
    private var bidSums = [UInt128]()

    init(_ entries: [SlotEntry]) {
        let asks = entries.filter { !$0.isBuy }.sorted { $0.limit < $1.limit }
        let bids = entries.filter(\.isBuy).sorted { $0.limit < $1.limit }
        var sum: UInt128 = 0
        for ask in asks {
            sum += UInt128(ask.quantity)
            askLimits.append(ask.limit)
            askSums.append(sum)
        }
        bidLimits = bids.map(\.limit)
        bidSums = [UInt128](repeating: 0, count: bids.count + 1)
        for index in bids.indices.reversed() { bidSums[index] = bidSums[index + 1] + UInt128(bids[index].quantity) }
    }

    func at(_ price: UInt64) -> (supply: UInt128, demand: UInt128) {
        // Asks with limit ≤ price: the first index whose limit > price.
        let askCount = Self.firstIndex(in: askLimits) { $0 > price }
        let firstBid = Self.firstIndex(in: bidLimits) { $0 >= price }
        return (askCount == 0 ? 0 : askSums[askCount - 1], bidSums.isEmpty ? 0 : bidSums[firstBid])
    }

    /// The first index where `predicate` holds in an array where it is monotone (false, then true).
    static func firstIndex(in limits: [UInt64], where predicate: (UInt64) -> Bool) -> Int {
        var low = 0
        var high = limits.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(limits[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
