import BigInt

/// Errors raised when parsing JSON-RPC quantities.
public enum QuantityError: Error, Equatable, CustomStringConvertible {
    case notQuantity(String)
    case overflow(String, bits: Int)

    public var description: String {
        switch self {
        case .notQuantity(let text): return "\"\(Hex.abbreviate(text))\" is not a 0x-prefixed hex quantity"
        case .overflow(let text, let bits): return "quantity \(text) does not fit in \(bits) bits"
        }
    }
}

/// JSON-RPC quantities: `0x`-prefixed hex without leading zeros (`"0x0"` for zero).
public enum Quantity {
    /// Minimal hex text of `value`.
    public static func encode(_ value: BigUInt) -> String {
        "0x" + String(value, radix: 16)
    }

    /// Minimal hex text of `value`.
    public static func encode<I: BinaryInteger>(_ value: I) -> String {
        "0x" + String(value, radix: 16)
    }

    /// Parses a quantity. Leading zeros are tolerated (some nodes send them).
    public static func decode(_ text: String) throws(QuantityError) -> BigUInt {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { throw .notQuantity(text) }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { throw .notQuantity(text) }
        guard let value = BigUInt(String(digits), radix: 16) else { throw .notQuantity(text) }
        return value
    }

    /// Parses a quantity that must fit in 64 bits.
    public static func decodeUInt64(_ text: String) throws(QuantityError) -> UInt64 {
        let value = try decode(text)
        guard value.bitWidth <= 64 else { throw .overflow(text, bits: 64) }
        return UInt64(value)
    }
}

extension BigUInt {
    /// Big-endian bytes without leading zeros (empty for zero), as RLP wants them.
    public var minimalBytes: [UInt8] {
        Array(serialize())
    }

    /// Big-endian bytes left-padded to `width`. Traps if the value does not fit.
    public func paddedBytes(_ width: Int = 32) -> [UInt8] {
        let raw = minimalBytes
        precondition(raw.count <= width, "value does not fit in \(width) bytes")
        return [UInt8](repeating: 0, count: width - raw.count) + raw
    }
}
