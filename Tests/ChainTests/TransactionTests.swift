import BigInt
import Chain
import Foundation
import Testing

@Suite struct TransactionTests {
    /// The worked example of EIP-155.
    @Test func eip155Example() throws {
        let key = try PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")
        let tx = Transaction(
            chainID: 1, nonce: 9, fees: .legacy(gasPrice: 20_000_000_000), gasLimit: 21_000,
            to: try Address("0x3535353535353535353535353535353535353535"),
            value: BigUInt("1000000000000000000", radix: 10)!)
        #expect(
            tx.signingPayload.hex
                == "0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")
        #expect(tx.signingHash.hex == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = try tx.signed(with: key)
        #expect(Transaction.eip155V(recoveryID: signed.signature.recoveryID, chainID: 1) == 37)
        #expect(
            BigUInt(Data(signed.signature.r))
                == BigUInt("18515461264373351373200002665853028612451056578545711640558177340181847433846", radix: 10)!)
        #expect(
            BigUInt(Data(signed.signature.s))
                == BigUInt("46948507304638947509940763649030358759909902576025900602547168820602576006531", radix: 10)!)
        #expect(
            signed.raw.hex
                == "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
        )
        let decoded = try SignedTransaction(raw: signed.raw)
        #expect(decoded.sender == key.address)
        #expect(decoded.transaction == tx)
        #expect(decoded.hash == signed.hash)
    }

    @Test func eip155VExceedsAByte() {
        #expect(Transaction.eip155V(recoveryID: 1, chainID: 1337) == 2_710)
        #expect(Transaction.eip155V(recoveryID: 0, chainID: 2_018) > 255)
    }

    @Test func eip1559WithAccessListRoundTrips() throws {
        let key = PrivateKey.random()
        let target = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let tx = Transaction(
            chainID: 1337, nonce: 3, fees: .eip1559(maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 3_000_000_000),
            gasLimit: 100_000, to: target, value: 5, data: [0xde, 0xad, 0xbe, 0xef],
            accessList: [AccessListEntry(address: target, storageKeys: [[UInt8](repeating: 1, count: 32)])])
        let signed = try tx.signed(with: key)
        #expect(signed.raw.first == 0x02)
        #expect(tx.signingPayload.first == 0x02)
        let decoded = try SignedTransaction(raw: signed.raw)
        #expect(decoded.transaction == tx)
        #expect(decoded.sender == key.address)
        #expect(decoded.hash == Keccak256.hash(signed.raw))
    }

    @Test func contractCreationHasEmptyTo() throws {
        let key = PrivateKey.random()
        let tx = Transaction(
            chainID: 1337, nonce: 0, fees: .eip1559(maxPriorityFeePerGas: 0, maxFeePerGas: 0), gasLimit: 500_000,
            to: nil,
            data: [0x60, 0x00])
        let decoded = try SignedTransaction(raw: try tx.signed(with: key).raw)
        #expect(decoded.transaction.to == nil)
    }

    @Test func tamperedRawIsRejectedOrChangesSender() throws {
        let key = PrivateKey.random()
        let tx = Transaction(chainID: 5, nonce: 1, fees: .legacy(gasPrice: 1), gasLimit: 21_000, to: .zero, value: 1)
        var raw = try tx.signed(with: key).raw
        raw[raw.count - 40] ^= 0x01  // flip a bit of r
        if let decoded = try? SignedTransaction(raw: raw) {
            #expect(decoded.sender != key.address)
        }
        #expect(throws: TransactionError.self) { try SignedTransaction(raw: [0x05, 0xc0]) }
        #expect(throws: TransactionError.self) { try SignedTransaction(raw: []) }
    }
}
