import Foundation
import Testing

@testable import Chain

/// `JSONValue.jsonText` (`JSONWriter`) against `JSONEncoder` with sorted keys and unescaped
/// slashes: journaled hashes of run files are hashes of this text, so it must not change by a
/// byte.
@Suite struct JSONWriterTests {
    static func encoded(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let values: [JSONValue] = [
        .null, true, false, 0, .int(.min), .int(.max), "", "a/b\"c\\d",
        "\u{0}\u{1}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}",
        "\u{7F} è € \u{2028} 😀 e\u{301}", [], [:], [1, [2, [3, []]], ["a": [:]]],
        ["a10": 1, "a2": 2, "B": 3, "a": 4, "_x": 5, "Z": 6, "é": 7, "f": 8, "a b": 9, "1": 10, "10": 11, "2": 12],
        ["ä": 1, "z": 2, "😀": 3, "ﬀ": 4, "ff": 5, "\u{0}": 6, "Ǆ": 7, "ǅ": 8, "e\u{301}x": 9, "è": 10, "f": 11],
    ]

    @Test(arguments: values) func writesTheEncodersText(_ value: JSONValue) throws {
        #expect(JSONWriter.text(value) == (try Self.encoded(value)))
        #expect(value.jsonText == (try Self.encoded(value)))
    }

    @Test func doublesAreLeftToTheEncoder() throws {
        let value: JSONValue = ["n": .double(0.1), "m": [.double(1e21), .double(-0.0)]]
        #expect(JSONWriter.text(value) == nil)
        #expect(value.jsonText == (try Self.encoded(value)))
    }

    @Test func deepValuesMatchTheEncoder() throws {
        var shallow: JSONValue = ["k": 1]
        for _ in 1..<JSONWriter.maximumDepth { shallow = .array([shallow]) }
        #expect(JSONWriter.text(shallow) != nil)
        #expect(shallow.jsonText == (try Self.encoded(shallow)))
        var deep = shallow
        for _ in 0..<400 { deep = .array([deep]) }
        #expect(JSONWriter.text(deep) == nil)
        #expect(deep.jsonText == ((try? Self.encoded(deep)) ?? "null"))
    }

    @Test func randomDocumentsMatchTheEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aAzZ09 _-.\"\\/\n\t\r\u{01}\u{1F}\u{7F}èée\u{301}€😀ﬀ")
        func string() -> String {
            String((0..<Int.random(in: 0..<10, using: &generator)).map { _ in alphabet.randomElement()! })
        }
        func random(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .int(Int64.random(in: .min ... .max, using: &generator))
            case 3: return .string(string())
            case 4: return .array((0..<Int.random(in: 0..<5, using: &generator)).map { _ in random(depth + 1) })
            default:
                var object = [String: JSONValue]()
                for _ in 0..<Int.random(in: 0..<6, using: &generator) { object[string()] = random(depth + 1) }
                return .object(object)
            }
        }
        for _ in 0..<500 {
            let value = random(0)
            let expected = try Self.encoded(value)
            #expect(
                value.jsonText == expected,
                "\(Array(value.jsonText.unicodeScalars)) vs \(Array(expected.unicodeScalars))")
        }
    }
}
