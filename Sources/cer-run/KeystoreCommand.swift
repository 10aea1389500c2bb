import ArgumentParser
import Chain
import Foundation

/// `cer-run keystore`: create and inspect keystore v3 files.
struct KeystoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keystore",
        abstract: "Create or inspect encrypted keystore v3 files (the only way cer-run takes real keys).",
        subcommands: [New.self, Address.self])

    struct PasswordOptions: ParsableArguments {
        @Option(name: .customLong("password-env"), help: "Environment variable holding the password.")
        var passwordEnv: String = "CER_RUN_PASSWORD"

        @Option(name: .customLong("password-file"), help: "File whose first line is the password.")
        var passwordFile: String?

        func password() throws -> String {
            if let passwordFile {
                guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                    throw InputError("cannot read --password-file \(passwordFile)")
                }
                return String(text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first ?? "")
            }
            guard let value = ProcessInfo.processInfo.environment[passwordEnv] else {
                throw InputError("no password: set $\(passwordEnv) or pass --password-file")
            }
            return value
        }
    }

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a new key into a keystore v3 file.")

        @Argument(help: "Output file (must not exist).")
        var output: String

        @OptionGroup var password: PasswordOptions

        @Flag(help: "Use light scrypt parameters (n = 4096) — for test keys only.")
        var light = false

        func run() async throws {
            guard !FileManager.default.fileExists(atPath: output) else { throw InputError("\(output) already exists") }
            let key = PrivateKey.random()
            let json = try Keystore.encrypt(key, password: try password.password(), kdf: light ? .light : .standard)
            guard FileManager.default.createFile(atPath: output, contents: json, attributes: [.posixPermissions: 0o600])
            else { throw InputError("cannot write \(output)") }
            say(key.address.checksummed)
        }
    }

    struct Address: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decrypt a keystore and print its address.")

        @Argument(help: "Keystore file.")
        var file: String

        @OptionGroup var password: PasswordOptions

        func run() async throws {
            do {
                let key = try Keystore.decrypt(file: URL(fileURLWithPath: file), password: try password.password())
                say(key.address.checksummed)
            } catch let error as KeystoreError { throw InputError(error.description) }
        }
    }
}
