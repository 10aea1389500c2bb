import Chain
import DevChain
import Foundation
import Testing

/// Keystore files cross the language boundary both ways: ours are read by eth-account (the
/// Python library web3 tooling uses), and eth-account's (scrypt and pbkdf2) are read by ours.
@Suite struct KeystoreCompatibilityTests {
    func python(_ script: String, stdin: Data) throws -> String {
        let process = Process()
        process.executableURL = try DevChainProcess.python(devchain: DevChainProcess.locateDevchain())
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [KeystoreKDF.light, .pbkdf2(iterations: 10_000)])
    func ethAccountReadsOurFiles(_ kdf: KeystoreKDF) throws {
        let key = PrivateKey.random()
        let json = try Keystore.encrypt(key, password: "pässword", kdf: kdf)
        let script = """
            import sys, json
            from eth_account import Account
            print(Account.from_key(Account.decrypt(json.load(sys.stdin), "pässword")).address)
            """
        #expect(try python(script, stdin: json) == key.address.checksummed)
    }

    @Test(arguments: ["scrypt", "pbkdf2"])
    func weReadEthAccountFiles(_ kdf: String) throws {
        let key = PrivateKey.random()
        let script = """
            import sys, json
            from eth_account import Account
            key = sys.stdin.read().strip()
            print(json.dumps(Account.encrypt(key, "secret", kdf="\(kdf)", iterations=\(kdf == "scrypt" ? 4096 : 10_000))))
            """
        let json = try python(script, stdin: Data(Hex.encode(key.secretBytes).utf8))
        let decrypted = try Keystore.decrypt(json: Data(json.utf8), password: "secret")
        #expect(decrypted.address == key.address)
    }
}
