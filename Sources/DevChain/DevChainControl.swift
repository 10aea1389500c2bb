import Chain

/// The dev chain's anvil/hardhat-style methods: time travel, mining, snapshots, balances.
/// Dev chains only — a real node refuses them.
public struct DevChainControl: Sendable {
    public let client: EthClient

    public init(client: EthClient) { self.client = client }

    /// Moves chain time forward by `seconds` and mines a block, so that both transactions and
    /// `eth_call` see the new time.
    public func advanceTime(_ seconds: UInt64) async throws {
        _ = try await client.rpc.call("evm_increaseTime", [.string(Quantity.encode(seconds))])
        try await mine()
    }

    /// Mines a block at `timestamp` (must be after the head's).
    public func mine(at timestamp: UInt64) async throws {
        _ = try await client.rpc.call("evm_setNextBlockTimestamp", [.string(Quantity.encode(timestamp))])
        try await mine()
    }

    /// Mines an empty block.
    public func mine() async throws { _ = try await client.rpc.call("evm_mine") }

    /// The head block's timestamp: the chain's clock.
    public func now() async throws -> UInt64 {
        guard let head = try await client.block(.latest) else { throw DevChainError("no latest block") }
        return head.timestamp
    }

    /// Takes a snapshot; returns its id for `revert`.
    public func snapshot() async throws -> JSONValue { try await client.rpc.callNonNull("evm_snapshot") }

    /// Returns to a snapshot; false if the id is unknown.
    public func revert(_ id: JSONValue) async throws -> Bool {
        try await client.rpc.callNonNull("evm_revert", [id]) == .bool(true)
    }
}
