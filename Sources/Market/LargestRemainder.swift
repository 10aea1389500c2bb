import BigInt

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
        let sum = weights.reduce(BigUInt(0)) { $0 + BigUInt($1) }
        guard sum > 0, total > 0 else { return weights.map { _ in 0 } }
        var shares = [UInt64]()
        var remainders = [(BigUInt, Int)]()
        shares.reserveCapacity(weights.count)
        for (index, weight) in weights.enumerated() {
            let (q, r) = (BigUInt(total) * BigUInt(weight)).quotientAndRemainder(dividingBy: sum)
            shares.append(UInt64(q))
            remainders.append((r, index))
        }
        var leftover = total - shares.reduce(0, +)
        let order = remainders.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        for (_, index) in order where leftover > 0 {
            shares[index] += 1
            leftover -= 1
        }
        return shares
    }
}
