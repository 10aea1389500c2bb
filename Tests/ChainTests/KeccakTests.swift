import Chain
import Foundation
import Testing

@Suite struct KeccakTests {
    @Test func emptyInput() {
        #expect(Keccak256.hash([UInt8]()).hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abc() {
        #expect(Keccak256.hash("abc").hex == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    /// 200 bytes of 0xa3 cross the 136-byte rate; value computed with pycryptodome's keccak.
    @Test func inputCrossingTheRate() {
        let input = [UInt8](repeating: 0xa3, count: 200)
        #expect(Keccak256.hash(input).hex == "0x3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a")
    }

    @Test func erc20TransferTopic() {
        #expect(
            Keccak256.hash("Transfer(address,address,uint256)").hex
                == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        var rng = SeededGenerator(seed: 7)
        for length in [0, 1, 135, 136, 137, 271, 272, 273, 1000] {
            let input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var hasher = Keccak256()
            var index = 0
            while index < input.count {
                let step = Int.random(in: 1...50, using: &rng)
                hasher.update(input[index..<min(input.count, index + step)])
                index += step
            }
            #expect(hasher.finalize() == Keccak256.hash(input), "length \(length)")
        }
    }

    /// Contiguous input is absorbed a block at a time from its storage, other sequences byte by
    /// byte: the digests agree, also across blocks and when the two are mixed.
    @Test func contiguousAndByteWiseAbsorbingAgree() {
        var rng = SeededGenerator(seed: 11)
        for length in [0, 7, 136, 137, 500, 4096] {
            let input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let byteWise = Keccak256.hash(input.lazy.map { $0 })
            #expect(byteWise == Keccak256.hash(input), "length \(length)")
            #expect(byteWise == Keccak256.hash(Data(input)), "length \(length)")
            var mixed = Keccak256()
            mixed.update(input.prefix(length / 3).lazy.map { $0 })
            mixed.update(input.dropFirst(length / 3))
            #expect(mixed.finalize() == byteWise, "length \(length)")
        }
    }

    @Test func isNotNISTSHA3() {
        // SHA3-256("") is a7ffc6f8…; Keccak-256 must differ.
        #expect(!Keccak256.hash([UInt8]()).hex.hasPrefix("0xa7ffc6f8"))
    }
}
