import Chain
import DevChain
import Foundation
import Testing

/// Keystore files cross the language boundary both ways: ours are read by eth-account (the
/// Python library web3 tooling uses), and eth-account's (scrypt and pbkdf2) are read by ours.
@Suite struct KeystoreCompatibilityTests {
    /// Runs `script` in the dev chain's Python with `stdin`; its trimmed standard output. Waits
    /// without holding a thread of the cooperative pool.
    func python(_ script: String, stdin: Data) async throws -> String {
        let process = Process()
        process.executableURL = try DevChainProcess.python(devchain: DevChainProcess.locateDevchain())
        process.arguments = ["-c", script]
        let folder = FileManager.default.temporaryDirectory
        let input = folder.appendingPathComponent("keystore-in-\(UUID().uuidString)")
        let log = folder.appendingPathComponent("keystore-out-\(UUID().uuidString)")
        defer { for file in [input, log] { try? FileManager.default.removeItem(at: file) } }
        try stdin.write(to: input)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = handle
        try process.run()
        let outcome = try await RunnerTests.Running(process: process, log: log, handle: handle).finish()
        #expect(outcome.status == 0)
        return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [KeystoreKDF.light, .pbkdf2(iterations: 10_000)])
    func ethAccountReadsOurFiles(_ kdf: KeystoreKDF) async throws {
        let key = PrivateKey.random()
        let json = try Keystore.encrypt(key, password: "pässword", kdf: kdf)
        let script = """
            import sys, json
            from eth_account import Account
            print(Account.from_key(Account.decrypt(json.load(sys.stdin), "pässword")).address)
            """
        #expect(try await python(script, stdin: json) == key.address.checksummed)
    }

    @Test(arguments: ["scrypt", "pbkdf2"])
    func weReadEthAccountFiles(_ kdf: String) async throws {
        let key = PrivateKey.random()
        let script = """
            import sys, json
            from eth_account import Account
            key = sys.stdin.read().strip()
            print(json.dumps(Account.encrypt(key, "secret", kdf="\(kdf)", iterations=\(kdf == "scrypt" ? 4096 : 10_000))))
            """
        let json = try await python(script, stdin: Data(Hex.encode(key.secretBytes).utf8))
        let decrypted = try Keystore.decrypt(json: Data(json.utf8), password: "secret")
        #expect(decrypted.address == key.address)
    }
}
