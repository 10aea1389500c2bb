import Foundation

/// Errors raised when parsing hexadecimal text.
public enum HexError: Error, Equatable, CustomStringConvertible {
    /// A character that is not a hexadecimal digit, with its offset in the text.
    case invalidCharacter(text: String, offset: Int)
    /// Byte strings need an even number of digits.
    case oddLength(text: String)
    /// The value has a different length than expected.
    case wrongLength(text: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .invalidCharacter(let text, let offset):
            return "invalid hex character at offset \(offset) in \"\(Hex.abbreviate(text))\""
        case .oddLength(let text):
            return "odd number of hex digits in \"\(Hex.abbreviate(text))\" (byte strings need pairs of digits)"
        case .wrongLength(let text, let expected, let actual):
            return "expected \(expected) bytes, got \(actual) in \"\(Hex.abbreviate(text))\""
        }
    }
}

/// Hexadecimal encoding and decoding of byte strings.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`, with a `0x` prefix unless `prefix` is false.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String
    where Bytes.Element == UInt8 {
        var out: [UInt8] = prefix ? [0x30, 0x78] : []
        out.reserveCapacity(out.count + bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex text with or without a `0x` prefix. The empty string and `0x` decode to no bytes.
    public static func decode(_ text: String) throws(HexError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var start = 0
        if utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 { start = 2 }
        guard (utf8.count - start) % 2 == 0 else { throw .oddLength(text: text) }
        var out = [UInt8]()
        out.reserveCapacity((utf8.count - start) / 2)
        var index = start
        while index < utf8.count {
            guard let high = nibble(utf8[index]) else { throw .invalidCharacter(text: text, offset: index) }
            guard let low = nibble(utf8[index + 1]) else {
                throw .invalidCharacter(text: text, offset: index + 1)
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Decodes hex text that must hold exactly `count` bytes.
    public static func decode(_ text: String, count: Int) throws(HexError) -> [UInt8] {
        let bytes = try decode(text)
        guard bytes.count == count else { throw .wrongLength(text: text, expected: count, actual: bytes.count) }
        return bytes
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    static func abbreviate(_ text: String) -> String {
        text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}

extension Array where Element == UInt8 {
    /// Lowercase `0x`-prefixed hex.
    public var hex: String { Hex.encode(self) }

    /// Decodes `0x`-prefixed or bare hex text.
    public init(hex: String) throws(HexError) { self = try Hex.decode(hex) }
}

extension Data {
    /// Lowercase `0x`-prefixed hex.
    public var hex: String { Hex.encode(self) }
}
