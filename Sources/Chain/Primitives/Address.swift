/// A 20-byte Ethereum account address.
public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The 20 raw bytes.
    public let bytes: [UInt8]

    /// Errors raised when parsing an address.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notHex(String, HexError)
        case wrongLength(String, Int)
        case badChecksum(String, expected: String)

        public var description: String {
            switch self {
            case .notHex(let text, let error): return "address \"\(text)\" is not hex: \(error)"
            case .wrongLength(let text, let count):
                return "address \"\(text)\" has \(count) bytes; an address has 20 bytes (40 hex digits)"
            case .badChecksum(let text, let expected):
                return
                    "address \"\(text)\" has a wrong EIP-55 checksum (mixed case must match \(expected)); check for a typo, or write it all lowercase to skip the check"
            }
        }
    }

    /// The zero address.
    public static let zero = Address(unchecked: [UInt8](repeating: 0, count: 20))

    /// Wraps 20 bytes. Traps on any other length (a programming error).
    public init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == 20, "an address has 20 bytes")
        self.bytes = bytes
    }

    /// Wraps 20 bytes, or returns nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses `0x`-prefixed hex. All-lowercase or all-uppercase text is accepted as is; mixed case
    /// must carry a correct EIP-55 checksum.
    public init(_ text: String) throws(ParseError) {
        let raw: [UInt8]
        do { raw = try Hex.decode(text) } catch { throw .notHex(text, error) }
        guard raw.count == 20 else { throw .wrongLength(text, raw.count) }
        self.bytes = raw
        // The text is 40 hex digits (after an optional 0x): mixed case must be the checksum.
        let body = text.utf8.suffix(40)
        let hasLower = body.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }
        let hasUpper = body.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }
        if hasLower && hasUpper {
            let expected = checksummed
            guard expected.utf8.dropFirst(2).elementsEqual(body) else { throw .badChecksum(text, expected: expected) }
        }
    }

    /// EIP-55 mixed-case checksum text.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let hash = Keccak256.hash(lower)
        var out = Array("0x".utf8)
        out.reserveCapacity(42)
        for (i, digit) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f
            // a–f become A–F where the hash's nibble is 8 or more; digits stay.
            out.append(nibble >= 8 && digit >= UInt8(ascii: "a") ? digit - 32 : digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase `0x`-prefixed hex.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { checksummed }

    public static func < (lhs: Address, rhs: Address) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(checksummed)
    }

    /// The address of a contract created by `sender` with the given nonce (CREATE).
    public static func contractAddress(sender: Address, nonce: UInt64) -> Address {
        let encoded = RLP.encode(.list([.bytes(sender.bytes), .uint(nonce)]))
        return Address(unchecked: Array(Keccak256.hash(encoded).suffix(20)))
    }
}
