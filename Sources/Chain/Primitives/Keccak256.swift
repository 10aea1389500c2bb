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

    private var state = [UInt64](repeating: 0, count: 25)
    /// Input not yet absorbed: fewer than `rate` bytes.
    private var buffer = [UInt8]()

    /// A fresh hasher.
    public init() { buffer.reserveCapacity(Self.rate) }

    /// Absorbs more input. Contiguous input (arrays, `Data`, buffers) is absorbed a block at a
    /// time straight from its storage; other sequences byte by byte.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { absorb(UnsafeRawBufferPointer($0)) }
        guard done == nil else { return }
        for byte in bytes {
            buffer.append(byte)
            if buffer.count == Self.rate { absorbBuffer() }
        }
    }

    private mutating func absorb(_ input: UnsafeRawBufferPointer) {
        var offset = 0
        // Top up a partial block first.
        if !buffer.isEmpty {
            let take = min(Self.rate - buffer.count, input.count)
            buffer.append(contentsOf: input[0..<take])
            offset = take
            if buffer.count < Self.rate { return }
            absorbBuffer()
        }
        state.withUnsafeMutableBufferPointer { lanes in
            let s = lanes.baseAddress!
            while input.count - offset >= Self.rate {
                for lane in 0..<(Self.rate / 8) {
                    s[lane] ^= UInt64(
                        littleEndian: input.loadUnaligned(fromByteOffset: offset + lane * 8, as: UInt64.self))
                }
                Self.permute(s)
                offset += Self.rate
            }
        }
        if offset < input.count { buffer.append(contentsOf: input[offset...]) }
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

    /// Absorbs the full `buffer` (exactly `rate` bytes).
    private mutating func absorbBuffer() {
        buffer.withUnsafeBytes { bytes in
            state.withUnsafeMutableBufferPointer { lanes in
                let s = lanes.baseAddress!
                for lane in 0..<(Self.rate / 8) {
                    s[lane] ^= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self))
                }
                Self.permute(s)
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Keccak-f[1600] on the 25 lanes at `s`: θ, ρ, π, χ, ι for 24 rounds, unrolled (generated
    /// from the reference formulas: lane (x, y) is index x + 5y; ρ∘π moves it to (y, 2x + 3y).
    private static func permute(_ s: UnsafeMutablePointer<UInt64>) {
        var a00 = s[0]
        var a01 = s[1]
        var a02 = s[2]
        var a03 = s[3]
        var a04 = s[4]
        var a05 = s[5]
        var a06 = s[6]
        var a07 = s[7]
        var a08 = s[8]
        var a09 = s[9]
        var a10 = s[10]
        var a11 = s[11]
        var a12 = s[12]
        var a13 = s[13]
        var a14 = s[14]
        var a15 = s[15]
        var a16 = s[16]
        var a17 = s[17]
        var a18 = s[18]
        var a19 = s[19]
        var a20 = s[20]
        var a21 = s[21]
        var a22 = s[22]
        var a23 = s[23]
        var a24 = s[24]
        for round in 0..<24 {
            let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
            let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
            let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
            let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
            let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            a00 ^= d0
            a01 ^= d1
            a02 ^= d2
            a03 ^= d3
            a04 ^= d4
            a05 ^= d0
            a06 ^= d1
            a07 ^= d2
            a08 ^= d3
            a09 ^= d4
            a10 ^= d0
            a11 ^= d1
            a12 ^= d2
            a13 ^= d3
            a14 ^= d4
            a15 ^= d0
            a16 ^= d1
            a17 ^= d2
            a18 ^= d3
            a19 ^= d4
            a20 ^= d0
            a21 ^= d1
            a22 ^= d2
            a23 ^= d3
            a24 ^= d4
            let b00 = a00
            let b16 = rotl(a05, 36)
            let b07 = rotl(a10, 3)
            let b23 = rotl(a15, 41)
            let b14 = rotl(a20, 18)
            let b10 = rotl(a01, 1)
            let b01 = rotl(a06, 44)
            let b17 = rotl(a11, 10)
            let b08 = rotl(a16, 45)
            let b24 = rotl(a21, 2)
            let b20 = rotl(a02, 62)
            let b11 = rotl(a07, 6)
            let b02 = rotl(a12, 43)
            let b18 = rotl(a17, 15)
            let b09 = rotl(a22, 61)
            let b05 = rotl(a03, 28)
            let b21 = rotl(a08, 55)
            let b12 = rotl(a13, 25)
            let b03 = rotl(a18, 21)
            let b19 = rotl(a23, 56)
            let b15 = rotl(a04, 27)
            let b06 = rotl(a09, 20)
            let b22 = rotl(a14, 39)
            let b13 = rotl(a19, 8)
            let b04 = rotl(a24, 14)
            a00 = b00 ^ (~b01 & b02)
            a01 = b01 ^ (~b02 & b03)
            a02 = b02 ^ (~b03 & b04)
            a03 = b03 ^ (~b04 & b00)
            a04 = b04 ^ (~b00 & b01)
            a05 = b05 ^ (~b06 & b07)
            a06 = b06 ^ (~b07 & b08)
            a07 = b07 ^ (~b08 & b09)
            a08 = b08 ^ (~b09 & b05)
            a09 = b09 ^ (~b05 & b06)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
            a00 ^= roundConstants[round]
        }
        s[0] = a00
        s[1] = a01
        s[2] = a02
        s[3] = a03
        s[4] = a04
        s[5] = a05
        s[6] = a06
        s[7] = a07
        s[8] = a08
        s[9] = a09
        s[10] = a10
        s[11] = a11
        s[12] = a12
        s[13] = a13
        s[14] = a14
        s[15] = a15
        s[16] = a16
        s[17] = a17
        s[18] = a18
        s[19] = a19
        s[20] = a20
        s[21] = a21
        s[22] = a22
        s[23] = a23
        s[24] = a24
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        n == 0 ? x : (x << n) | (x >> (64 - n))
    }
}
