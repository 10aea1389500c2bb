import Foundation
import Testing

@testable import Chain

/// `JSONValue.parse` (the byte-level `JSONParser`) against `JSONDecoder` decoding `JSONValue`:
/// the same value for every valid text, an error for every invalid one.
@Suite struct JSONParserTests {
    static func decoded(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let valid: [String] = [
        "null", "true", "false", "0", "-0", "7", "-42", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "18446744073709551616", "1.5", "-0.25", "1e3", "2E-2", "1.0", "6.02e+23", "1e20",
        "-2.5e1", "-0.0", "9007199254740993.0", "123456789012345678.9", "\u{FEFF}{\"bom\": 1}",
        #""""#, #""0x1f""#, #""a\"b\\c\/d""#, #""\b\f\n\r\t""#, #""\u00e8 \u20AC \ud83d\ude00""#, "\"èé €\"",
        "[]", "{}", " [ 1 , [2, [3, []]], {\"a\": {}} ] ", "{\"k\": 1, \"k\": 2}",
        #"{"jsonrpc":"2.0","id":1,"result":{"logs":[{"data":"0x","topics":["0xabc"]}],"status":"0x1"}}"#,
        #"[{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low","data":null}}]"#,
        "\n\t{\r\n\"x\" : [ true , false , null ] }\n",
    ]

    static let invalid: [String] = [
        "", " ", "nul", "tru", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[", "{", "01",
        "1.", ".5", "1e", "-", "+1", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"",
        "[1]]", "1 2", "NaN", "Infinity", "1e999",
    ]

    @Test(arguments: valid) func validTextGivesTheDecodersValue(_ text: String) throws {
        let parsed = try JSONValue.parse(Data(text.utf8))
        #expect(parsed == (try Self.decoded(text)), "\(text)")
    }

    @Test(arguments: invalid) func invalidTextIsRefused(_ text: String) throws {
        #expect(throws: (any Error).self, "\(text)") { try JSONValue.parse(Data(text.utf8)) }
    }

    @Test func numbersKeepIntegersExact() throws {
        #expect(
            try JSONValue.parse(Data("[9007199254740993, 1.5, 1e2]".utf8)) == [
                .int(9_007_199_254_740_993), .double(1.5), .int(100),
            ])
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() throws {
        #expect(throws: (any Error).self) { try JSONValue.parse(Data([0x22, 0xFF, 0x22])) }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(deep.utf8)) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try JSONValue.parse(Data(fine.utf8)) != .null)
    }

    /// Random documents written by `JSONEncoder` read back to the same value.
    @Test func encodedDocumentsRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .int(Int64.random(in: .min ... .max, using: &generator))
            case 3: return .double(Double(Int32.random(in: .min ... .max, using: &generator)) / 64)
            case 4:
                let alphabet = Array("aZ09 \"\\/\n\t\u{01}èé€😀")
                return .string(
                    String((0..<Int.random(in: 0..<12, using: &generator)).map { _ in alphabet.randomElement()! }))
            case 5: return .array((0..<Int.random(in: 0..<5, using: &generator)).map { _ in random(depth + 1) })
            default:
                var object = [String: JSONValue]()
                for k in 0..<Int.random(in: 0..<5, using: &generator) { object["k\(k)é"] = random(depth + 1) }
                return .object(object)
            }
        }
        for _ in 0..<300 {
            let value = random(0)
            let text = try JSONEncoder().encode(value)
            #expect(try JSONValue.parse(text) == (try JSONDecoder().decode(JSONValue.self, from: text)))
        }
    }
}
