import Chain
import Foundation
import Testing

/// The "Mail" example of the EIP-712 specification.
@Suite struct EIP712Tests {
    static let json = """
        {
          "types": {
            "EIP712Domain": [
              {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
              {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]
          },
          "primaryType": "Mail",
          "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
                     "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
          "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!"
          }
        }
        """

    let data = try! TypedData(json: Data(json.utf8))

    @Test func typeEncoding() throws {
        #expect(
            try data.encodeType("Mail")
                == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(try data.typeHash("Mail").hex == "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
    }

    @Test func hashes() throws {
        #expect(
            try data.hashStruct("Mail", data.message).hex
                == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(try data.domainSeparator().hex == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(try data.signingHash().hex == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
    }

    @Test func signatureOfTheSpec() throws {
        let cow = try PrivateKey(bytes: Keccak256.hash("cow"))
        #expect(cow.address.checksummed == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
        let signature = try data.sign(with: cow)
        #expect(signature.recoveryID + 27 == 28)
        #expect(signature.r.hex == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d")
        #expect(signature.s.hex == "0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562")
        #expect(try ecrecover(hash: data.signingHash(), signature: signature) == cow.address)
    }

    @Test func arraysAndMissingFields() throws {
        var withArray = data
        withArray.types["Mail"] = [
            .init(name: "from", type: "Person"), .init(name: "to", type: "Person[]"),
            .init(name: "contents", type: "string"),
        ]
        withArray.message = [
            "from": ["name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"],
            "to": [["name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"]],
            "contents": "Hello, Bob!",
        ]
        // An array of one struct hashes as keccak256 of that struct's hash.
        let bob = try data.hashStruct("Person", data.message["to"]!)
        let encoded = try withArray.encodeData("Mail", withArray.message, path: "Mail")
        #expect(Array(encoded[64..<96]) == Keccak256.hash(bob))
        withArray.message = ["from": data.message["from"]!]
        #expect(throws: TypedData.Failure.missingField(path: "Mail.to")) {
            try withArray.hashStruct("Mail", withArray.message)
        }
    }
}
