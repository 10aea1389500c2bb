import Chain
import DevChain
import Market

/// What an integration test needs: the shared dev chain, a client, funded keys, the artifacts.
struct DevChainFixture {
    let chain: DevChainProcess
    let client: EthClient
    let keys: [PrivateKey]
    let artifacts: ArtifactStore

    static func make() async throws -> DevChainFixture {
        let chain = try await SharedDevChain.shared.chain()
        return DevChainFixture(
            chain: chain, client: chain.client(), keys: try await chain.accountKeys(), artifacts: try ArtifactStore.locate())
    }

    /// A sender for dev account `index`. Tests use distinct accounts so that they can run in
    /// parallel without competing for nonces.
    func sender(_ index: Int, fees: FeePolicy = .eip1559Auto) -> TransactionSender {
        TransactionSender(client: client, key: keys[index], chainID: chain.chainID, fees: fees)
    }
}
