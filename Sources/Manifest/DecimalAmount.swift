import BigInt

/// Exact decimal text ↔ integer base units (no floating point anywhere).
public enum DecimalAmount {
    /// Parses `text` ("12", "0.215", "1_000.5") into an integer scaled by 10^decimals. Returns
    /// nil for anything else, including more fractional digits than `decimals` (which would
    /// need rounding).
    public static func parse(_ text: String, decimals: Int) -> BigUInt? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.count <= decimals,
            parts.count == 1 || !fraction.isEmpty
        else { return nil }
        fraction += String(repeating: "0", count: decimals - fraction.count)
        return BigUInt(String(whole) + fraction, radix: 10)
    }

    /// Formats base units as decimal text with exactly `decimals` digits after the point.
    public static func format(_ value: BigUInt, decimals: Int) -> String {
        guard decimals > 0 else { return String(value) }
        let digits = String(value)
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        return String(padded.dropLast(decimals)) + "." + String(padded.suffix(decimals))
    }
}
