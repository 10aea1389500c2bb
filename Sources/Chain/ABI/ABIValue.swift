import BigInt

/// A value to encode with, or decoded from, the Solidity ABI.
public indirect enum ABIValue: Hashable, Sendable, CustomStringConvertible {
    /// `uint<M>`, and the scaled integer of `ufixed<M>x<N>`.
    case uint(BigUInt)
    /// `int<M>`, and the scaled integer of `fixed<M>x<N>`.
    case int(BigInt)
    case address(Address)
    case bool(Bool)
    /// `bytes<M>` and `function` (24 bytes).
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    /// `T[]` and `T[k]`.
    case array([ABIValue])
    case tuple([ABIValue])

    public var description: String {
        switch self {
        case .uint(let v): return v.description
        case .int(let v): return v.description
        case .address(let a): return a.checksummed
        case .bool(let b): return b.description
        case .fixedBytes(let b), .bytes(let b): return b.hex
        case .string(let s): return "\"\(s)\""
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// Convenience for unsigned integers.
    public static func unsigned<I: BinaryInteger>(_ value: I) -> ABIValue { .uint(BigUInt(value)) }

    /// The unsigned integer, if this is one.
    public var uintValue: BigUInt? {
        if case .uint(let v) = self { return v }
        return nil
    }

    /// The signed integer, if this is one.
    public var intValue: BigInt? {
        if case .int(let v) = self { return v }
        return nil
    }

    /// The address, if this is one.
    public var addressValue: Address? {
        if case .address(let a) = self { return a }
        return nil
    }

    /// The bool, if this is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The bytes of `bytes` or `bytes<M>`.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let b), .fixedBytes(let b): return b
        default: return nil
        }
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements of an array or tuple.
    public var elements: [ABIValue]? {
        switch self {
        case .array(let items), .tuple(let items): return items
        default: return nil
        }
    }
}
