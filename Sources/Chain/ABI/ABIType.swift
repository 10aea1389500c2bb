/// A Solidity ABI type.
public indirect enum ABIType: Hashable, Sendable, CustomStringConvertible {
    /// `uint<M>`, 8 ≤ M ≤ 256, M % 8 == 0.
    case uint(Int)
    /// `int<M>`.
    case int(Int)
    case address
    case bool
    /// `bytes<M>`, 1 ≤ M ≤ 32.
    case fixedBytes(Int)
    /// `fixed<M>x<N>` / `ufixed<M>x<N>`: the value is the integer v of v / 10^N.
    case fixed(signed: Bool, bits: Int, decimals: Int)
    /// `function`: an address followed by a selector, encoded as `bytes24`.
    case function
    case bytes
    case string
    /// `T[]`.
    case array(ABIType)
    /// `T[k]`.
    case fixedArray(ABIType, Int)
    /// `(T1,…,Tn)`.
    case tuple([ABIType])

    /// The canonical type name used in signatures, e.g. `(uint256,bytes)[]`.
    public var description: String {
        switch self {
        case .uint(let bits): return "uint\(bits)"
        case .int(let bits): return "int\(bits)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let n): return "bytes\(n)"
        case .fixed(let signed, let bits, let decimals): return "\(signed ? "" : "u")fixed\(bits)x\(decimals)"
        case .function: return "function"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let inner): return "\(inner)[]"
        case .fixedArray(let inner, let n): return "\(inner)[\(n)]"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ",") + ")"
        }
    }

    /// True when the encoding has a variable size (bytes, string, T[], or containing one).
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let inner, _): return inner.isDynamic
        case .tuple(let items): return items.contains { $0.isDynamic }
        default: return false
        }
    }

    /// Bytes taken in the head of an enclosing tuple: 32 for dynamic types.
    public var headSize: Int {
        switch self {
        case .fixedArray(let inner, let n) where !inner.isDynamic: return inner.headSize * n
        case .tuple(let items) where !isDynamic: return items.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    /// Parses a type name such as `uint256`, `bytes32[2][]` or `(address,(uint8,string)[])`.
    /// The aliases `uint`, `int`, `fixed`, `ufixed` and `byte` are expanded.
    public init(parsing text: String) throws(ABIError) {
        var parser = ABITypeParser(text: text)
        self = try parser.parseComplete()
    }
}

/// A recursive-descent parser for ABI type names.
struct ABITypeParser {
    let text: String
    let chars: [Character]
    var pos = 0

    init(text: String) {
        self.text = text
        self.chars = Array(text.filter { !$0.isWhitespace })
    }

    mutating func parseComplete() throws(ABIError) -> ABIType {
        let type = try parseType().type
        guard pos == chars.count else { throw .invalidType(text, "unexpected \"\(chars[pos])\" at \(pos)") }
        return type
    }

    /// A type with its head size (32 for dynamic types), tracked as the type is built so that
    /// sizes are checked once per level: bounding every fixed array and tuple keeps
    /// `headSize` from overflowing `Int` (a trap) on names such as
    /// `uint256[1000000][1000000][1000000]`.
    mutating func parseType() throws(ABIError) -> (type: ABIType, dynamic: Bool, head: Int) {
        var base: ABIType
        var dynamic: Bool
        var head: Int
        if pos < chars.count, chars[pos] == "(" {
            pos += 1
            var items = [ABIType]()
            dynamic = false
            head = 0
            if pos < chars.count, chars[pos] == ")" {
                pos += 1
            } else {
                while true {
                    let item = try parseType()
                    items.append(item.type)
                    dynamic = dynamic || item.dynamic
                    head += item.head
                    guard head <= Self.maxHeadSize else {
                        throw .invalidType(text, "tuple too large (its encoding exceeds 2^32 bytes)")
                    }
                    guard pos < chars.count else { throw .invalidType(text, "unclosed tuple") }
                    if chars[pos] == "," {
                        pos += 1
                    } else if chars[pos] == ")" {
                        pos += 1
                        break
                    } else {
                        throw .invalidType(text, "expected \",\" or \")\" at \(pos)")
                    }
                }
            }
            base = .tuple(items)
            if dynamic { head = 32 }
        } else {
            let start = pos
            while pos < chars.count, chars[pos].isLetter || chars[pos].isNumber { pos += 1 }
            base = try Self.elementary(String(chars[start..<pos]), in: text)
            dynamic = base.isDynamic
            head = 32
        }
        while pos < chars.count, chars[pos] == "[" {
            pos += 1
            let start = pos
            while pos < chars.count, chars[pos].isNumber { pos += 1 }
            let digits = String(chars[start..<pos])
            guard pos < chars.count, chars[pos] == "]" else { throw .invalidType(text, "unclosed \"[\"") }
            pos += 1
            if digits.isEmpty {
                base = .array(base)
                dynamic = true
                head = 32
            } else {
                guard digits.count <= 7, let n = Int(digits), n > 0, n <= 1_000_000 else {
                    throw .invalidType(text, "fixed array length must be 1…1000000")
                }
                if !dynamic {
                    let (size, overflow) = head.multipliedReportingOverflow(by: n)
                    guard !overflow, size <= Self.maxHeadSize else {
                        throw .invalidType(text, "fixed array too large (its encoding exceeds 2^32 bytes)")
                    }
                    head = size
                }
                base = .fixedArray(base, n)
            }
        }
        return (base, dynamic, head)
    }

    /// Largest head (static part of an encoding) a parsed type may have.
    static let maxHeadSize = 1 << 32

    static func elementary(_ name: String, in text: String) throws(ABIError) -> ABIType {
        func bits(_ suffix: Substring) throws(ABIError) -> Int {
            if suffix.isEmpty { return 256 }
            guard let b = Int(suffix), b >= 8, b <= 256, b % 8 == 0 else {
                throw .invalidType(text, "bit width must be a multiple of 8 in 8…256")
            }
            return b
        }
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        case "function": return .function
        case "byte": return .fixedBytes(1)
        case "fixed": return .fixed(signed: true, bits: 128, decimals: 18)
        case "ufixed": return .fixed(signed: false, bits: 128, decimals: 18)
        case "": throw .invalidType(text, "missing type name")
        default: break
        }
        if name.hasPrefix("uint") { return .uint(try bits(name.dropFirst(4))) }
        if name.hasPrefix("int") { return .int(try bits(name.dropFirst(3))) }
        if name.hasPrefix("bytes") {
            guard let n = Int(name.dropFirst(5)), n >= 1, n <= 32 else {
                throw .invalidType(text, "bytes<M> needs 1 ≤ M ≤ 32")
            }
            return .fixedBytes(n)
        }
        for (prefix, signed) in [("ufixed", false), ("fixed", true)] where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2, let n = Int(parts[1]), n >= 1, n <= 80 else {
                throw .invalidType(text, "\(prefix)<M>x<N> needs 1 ≤ N ≤ 80")
            }
            return .fixed(signed: signed, bits: try bits(parts[0]), decimals: n)
        }
        throw .invalidType(text, "unknown type \"\(name)\"")
    }
}
