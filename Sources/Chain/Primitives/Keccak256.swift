/// Keccak-256 as used by Ethereum: Keccak-f[1600] with rate 136 bytes and the original
/// Keccak padding byte 0x01 — not the NIST SHA3-256 padding (0x06).
public struct Keccak256: Sendable {
    private static let rate = 136
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    private static let rotations: [UInt64] = [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
    ]

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8]()

    /// A fresh hasher.
    public init() { buffer.reserveCapacity(Self.rate) }

    /// Absorbs more input.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            buffer.append(byte)
            if buffer.count == Self.rate {
                absorbBuffer()
            }
        }
    }

    /// Pads, permutes and returns the 32-byte digest. The hasher should not be reused.
    public mutating func finalize() -> [UInt8] {
        var block = buffer
        block.append(0x01)
        while block.count < Self.rate { block.append(0) }
        block[Self.rate - 1] |= 0x80
        buffer = block
        absorbBuffer()
        var out = [UInt8]()
        out.reserveCapacity(32)
        for lane in 0..<4 {
            var value = state[lane]
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
            }
        }
        return out
    }

    /// The Keccak-256 digest of `bytes`.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The Keccak-256 digest of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    private mutating func absorbBuffer() {
        buffer.withUnsafeBufferPointer { bytes in
            for lane in 0..<(Self.rate / 8) {
                var value: UInt64 = 0
                for i in 0..<8 { value |= UInt64(bytes[lane * 8 + i]) << (8 * UInt64(i)) }
                state[lane] ^= value
            }
        }
        buffer.removeAll(keepingCapacity: true)
        Self.permute(&state)
    }

    private static func permute(_ a: inout [UInt64]) {
        a.withUnsafeMutableBufferPointer { s in
            var c = [UInt64](repeating: 0, count: 5)
            var b = [UInt64](repeating: 0, count: 25)
            for round in 0..<24 {
                // θ
                for x in 0..<5 { c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20] }
                for x in 0..<5 {
                    let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                    for y in stride(from: 0, to: 25, by: 5) { s[x + y] ^= d }
                }
                // ρ and π
                for x in 0..<5 {
                    for y in 0..<5 {
                        let index = x + 5 * y
                        b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(s[index], rotations[index])
                    }
                }
                // χ
                for y in stride(from: 0, to: 25, by: 5) {
                    for x in 0..<5 { s[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]) }
                }
                // ι
                s[0] ^= roundConstants[round]
            }
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        n == 0 ? x : (x << n) | (x >> (64 - n))
    }
}
