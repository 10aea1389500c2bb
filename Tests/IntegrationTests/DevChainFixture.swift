import BigInt
import Chain
import DevChain
import Market

/// What an integration test needs: the shared dev chain, a client, the artifacts, and freshly
/// funded keys — one per test, so tests run in parallel without competing for nonces.
struct DevChainFixture {
    let chain: DevChainProcess
    let client: EthClient
    let artifacts: ArtifactStore

    static func make() async throws -> DevChainFixture {
        let chain = try await SharedDevChain.shared.chain()
        return DevChainFixture(chain: chain, client: chain.client(), artifacts: try ArtifactStore.locate())
    }

    /// A new key holding 10 ETH, funded by dev account 0 (funding is serialised).
    func fundedKey() async throws -> PrivateKey {
        try await Funder.shared.fund(chain: chain)
    }

    /// A sender for a newly funded key.
    func sender(fees: FeePolicy = .eip1559Auto) async throws -> TransactionSender {
        TransactionSender(client: client, key: try await fundedKey(), chainID: chain.chainID, fees: fees)
    }
}

/// Sends funding transfers from dev account 0 strictly one after the other (an actor alone would
/// interleave calls at each `await`, racing for the nonce).
actor Funder {
    static let shared = Funder()
    private var tail: Task<Void, Never> = Task {}

    func fund(chain: DevChainProcess) async throws -> PrivateKey {
        let previous = tail
        let work = Task {
            await previous.value
            return try await Self.transfer(chain: chain)
        }
        tail = Task { _ = try? await work.value }
        return try await work.value
    }

    private static func transfer(chain: DevChainProcess) async throws -> PrivateKey {
        let bank = try await chain.accountKeys()[0]
        let sender = TransactionSender(client: chain.client(), key: bank, chainID: chain.chainID, fees: .eip1559Auto)
        let key = PrivateKey.random()
        try await sender.send(to: key.address, data: [], value: BigUInt(10).power(19), gasLimit: 21_000)
        return key
    }
}
