import ArgumentParser
import DevChain
import Foundation

/// `cer-run devnet`: runs the local dev chain until interrupted.
struct DevnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Start the local dev chain (eth-tester + py-evm) and keep it running until Ctrl-C.")

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 8545

    @Option(help: "Number of prefunded dev accounts.")
    var accounts: Int = 10

    @Option(name: .customLong("chain-id"), help: "Chain id.")
    var chainID: UInt64 = 1337

    @Option(help: "Folder that keeps the chain's state across restarts.")
    var state: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard (1...1_000).contains(accounts) else { throw ValidationError("--accounts must be 1…1000") }
    }

    func run() async throws {
        var options = DevChainOptions()
        options.port = port
        options.accounts = accounts
        options.chainID = chainID
        options.stateDirectory = state.map { URL(fileURLWithPath: $0) }
        let chain = try await DevChainProcess.start(options)
        let keys = try await chain.accountKeys()
        say("dev chain at \(chain.url.absoluteString) (chain id \(chainID))")
        say("prefunded accounts (keys from the public test mnemonic; never use them on a real network):")
        for (index, key) in keys.enumerated() { say("  [\(index)] \(key.address)") }
        if let state { say("state kept in \(state)") }
        say("press Ctrl-C to stop")
        let signal = await SignalWaiter.wait(for: [SIGINT, SIGTERM])
        say("received signal \(signal), stopping the dev chain…")
        chain.stop()
    }
}
