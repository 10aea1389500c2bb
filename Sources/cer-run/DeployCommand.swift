import ArgumentParser
import Chain
import Foundation
import PhaseRunner

/// `cer-run deploy`: deploys the token and the marketplace once, journaled.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy the CommunityToken (unless --token) and the Marketplace, exactly once.",
        discussion: """
            The keystore's key becomes the marketplace's admin; --operator (default: the same key) \
            runs sessions. Both deployments are journaled (default deployments/<chain-id>.jsonl): \
            running the command again prints the same addresses and sends nothing. Prints the \
            `contracts:` snippet for session manifests.
            """)

    @Option(help: "JSON-RPC endpoint of the node.")
    var rpc: String = "http://127.0.0.1:8545"

    @Option(name: .customLong("chain-id"), help: "Chain id the node must report.")
    var chainID: UInt64

    @Option(help: "Keystore v3 file of the deployer (the admin).")
    var keystore: String

    @OptionGroup var password: KeystoreCommand.PasswordOptions

    @Option(name: .customLong("operator"), help: "Operator address (default: the deployer).")
    var operatorAddress: String?

    @Option(help: "Use this existing ERC-20 token instead of deploying a CommunityToken.")
    var token: String?

    @Option(help: "Deployment journal (default deployments/<chain-id>.jsonl).")
    var journal: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        guard let url = URL(string: rpc), url.scheme != nil else { throw InputError("--rpc \(rpc) is not a URL") }
        func address(_ text: String?, _ flag: String) throws -> Address? {
            guard let text else { return nil }
            do { return try Address(text) } catch { throw InputError("\(flag) \(text): \(error)") }
        }
        let operatorAddress = try address(self.operatorAddress, "--operator")
        let tokenAddress = try address(token, "--token")
        let key: PrivateKey
        do {
            key = try Keystore.decrypt(file: URL(fileURLWithPath: keystore), password: try password.password())
        } catch let error as KeystoreError { throw InputError(error.description) }
        let journalURL = journal.map { URL(fileURLWithPath: $0) }
        let result = try await MemberCommand.mapped {
            try await JournaledDeployment.deploy(
                rpc: url, chainID: chainID, key: key, operatorAddress: operatorAddress, token: tokenAddress,
                journal: journalURL)
        }
        let console = output.console()
        if output.json {
            console.result("", result.json)
            return
        }
        let lines =
            [
                (result.sentNow ? "deployed" : "already deployed (journal); nothing sent")
                    + " on chain \(result.chainID)",
                "  token:       \(result.token.checksummed)" + (tokenAddress != nil ? " (existing)" : ""),
                "  marketplace: \(result.marketplace.checksummed)",
                "  admin:       \(result.admin.checksummed)",
                "  operator:    \(result.operatorAddress.checksummed)",
                "for the session manifest:",
            ] + result.manifestSnippet
        console.result(lines.joined(separator: "\n"), result.json)
    }
}
