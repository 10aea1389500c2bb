import ArgumentParser
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner

/// `cer-run demo`: starts a dev chain, deploys a contract, sends and confirms signed transactions.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the chain layer at work on a fresh dev chain: deploy, sign, send, confirm, decode.")

    @Option(
        help:
            "Use this JSON-RPC endpoint instead of starting a dev chain (the operator key then comes from --keystore).")
    var rpc: String?

    @Option(help: "Operator keystore v3 file (with --rpc).")
    var keystore: String?

    @OptionGroup var password: KeystoreCommand.PasswordOptions

    @Option(help: "Document whose keccak256 is notarised (default: a generated sample adhesion contract).")
    var document: String?

    func validate() throws {
        if rpc != nil && keystore == nil { throw ValidationError("--rpc needs --keystore for the operator key") }
    }

    func run() async throws {
        let artifacts = try ArtifactStore.locate()
        let documentBytes: [UInt8]
        let label: String
        if let document {
            guard let data = FileManager.default.contents(atPath: document) else {
                throw InputError("cannot read --document \(document)")
            }
            documentBytes = Array(data)
            label = URL(fileURLWithPath: document).lastPathComponent
        } else {
            documentBytes = Array("Contratto di adesione alla CER — socio demo — firmato digitalmente".utf8)
            label = "adesione-demo.pdf"
        }
        let log: @Sendable (String) -> Void = { say($0) }
        if let rpc {
            guard let url = URL(string: rpc) else { throw InputError("--rpc \(rpc) is not a URL") }
            let key: PrivateKey
            do {
                key = try Keystore.decrypt(file: URL(fileURLWithPath: keystore!), password: try password.password())
            } catch let error as InputError { throw error } catch {
                throw InputError("\(error)")
            }
            let demo = FoundationDemo(client: EthClient(url: url), operatorKey: key, artifacts: artifacts, log: log)
            _ = try await demo.run(document: documentBytes, label: label)
            return
        }
        say("starting the dev chain…")
        let chain = try await DevChainProcess.start()
        defer { chain.stop() }
        say("dev chain at \(chain.url.absoluteString)")
        let operatorKey = try await chain.accountKeys()[0]
        let demo = FoundationDemo(client: chain.client(), operatorKey: operatorKey, artifacts: artifacts, log: log)
        let report = try await demo.run(document: documentBytes, label: label)
        say("")
        say(
            "summary: \(report.transactions.count) transactions signed locally and confirmed on chain \(report.chainID)"
        )
        for tx in report.transactions {
            say(
                "  \(tx.label.padding(toLength: 9, withPad: " ", startingAt: 0)) type \(tx.type)  block \(tx.block)  gas \(tx.gasUsed)  \(tx.hash.hex)"
            )
        }
    }
}
