import BigInt
import Chain
import Foundation

/// Decodes hex in tests (traps on bad literals, which are test bugs).
func h(_ text: String) -> [UInt8] {
    try! Hex.decode(text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: ""))
}

/// A deterministic generator for property tests (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func vectorURL(_ name: String) -> URL {
    Bundle.module.url(forResource: "Vectors/\(name)", withExtension: nil)!
}
