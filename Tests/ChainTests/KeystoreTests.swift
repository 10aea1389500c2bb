import Chain
import Foundation
import Testing

/// The test vectors of the Web3 Secret Storage definition (password "testpassword").
@Suite struct KeystoreTests {
    static let expectedKey = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"

    static let pbkdf2 = """
        {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
         "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
         "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
         "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
         "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """

    static let scrypt = """
        {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
         "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
         "kdfparams":{"dklen":32,"n":262144,"p":8,"r":1,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
         "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
         "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """

    @Test func pbkdf2Vector() throws {
        let key = try Keystore.decrypt(json: Data(Self.pbkdf2.utf8), password: "testpassword")
        #expect(Hex.encode(key.secretBytes, prefix: false) == Self.expectedKey)
    }

    @Test func scryptVector() throws {
        let key = try Keystore.decrypt(json: Data(Self.scrypt.utf8), password: "testpassword")
        #expect(Hex.encode(key.secretBytes, prefix: false) == Self.expectedKey)
    }

    @Test func wrongPasswordIsAClearError() {
        #expect(throws: KeystoreError.wrongPassword(path: "test.json")) {
            try Keystore.decrypt(json: Data(Self.pbkdf2.utf8), password: "nope", label: "test.json")
        }
    }

    @Test(arguments: [KeystoreKDF.light, .pbkdf2(iterations: 1_000)])
    func writeThenRead(_ kdf: KeystoreKDF) throws {
        let key = PrivateKey.random()
        let json = try Keystore.encrypt(key, password: "s3cret", kdf: kdf)
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains(Hex.encode(key.secretBytes, prefix: false)))
        #expect(text.contains(Hex.encode(key.address.bytes, prefix: false)))
        let back = try Keystore.decrypt(json: json, password: "s3cret")
        #expect(back.address == key.address)
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(json: json, password: "s3cret!") }
    }

    @Test func malformedFilesNameTheProblem() {
        #expect(throws: KeystoreError.self) {
            try Keystore.decrypt(json: Data("{}".utf8), password: "", label: "k.json")
        }
        let wrongCipher = Self.pbkdf2.replacingOccurrences(of: "aes-128-ctr", with: "aes-128-cbc")
        do {
            _ = try Keystore.decrypt(json: Data(wrongCipher.utf8), password: "testpassword", label: "k.json")
            Issue.record("expected an error")
        } catch { #expect(error.description.contains("aes-128-cbc")) }
    }
}

@Suite struct ScryptTests {
    /// RFC 7914 §12, second vector: scrypt("password", "NaCl", N=1024, r=8, p=16, 64).
    @Test func rfc7914Vector() throws {
        let key = try Keystore.scryptForTesting(
            password: "password", salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(
            key.hex
                == "0xfdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        )
    }
}
