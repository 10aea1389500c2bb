import BigInt
import Chain
import Foundation
import Testing

@Suite struct RLPTests {
    struct Vectors: Decodable {
        struct Valid: Decodable {
            var name: String
            var `in`: JSONValue
            var out: String
        }
        struct Invalid: Decodable {
            var name: String
            var rlp: String
        }
        var valid: [Valid]
        var invalid: [Invalid]
    }

    static let vectors: Vectors = try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: vectorURL("rlp.json")))

    /// Builds the item the ethereum/tests notation describes.
    static func item(_ value: JSONValue) -> RLPItem {
        switch value {
        case .string(let s) where s.hasPrefix("#"): return .uint(BigUInt(String(s.dropFirst()))!)
        case .string(let s): return .string(s)
        case .int(let i): return .uint(UInt64(i))
        case .array(let items): return .list(items.map(item))
        default: fatalError("unsupported vector input \(value)")
        }
    }

    @Test(arguments: vectors.valid.map(\.name))
    func encodesAndDecodesOfficialVector(_ name: String) throws {
        let vector = Self.vectors.valid.first { $0.name == name }!
        let item = Self.item(vector.in)
        #expect(RLP.encode(item).hex == vector.out)
        #expect(try RLP.decode(h(vector.out)) == item)
    }

    @Test(arguments: vectors.invalid.map(\.name))
    func rejectsMalformedInput(_ name: String) {
        let vector = Self.vectors.invalid.first { $0.name == name }!
        #expect(throws: RLPError.self) { try RLP.decode(h(vector.rlp)) }
    }

    @Test func roundTripsRandomTrees() throws {
        var rng = SeededGenerator(seed: 42)
        func randomItem(depth: Int) -> RLPItem {
            if depth > 3 || Bool.random(using: &rng) {
                let length = [0, 1, 1, 2, 55, 56, 57, 300].randomElement(using: &rng)!
                return .bytes((0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            return .list((0..<Int.random(in: 0...6, using: &rng)).map { _ in randomItem(depth: depth + 1) })
        }
        for _ in 0..<500 {
            let item = randomItem(depth: 0)
            #expect(try RLP.decode(RLP.encode(item)) == item)
        }
    }

    @Test func integersAreCanonical() throws {
        #expect(throws: RLPError.self) { try RLPItem.bytes([0, 1]).bigUInt() }
        #expect(try RLPItem.bytes([]).bigUInt() == 0)
        #expect(try RLPItem.uint(UInt64.max).uint64() == UInt64.max)
    }

    @Test func randomGarbageNeverTraps() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? RLP.decode(bytes)
        }
    }
}
