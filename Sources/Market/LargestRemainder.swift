/// The largest-remainder pro-rata rule shared by clearing and validation.
public enum LargestRemainder {
    /// Splits `total` whole units over `weights` pro rata: each share is first
    /// floor(total · weight / Σ weights); the units left over then go, one each, to the largest
    /// remainders (total · weight mod Σ weights), equal remainders to the lower index. Callers
    /// order `weights` by their tie-break key.
    ///
    /// Σ shares == total whenever Σ weights > 0, and each share ≤ its weight whenever
    /// total ≤ Σ weights. All zeros when total or Σ weights is zero.
    ///
    /// Example: 10 over [3, 3, 3] → floors [3, 3, 3] (remainders 1, 1, 1), one unit left, to
    /// index 0: [4, 3, 3].
    public static func split(_ total: UInt64, weights: [UInt64]) -> [UInt64] {
        split(total, weights: weights, ranks: nil)
    }

    /// As `split(_:weights:)`, equal remainders going to the lower `ranks[i]` (then the lower
    /// index) instead of the lower index alone — for callers whose order is not their tie-break.
    public static func split(_ total: UInt64, weights: [UInt64], ranks: [Int]?) -> [UInt64] {
        // total · weight < 2^128 and Σ weights < 2^128 for any realistic count: exact in UInt128.
        let sum = weights.reduce(UInt128(0)) { $0 + UInt128($1) }
        guard sum > 0, total > 0 else { return weights.map { _ in 0 } }
        var shares = [UInt64]()
        var remainders = [(UInt128, Int, Int)]()
        shares.reserveCapacity(weights.count)
        remainders.reserveCapacity(weights.count)
        var given: UInt64 = 0
        for (index, weight) in weights.enumerated() {
            let (q, r) = (UInt128(total) * UInt128(weight)).quotientAndRemainder(dividingBy: sum)
            shares.append(UInt64(q))
            given += UInt64(q)
            remainders.append((r, ranks?[index] ?? index, index))
        }
        var leftover = total - given
        guard leftover > 0 else { return shares }
        remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
        for (_, _, index) in remainders where leftover > 0 {
            shares[index] += 1
            leftover -= 1
        }
        return shares
    }
}
