import BigInt
import Chain
import Foundation

/// Decodes hex in tests (traps on bad literals, which are test bugs).
func h(_ text: String) -> [UInt8] {
    try! Hex.decode(text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: ""))
}

typealias SeededGenerator = SplitMix64

func vectorURL(_ name: String) -> URL {
    Bundle.module.url(forResource: "Vectors/\(name)", withExtension: nil)!
}
