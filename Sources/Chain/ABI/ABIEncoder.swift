import BigInt
import Foundation

/// Solidity ABI encoding (`abi.encode`) and decoding, following the contract ABI specification.
public enum ABI {
    /// Encodes `values` as the tuple `(types…)`, like `abi.encode`.
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        try encodeTuple(types, values, path: "args")
    }

    /// Encodes one value of one type (as a 1-tuple).
    public static func encode(_ type: ABIType, _ value: ABIValue) throws(ABIError) -> [UInt8] {
        try encode([type], [value])
    }

    static func encodeTuple(_ types: [ABIType], _ values: [ABIValue], path: String) throws(ABIError) -> [UInt8] {
        guard types.count == values.count else {
            throw .wrongCount(path: path, expected: types.count, found: values.count)
        }
        let headLength = types.reduce(0) { $0 + $1.headSize }
        var head = [UInt8]()
        var tail = [UInt8]()
        head.reserveCapacity(headLength)
        for (index, (type, value)) in zip(types, values).enumerated() {
            let encoded = try encodeValue(type, value, path: "\(path) → \(index)")
            if type.isDynamic {
                head += word(BigUInt(headLength + tail.count))
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    static func encodeValue(_ type: ABIType, _ value: ABIValue, path: String) throws(ABIError) -> [UInt8] {
        switch (type, value) {
        case (.uint(let bits), .uint(let v)), (.fixed(false, let bits, _), .uint(let v)):
            guard v.bitWidth <= bits else { throw .outOfRange(path: path, type: type.description, value: "\(v)") }
            return word(v)
        case (.int(let bits), .int(let v)), (.fixed(true, let bits, _), .int(let v)):
            let limit = BigInt(1) << (bits - 1)
            guard v >= -limit, v < limit else {
                throw .outOfRange(path: path, type: type.description, value: "\(v)")
            }
            return signedWord(v)
        case (.int, .uint(let v)), (.fixed(true, _, _), .uint(let v)):
            return try encodeValue(type, .int(BigInt(v)), path: path)
        case (.uint, .int(let v)), (.fixed(false, _, _), .int(let v)):
            guard v.sign == .plus else { throw .outOfRange(path: path, type: type.description, value: "\(v)") }
            return try encodeValue(type, .uint(v.magnitude), path: path)
        case (.address, .address(let a)):
            return [UInt8](repeating: 0, count: 12) + a.bytes
        case (.bool, .bool(let b)):
            return word(b ? 1 : 0)
        case (.fixedBytes(let n), .fixedBytes(let b)), (.fixedBytes(let n), .bytes(let b)):
            guard b.count == n else {
                throw .outOfRange(path: path, type: type.description, value: "\(b.count) bytes")
            }
            return rightPadded(b)
        case (.function, .fixedBytes(let b)), (.function, .bytes(let b)):
            guard b.count == 24 else { throw .outOfRange(path: path, type: "function", value: "\(b.count) bytes") }
            return rightPadded(b)
        case (.bytes, .bytes(let b)), (.bytes, .fixedBytes(let b)):
            return word(BigUInt(b.count)) + rightPadded(b)
        case (.string, .string(let s)):
            let b = Array(s.utf8)
            return word(BigUInt(b.count)) + rightPadded(b)
        case (.array(let inner), .array(let items)):
            return word(BigUInt(items.count))
                + (try encodeTuple(Array(repeating: inner, count: items.count), items, path: path))
        case (.fixedArray(let inner, let n), .array(let items)):
            guard items.count == n else { throw .wrongCount(path: path, expected: n, found: items.count) }
            return try encodeTuple(Array(repeating: inner, count: n), items, path: path)
        case (.tuple(let types), .tuple(let items)):
            return try encodeTuple(types, items, path: path)
        default:
            throw .typeMismatch(path: path, expected: type.description, found: kind(of: value))
        }
    }

    static func kind(of value: ABIValue) -> String {
        switch value {
        case .uint: return "an unsigned integer"
        case .int: return "a signed integer"
        case .address: return "an address"
        case .bool: return "a bool"
        case .fixedBytes(let b): return "bytes\(b.count)"
        case .bytes: return "bytes"
        case .string: return "a string"
        case .array(let items): return "an array of \(items.count)"
        case .tuple(let items): return "a tuple of \(items.count)"
        }
    }

    /// A 32-byte big-endian word.
    static func word(_ v: BigUInt) -> [UInt8] { v.paddedBytes(32) }

    /// Two's-complement 32-byte word.
    static func signedWord(_ v: BigInt) -> [UInt8] {
        if v.sign == .plus { return word(v.magnitude) }
        let twos = (BigUInt(1) << 256) - v.magnitude
        return word(twos)
    }

    static func rightPadded(_ b: [UInt8]) -> [UInt8] {
        let padding = (32 - b.count % 32) % 32
        return b + [UInt8](repeating: 0, count: padding)
    }

    /// The 4-byte selector of a signature such as `transfer(address,uint256)`.
    public static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(signature).prefix(4))
    }
}
