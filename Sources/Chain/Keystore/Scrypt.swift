import Crypto
import CryptoExtras

/// scrypt (RFC 7914) for parameters BoringSSL refuses. BoringSSL enforces RFC 7914's bound
/// N < 2^(128·r/8), which the Web3 Secret Storage test vector (N = 2^18, r = 1) and some older
/// keystore files exceed; geth and pycryptodome accept them, so we must too. PBKDF2-HMAC-SHA256
/// comes from swift-crypto; this file holds only ROMix, BlockMix and Salsa20/8.
enum Scrypt {
    static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, length: Int) throws -> [UInt8] {
        let blockBytes = 128 * r
        let initial = try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: p * blockBytes, unsafeUncheckedRounds: 1
        ).withUnsafeBytes { Array($0) }
        var words = [UInt32](repeating: 0, count: initial.count / 4)
        for i in words.indices {
            words[i] =
                UInt32(initial[4 * i]) | UInt32(initial[4 * i + 1]) << 8 | UInt32(initial[4 * i + 2]) << 16
                | UInt32(initial[4 * i + 3]) << 24
        }
        let blockWords = blockBytes / 4
        var v = [UInt32](repeating: 0, count: n * blockWords)
        var scratch = [UInt32](repeating: 0, count: blockWords)
        words.withUnsafeMutableBufferPointer { b in
            v.withUnsafeMutableBufferPointer { v in
                scratch.withUnsafeMutableBufferPointer { s in
                    for block in 0..<p {
                        roMix(
                            UnsafeMutableBufferPointer(rebasing: b[(block * blockWords)..<((block + 1) * blockWords)]),
                            n: n, r: r, v: v, scratch: s)
                    }
                }
            }
        }
        var mixed = [UInt8]()
        mixed.reserveCapacity(initial.count)
        for w in words { mixed += [UInt8(w & 0xff), UInt8(w >> 8 & 0xff), UInt8(w >> 16 & 0xff), UInt8(w >> 24)] }
        return try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: mixed, using: .sha256, outputByteCount: length, unsafeUncheckedRounds: 1
        ).withUnsafeBytes { Array($0) }
    }

    private static func roMix(
        _ x: UnsafeMutableBufferPointer<UInt32>, n: Int, r: Int, v: UnsafeMutableBufferPointer<UInt32>,
        scratch: UnsafeMutableBufferPointer<UInt32>
    ) {
        let count = x.count
        for i in 0..<n {
            for k in 0..<count { v[i * count + k] = x[k] }
            blockMix(x, r: r, scratch: scratch)
        }
        for _ in 0..<n {
            let j = Int(x[(2 * r - 1) * 16] & UInt32(n - 1))
            for k in 0..<count { x[k] ^= v[j * count + k] }
            blockMix(x, r: r, scratch: scratch)
        }
    }

    /// BlockMix with Salsa20/8: y_i = H(y_{i-1} ⊕ b_i); output even blocks then odd blocks.
    private static func blockMix(
        _ b: UnsafeMutableBufferPointer<UInt32>, r: Int, scratch y: UnsafeMutableBufferPointer<UInt32>
    ) {
        var t = (
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
            UInt32(0),
            UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0)
        )
        withUnsafeMutableBytes(of: &t) { raw in
            let x = raw.bindMemory(to: UInt32.self)
            for k in 0..<16 { x[k] = b[(2 * r - 1) * 16 + k] }
            for i in 0..<(2 * r) {
                for k in 0..<16 { x[k] ^= b[i * 16 + k] }
                salsa20_8(x)
                let target = (i % 2 == 0 ? i / 2 : r + i / 2) * 16
                for k in 0..<16 { y[target + k] = x[k] }
            }
        }
        for k in 0..<(32 * r) { b[k] = y[k] }
    }

    @inline(__always)
    private static func rotl(_ a: UInt32, _ b: UInt32) -> UInt32 { (a << b) | (a >> (32 - b)) }

    private static func salsa20_8(_ b: UnsafeMutableBufferPointer<UInt32>) {
        var x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7]
        var x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15]
        for _ in 0..<4 {
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13);
            x15 ^= rotl(x14 &+ x13, 18)
        }
        b[0] &+= x0; b[1] &+= x1; b[2] &+= x2; b[3] &+= x3; b[4] &+= x4; b[5] &+= x5; b[6] &+= x6; b[7] &+= x7
        b[8] &+= x8; b[9] &+= x9; b[10] &+= x10; b[11] &+= x11; b[12] &+= x12; b[13] &+= x13; b[14] &+= x14;
        b[15] &+= x15
    }
}
