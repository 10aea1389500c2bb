import BigInt

/// An RLP item: a byte string or a list of items.
public enum RLPItem: Equatable, Sendable, CustomStringConvertible {
    case bytes([UInt8])
    case list([RLPItem])

    /// A scalar as its minimal big-endian bytes (zero is the empty string).
    public static func uint<I: BinaryInteger>(_ value: I) -> RLPItem {
        .bytes(BigUInt(value).minimalBytes)
    }

    /// A big scalar as its minimal big-endian bytes.
    public static func uint(_ value: BigUInt) -> RLPItem { .bytes(value.minimalBytes) }

    /// A UTF-8 string.
    public static func string(_ text: String) -> RLPItem { .bytes(Array(text.utf8)) }

    /// The byte string, or nil for a list.
    public var byteValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The list items, or nil for a byte string.
    public var listValue: [RLPItem]? {
        if case .list(let items) = self { return items }
        return nil
    }

    public var description: String {
        switch self {
        case .bytes(let b): return b.hex
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
