import Foundation

/// Writes `JSONValue` as compact JSON text with sorted keys, byte for byte what `JSONEncoder`
/// writes with `[.sortedKeys, .withoutEscapingSlashes]` (journaled hashes of run files depend
/// on it), without the `Encodable` machinery that made it a fifth of the runner's CPU.
///
/// Keys are ordered by their UTF-8 bytes (as the encoder orders them: not Swift's `<`, which
/// puts a decomposed "e\u{301}" after "è"); in strings,
/// `"` and `\` are escaped, control characters are `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`,
/// everything else (`/`, DEL, non-ASCII) is written as UTF-8. A value holding a `.double`
/// (or nested deeper than `maximumDepth`) is handed to `JSONEncoder` whole: its number
/// formatting and depth limit are the encoder's own. (Checked against swift-foundation's
/// encoder, the one on Linux; Darwin's Foundation may order keys differently.)
enum JSONWriter {
    /// The text of `value`, or nil when it holds a double (the caller falls back).
    static func text(_ value: JSONValue) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(256)
        guard write(value, depth: 0, into: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Containers nested deeper than this are left to `JSONEncoder`, whatever it does with them
    /// (it refuses very deep values, and `jsonText` then gives `null`).
    static let maximumDepth = 256

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value`; false when a double or a too deep container was met (the output is
    /// then incomplete).
    private static func write(_ value: JSONValue, depth: Int, into out: inout [UInt8]) -> Bool {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double: return false
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            guard depth < maximumDepth else { return false }
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, depth: depth + 1, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard depth < maximumDepth else { return false }
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                guard write(members[key]!, depth: depth + 1, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (hex data, addresses, decimal amounts) need no escape: copied whole.
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
