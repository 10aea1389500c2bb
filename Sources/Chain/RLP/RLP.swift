import BigInt
import Foundation

/// Errors raised by the RLP decoder, each with the offset where decoding failed.
public enum RLPError: Error, Equatable, CustomStringConvertible {
    case empty
    case truncated(offset: Int, needed: Int, available: Int)
    case nonCanonicalSingleByte(offset: Int)
    case nonCanonicalLength(offset: Int)
    case leadingZeroInLength(offset: Int)
    case lengthOverflow(offset: Int)
    case trailingBytes(offset: Int, count: Int)
    case notCanonicalInteger(offset: Int)
    case unexpectedShape(String)

    public var description: String {
        switch self {
        case .empty: return "RLP: empty input"
        case .truncated(let o, let n, let a): return "RLP: item at offset \(o) needs \(n) bytes, \(a) available"
        case .nonCanonicalSingleByte(let o):
            return "RLP: single byte below 0x80 at offset \(o) must be encoded as itself"
        case .nonCanonicalLength(let o): return "RLP: long-form length below 56 at offset \(o)"
        case .leadingZeroInLength(let o): return "RLP: length with leading zero at offset \(o)"
        case .lengthOverflow(let o): return "RLP: length at offset \(o) is too large"
        case .trailingBytes(let o, let c): return "RLP: \(c) trailing bytes after the item, at offset \(o)"
        case .notCanonicalInteger(let o): return "RLP: integer at offset \(o) has leading zero bytes"
        case .unexpectedShape(let what): return "RLP: unexpected shape: \(what)"
        }
    }
}

/// Recursive Length Prefix encoding, as specified in the Ethereum Yellow Paper, appendix B.
public enum RLP {
    /// Encodes an item.
    public static func encode(_ item: RLPItem) -> [UInt8] {
        var out = [UInt8]()
        append(item, to: &out)
        return out
    }

    private static func append(_ item: RLPItem, to out: inout [UInt8]) {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 {
                out.append(b[0])
            } else {
                appendHeader(length: b.count, offset: 0x80, to: &out)
                out.append(contentsOf: b)
            }
        case .list(let items):
            var body = [UInt8]()
            for child in items { append(child, to: &body) }
            appendHeader(length: body.count, offset: 0xc0, to: &out)
            out.append(contentsOf: body)
        }
    }

    private static func appendHeader(length: Int, offset: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(offset + UInt8(length))
        } else {
            let lengthBytes = BigUInt(length).minimalBytes
            out.append(offset + 55 + UInt8(lengthBytes.count))
            out.append(contentsOf: lengthBytes)
        }
    }

    /// Decodes exactly one item; trailing bytes are an error. Non-canonical encodings are rejected.
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLPItem {
        guard !bytes.isEmpty else { throw .empty }
        var position = 0
        let item = try decodeItem(bytes, &position, end: bytes.count, depth: 0)
        guard position == bytes.count else { throw .trailingBytes(offset: position, count: bytes.count - position) }
        return item
    }

    private static let maxDepth = 1024

    private static func decodeItem(_ b: [UInt8], _ pos: inout Int, end: Int, depth: Int) throws(RLPError)
        -> RLPItem
    {
        guard depth < maxDepth else { throw .unexpectedShape("nesting deeper than \(maxDepth)") }
        let start = pos
        guard pos < end else { throw .truncated(offset: pos, needed: 1, available: 0) }
        let prefix = b[pos]
        pos += 1
        switch prefix {
        case 0x00...0x7f:
            return .bytes([prefix])
        case 0x80...0xb7:
            let length = Int(prefix - 0x80)
            try need(length, at: start, pos: pos, end: end)
            let body = Array(b[pos..<pos + length])
            if length == 1 && body[0] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
            pos += length
            return .bytes(body)
        case 0xb8...0xbf:
            let length = try readLength(b, &pos, count: Int(prefix - 0xb7), start: start, end: end)
            try need(length, at: start, pos: pos, end: end)
            let body = Array(b[pos..<pos + length])
            pos += length
            return .bytes(body)
        case 0xc0...0xf7:
            let length = Int(prefix - 0xc0)
            try need(length, at: start, pos: pos, end: end)
            return try decodeList(b, &pos, end: pos + length, depth: depth)
        default:
            let length = try readLength(b, &pos, count: Int(prefix - 0xf7), start: start, end: end)
            try need(length, at: start, pos: pos, end: end)
            return try decodeList(b, &pos, end: pos + length, depth: depth)
        }
    }

    private static func decodeList(_ b: [UInt8], _ pos: inout Int, end: Int, depth: Int) throws(RLPError)
        -> RLPItem
    {
        var items = [RLPItem]()
        while pos < end {
            items.append(try decodeItem(b, &pos, end: end, depth: depth + 1))
        }
        return .list(items)
    }

    private static func need(_ length: Int, at start: Int, pos: Int, end: Int) throws(RLPError) {
        guard length <= end - pos else { throw .truncated(offset: start, needed: length, available: end - pos) }
    }

    private static func readLength(_ b: [UInt8], _ pos: inout Int, count: Int, start: Int, end: Int)
        throws(RLPError) -> Int
    {
        try need(count, at: start, pos: pos, end: end)
        guard b[pos] != 0 else { throw .leadingZeroInLength(offset: start) }
        guard count <= 7 else { throw .lengthOverflow(offset: start) }
        var length = 0
        for i in 0..<count { length = length << 8 | Int(b[pos + i]) }
        pos += count
        guard length >= 56 else { throw .nonCanonicalLength(offset: start) }
        return length
    }
}

extension RLPItem {
    /// Reads a canonical unsigned integer (no leading zeros).
    public func bigUInt() throws(RLPError) -> BigUInt {
        guard case .bytes(let b) = self else { throw .unexpectedShape("expected an integer, found a list") }
        if let first = b.first, first == 0 { throw .notCanonicalInteger(offset: 0) }
        return BigUInt(Data(b))
    }

    /// Reads a canonical unsigned integer that fits 64 bits.
    public func uint64() throws(RLPError) -> UInt64 {
        let value = try bigUInt()
        guard value.bitWidth <= 64 else { throw .unexpectedShape("integer wider than 64 bits") }
        return UInt64(value)
    }
}
