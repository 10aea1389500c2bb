import BigInt
import Chain
import Foundation
import Testing

@Suite struct ABICodecTests {
    @Test func parsesTypeNames() throws {
        #expect(try ABIType(parsing: "uint") == .uint(256))
        #expect(try ABIType(parsing: "int8") == .int(8))
        #expect(try ABIType(parsing: "bytes32[2][]") == .array(.fixedArray(.fixedBytes(32), 2)))
        #expect(try ABIType(parsing: "(address,(uint8,string)[])").description == "(address,(uint8,string)[])")
        #expect(try ABIType(parsing: "fixed") == .fixed(signed: true, bits: 128, decimals: 18))
        #expect(try ABIType(parsing: "ufixed64x10").description == "ufixed64x10")
        for bad in ["uint7", "uint264", "bytes33", "bytes0", "(uint256", "uint256[", "foo", "uint256[0]", ""] {
            #expect(throws: ABIError.self, "\(bad)") { try ABIType(parsing: bad) }
        }
    }

    @Test func signedIntegersUseTwosComplement() throws {
        #expect(try ABI.encode(.int(256), .int(-1)).hex == "0x" + String(repeating: "ff", count: 32))
        #expect(try ABI.decode(.int(8), ABI.encode(.int(8), .int(-128))) == .int(-128))
        #expect(throws: ABIError.self) { try ABI.encode(.int(8), .int(128)) }
        #expect(throws: ABIError.self) { try ABI.encode(.uint(8), .unsigned(256)) }
        #expect(throws: ABIError.self) { try ABI.encode(.uint(256), .int(-1)) }
    }

    @Test func fixedPointAndFunctionTypes() throws {
        let scaled = ABIValue.int(BigInt(-15) * BigInt(10).power(17))  // -1.5 in fixed128x18
        #expect(
            try ABI.decode(
                .fixed(signed: true, bits: 128, decimals: 18),
                ABI.encode(.fixed(signed: true, bits: 128, decimals: 18), scaled)) == scaled)
        let fn = ABIValue.fixedBytes([UInt8](repeating: 0xab, count: 24))
        let encoded = try ABI.encode(.function, fn)
        #expect(encoded.count == 32 && encoded.suffix(8).allSatisfy { $0 == 0 })
        #expect(try ABI.decode(.function, encoded) == fn)
    }

    @Test func tuplesStaticAndDynamic() throws {
        let staticTuple = ABIType.tuple([.uint(256), .address])
        #expect(!staticTuple.isDynamic && staticTuple.headSize == 64)
        let dynamicTuple = ABIType.tuple([.uint(256), .string])
        #expect(dynamicTuple.isDynamic)
        let types: [ABIType] = [.array(dynamicTuple), staticTuple, .fixedArray(dynamicTuple, 2)]
        let values: [ABIValue] = [
            .array([.tuple([.unsigned(1), .string("a")]), .tuple([.unsigned(2), .string("bb")])]),
            .tuple([.unsigned(7), .address(.zero)]),
            .array([.tuple([.unsigned(3), .string("")]), .tuple([.unsigned(4), .string("héllo")])]),
        ]
        #expect(try ABI.decode(types, ABI.encode(types, values)) == values)
    }

    @Test func mismatchesNameThePath() {
        do {
            _ = try ABI.encode(
                [.uint(256), .array(.address)], [.unsigned(1), .array([.address(.zero), .bool(true)])])
            Issue.record("expected a type mismatch")
        } catch {
            #expect(error.description.contains("args → 1 → 1"))
            #expect(error.description.contains("address"))
        }
    }

    @Test func hostileDataNeverTraps() {
        var rng = SeededGenerator(seed: 2024)
        let types: [ABIType] = [.string, .array(.array(.uint(256))), .tuple([.bytes, .bool]), .fixedArray(.string, 3)]
        for _ in 0..<3_000 {
            var data = (0..<(32 * Int.random(in: 0...8, using: &rng))).map { _ in UInt8.random(in: 0...3, using: &rng) }
            // Sprinkle huge lengths and offsets.
            if !data.isEmpty, Bool.random(using: &rng) {
                let i = Int.random(in: 0..<data.count, using: &rng)
                data[i] = 0xff
            }
            _ = try? ABI.decode(types, data)
        }
        // An offset pointing far outside.
        #expect(throws: ABIError.self) { try ABI.decode([.string], [UInt8](repeating: 0xff, count: 32)) }
        // A length bigger than the data.
        #expect(throws: ABIError.self) {
            try ABI.decode(
                [.bytes], h("0x" + String(repeating: "0", count: 62) + "20" + String(repeating: "0", count: 62) + "ff"))
        }
        // Dirty bool and address padding.
        #expect(throws: ABIError.invalidBool(path: "result → 0")) {
            try ABI.decode([.bool], ABI.encode(.uint(256), .unsigned(2)))
        }
        #expect(throws: ABIError.self) { try ABI.decode([.address], [UInt8](repeating: 1, count: 32)) }
    }

    /// Property test: random types and values round-trip through encode/decode.
    @Test func randomRoundTrips() throws {
        var rng = SeededGenerator(seed: 1)
        func randomType(_ depth: Int) -> ABIType {
            let choice = Int.random(in: 0..<(depth > 2 ? 8 : 11), using: &rng)
            switch choice {
            case 0: return .uint(8 * Int.random(in: 1...32, using: &rng))
            case 1: return .int(8 * Int.random(in: 1...32, using: &rng))
            case 2: return .address
            case 3: return .bool
            case 4: return .fixedBytes(Int.random(in: 1...32, using: &rng))
            case 5: return .bytes
            case 6: return .string
            case 7: return .function
            case 8: return .array(randomType(depth + 1))
            case 9: return .fixedArray(randomType(depth + 1), Int.random(in: 1...3, using: &rng))
            default: return .tuple((0..<Int.random(in: 1...3, using: &rng)).map { _ in randomType(depth + 1) })
            }
        }
        func randomBytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        func randomValue(_ type: ABIType) -> ABIValue {
            switch type {
            case .uint(let bits): return .uint(BigUInt(Data(randomBytes(bits / 8))))
            case .int(let bits):
                let magnitude = BigInt(BigUInt(Data(randomBytes(bits / 8))) >> 1)
                return .int(Bool.random(using: &rng) ? -magnitude : magnitude)
            case .address: return .address(Address(unchecked: randomBytes(20)))
            case .bool: return .bool(Bool.random(using: &rng))
            case .fixedBytes(let n): return .fixedBytes(randomBytes(n))
            case .function: return .fixedBytes(randomBytes(24))
            case .bytes: return .bytes(randomBytes(Int.random(in: 0...70, using: &rng)))
            case .string:
                return .string(
                    String((0..<Int.random(in: 0...40, using: &rng)).map { _ in "aé€😀".randomElement(using: &rng)! }))
            case .array(let inner):
                return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(inner) })
            case .fixedArray(let inner, let n): return .array((0..<n).map { _ in randomValue(inner) })
            case .tuple(let items): return .tuple(items.map(randomValue))
            case .fixed: fatalError()
            }
        }
        for _ in 0..<400 {
            let types = (0..<Int.random(in: 1...4, using: &rng)).map { _ in randomType(0) }
            let values = types.map(randomValue)
            let encoded = try ABI.encode(types, values)
            #expect(encoded.count % 32 == 0)
            #expect(try ABI.decode(types, encoded) == values, "\(types)")
            // Parsing the canonical name gives back the same type.
            for type in types { #expect(try ABIType(parsing: type.description) == type) }
        }
    }
}
