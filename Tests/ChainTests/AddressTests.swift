import Chain
import Testing

@Suite struct AddressTests {
    /// The examples of EIP-55.
    @Test(arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ])
    func eip55Examples(_ text: String) throws {
        let address = try Address(text)
        #expect(address.checksummed == text)
        #expect(try Address(text.lowercased()) == address)
        #expect(try Address("0x" + text.dropFirst(2).uppercased()) == address)
        // Without the prefix and with `0X`: the same checksum rule.
        #expect(try Address(String(text.dropFirst(2))) == address)
        #expect(try Address("0X" + text.dropFirst(2)) == address)
        // One letter's case changed (the rest stays mixed): a checksum error, prefix or not.
        var body = Array(text.dropFirst(2))
        let index = try #require(body.firstIndex { $0.isUppercase })
        body[index] = Character(body[index].lowercased())
        let wrong = String(body)
        #expect(throws: Address.ParseError.self) { try Address(wrong) }
        #expect(throws: Address.ParseError.self) { try Address("0X" + wrong) }
    }

    @Test func wrongChecksumIsRejectedWithAClearMessage() {
        let bad = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
        #expect(throws: Address.ParseError.badChecksum(bad, expected: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
            try Address(bad)
        }
        do {
            _ = try Address(bad)
        } catch {
            #expect(error.description.contains("EIP-55"))
            #expect(error.description.contains("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"))
        }
    }

    @Test func wrongLengthAndNonHex() {
        #expect(throws: Address.ParseError.self) { try Address("0x1234") }
        #expect(throws: Address.ParseError.self) { try Address("0xZZaeb6053F3E94C9b9A09f33669435E7Ef1BeAed") }
    }

    /// CREATE address of the first contract of 0x6ac7…: a widely published example.
    @Test func contractAddress() throws {
        let sender = try Address("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0")
        #expect(Address.contractAddress(sender: sender, nonce: 0).hex == "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")
        #expect(Address.contractAddress(sender: sender, nonce: 1).hex == "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8")
    }
}
