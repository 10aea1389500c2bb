import BigInt
import Chain
import Testing

@Suite struct QuantityTests {
    @Test func minimalHex() {
        #expect(Quantity.encode(BigUInt(0)) == "0x0")
        #expect(Quantity.encode(BigUInt(1024)) == "0x400")
        #expect(Quantity.encode(UInt64.max) == "0xffffffffffffffff")
    }

    @Test func decoding() throws {
        #expect(try Quantity.decode("0x0") == 0)
        #expect(try Quantity.decode("0x00ff") == 255)
        #expect(throws: QuantityError.self) { try Quantity.decode("ff") }
        #expect(throws: QuantityError.self) { try Quantity.decode("0x") }
        #expect(throws: QuantityError.self) { try Quantity.decode("0xg1") }
        #expect(throws: QuantityError.overflow("0x10000000000000000", bits: 64)) {
            try Quantity.decodeUInt64("0x10000000000000000")
        }
    }

    @Test func hexBytes() throws {
        #expect(try Hex.decode("0x") == [])
        #expect(try Hex.decode("0xABcd") == [0xab, 0xcd])
        #expect(throws: HexError.oddLength(text: "0xabc")) { try Hex.decode("0xabc") }
        #expect(throws: HexError.invalidCharacter(text: "0xzz", offset: 2)) { try Hex.decode("0xzz") }
    }
}
