import Foundation
import Testing

@testable import Validation

/// `MeterTimestamp.parseISO` (the one-pass reader of the usual export form) reads what
/// `parseAnyForm` reads, and leaves to it every text it does not read itself.
@Suite struct MeterTimestampISOTests {
    static let texts = [
        "2026-12-03T00:00:00+01:00", "2026-12-03T23:59:59Z", "2026-12-03 07:15", "2026-03-29T02:30:00+0200",
        "2026-10-25T02:00:00-03", "2024-02-29T24:00:00", "2026-12-03T24:00", "1970-01-01T00:00:00-14:00",
        "2026-12-03T00:00:00+14:59", "2026-12-03T00:00:00+15:00", "2026-12-03T00:00:00+01:60", "2025-02-29T00:00",
        "2026-13-01T00:00", "2026-12-03T24:01", "2026-12-03T10:60", "2026-12-03T10:00:60", "2026-12-03T1:00",
        "2026-12-3T10:00", "2026-12-03T10:00:00 Z", "2026-12-03T10:00:00+1", "2026-12-03T10:00:00+01:0",
        "2026-12-03T10:00Zx", "2026-12-03  10:00", "2026-12-03t10:00", "2026/12/03T10:00", "２026-12-03T10:00",
        "2026-12-03T10:00:00.5", "", "2026-12-03", "2026-12-03T10:00:00+01:00 ",
    ]

    static func general(_ text: String) -> WrittenTimestamp? {
        try? MeterTimestamp.parseAnyForm(date: text, time: nil, order: .yearMonthDay)
    }

    @Test(arguments: texts) func readsWhatTheGeneralParserReads(_ text: String) {
        if let fast = MeterTimestamp.parseISO(text) {
            #expect(fast == Self.general(text), "\(text)")
        }
        #expect(
            (try? MeterTimestamp.parse(date: text, time: nil, order: .yearMonthDay)) == Self.general(text), "\(text)")
    }

    @Test func theUsualFormsTakeTheFastPath() {
        for text in ["2026-12-03T00:00:00+01:00", "2026-12-03 07:15", "2026-12-03T23:59:59Z", "2026-03-29T02:30+0200"] {
            #expect(MeterTimestamp.parseISO(text) != nil, "\(text)")
        }
    }

    @Test func randomTextsAgree() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-:T Z+")
        for _ in 0..<20_000 {
            // Mostly well-formed stamps with one character changed, and a few random texts.
            var chars = Array(
                String(
                    format: "%04d-%02d-%02dT%02d:%02d:%02d+%02d:%02d", Int.random(in: 0...2100, using: &generator),
                    Int.random(in: 0...13, using: &generator), Int.random(in: 0...32, using: &generator),
                    Int.random(in: 0...25, using: &generator), Int.random(in: 0...61, using: &generator),
                    Int.random(in: 0...61, using: &generator), Int.random(in: 0...15, using: &generator),
                    Int.random(in: 0...61, using: &generator)))
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: chars[Int.random(in: 0..<chars.count, using: &generator)] = alphabet.randomElement()!
            case 1: chars.removeLast(Int.random(in: 0...9, using: &generator))
            case 2: chars = (0..<Int.random(in: 0...26, using: &generator)).map { _ in alphabet.randomElement()! }
            default: break
            }
            let text = String(chars)
            if let fast = MeterTimestamp.parseISO(text) {
                #expect(fast == Self.general(text), "\(text)")
            }
        }
    }
}
