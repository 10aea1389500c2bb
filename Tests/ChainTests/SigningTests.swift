import BigInt
import Chain
import Foundation
import Testing

@Suite struct SigningTests {
    @Test func addressFromWellKnownKey() throws {
        // Hardhat/anvil dev account 0, derived from the public test mnemonic.
        let key = try PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        #expect(key.address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }

    @Test func invalidKeysAreRejected() {
        #expect(throws: KeyError.invalidPrivateKey) { try PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: KeyError.invalidPrivateKey) { try PrivateKey(bytes: [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: KeyError.invalidPrivateKey) { try PrivateKey(bytes: [1, 2, 3]) }
    }

    @Test func signAndRecoverRoundTrip() throws {
        for _ in 0..<50 {
            let key = PrivateKey.random()
            let hash = Keccak256.hash(key.publicKey)
            let signature = try key.sign(hash: hash)
            #expect(signature.isLowS)
            #expect(try ecrecover(hash: hash, signature: signature) == key.address)
            #expect(try Signature(rsv: signature.rsv) == signature)
        }
    }

    @Test func highSIsRejected() throws {
        let key = PrivateKey.random()
        let hash = Keccak256.hash("message")
        let signature = try key.sign(hash: hash)
        let highS = Signature.curveOrder - BigUInt(Data(signature.s))
        let flipped = Signature(r: signature.r, s: highS.paddedBytes(), recoveryID: signature.recoveryID ^ 1)
        #expect(!flipped.isLowS)
        #expect(throws: KeyError.self) { try flipped.recoverAddress(hash: hash) }
    }

    @Test func keyNeverAppearsInDescriptions() throws {
        let hex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        let key = try PrivateKey(hex: hex)
        var dumped = ""
        dump(key, to: &dumped)
        for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key), dumped] {
            #expect(!text.lowercased().contains(hex))
            #expect(!text.lowercased().contains("ac0974"))
        }
    }
}
