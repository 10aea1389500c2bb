import BigInt
import Chain
import Market

/// Reads of one value per member, sent as JSON-RPC batches (a 1,000-member community would
/// otherwise wait for thousands of round trips).
extension Phases {
    /// Members whose on-chain status is Active (the contract refuses a whole relayed batch
    /// naming any other), one JSON-RPC batch.
    static func activeMembers(_ c: RunContext, _ market: MarketplaceContract, _ members: [Address]) async throws
        -> Set<Address>
    {
        let answers = try await batchRead(c, market, "members", members)
        return Set(
            zip(members, answers).compactMap { member, fields in
                fields.first?.uintValue == BigUInt(MemberStatus.active.rawValue) ? member : nil
            })
    }

    /// `function(arguments(member))` for each member as JSON-RPC batches of `eth_call`s, decoded.
    static func batchRead(
        _ c: RunContext, _ market: MarketplaceContract, _ name: String, _ members: [Address],
        arguments: (Address) -> [ABIValue] = { [.address($0)] }
    ) async throws -> [[ABIValue]] {
        try await batchRead(c, market.contract, name, members, arguments: arguments)
    }

    /// The same for any contract.
    static func batchRead(
        _ c: RunContext, _ contract: Contract, _ name: String, _ members: [Address],
        arguments: (Address) -> [ABIValue] = { [.address($0)] }
    ) async throws -> [[ABIValue]] {
        let function = try contract.abi.function(name)
        var decoded = [[ABIValue]]()
        // Batches of 500 calls keep request bodies small for any node.
        for part in chunked(members, size: 500) {
            let calls = try part.map { member in
                RPCCall(
                    "eth_call",
                    [
                        CallRequest(to: contract.address, data: try function.encodeCall(arguments(member))).json,
                        "latest",
                    ])
            }
            for result in try await c.client.rpc.batch(calls) {
                let value = try result.get()
                guard let text = value.stringValue, let bytes = try? Hex.decode(text) else {
                    throw RunnerError.chain("\(name): unexpected answer \(value)")
                }
                decoded.append(try function.decodeOutput(bytes))
            }
        }
        return decoded
    }

    /// Each address's `latest` transaction count, as JSON-RPC batches.
    static func transactionCounts(_ c: RunContext, _ accounts: [Address]) async throws -> [UInt64] {
        var counts = [UInt64]()
        for part in chunked(accounts, size: 500) {
            let calls = part.map { RPCCall("eth_getTransactionCount", [.string($0.hex), "latest"]) }
            for result in try await c.client.rpc.batch(calls) {
                let value = try result.get()
                guard let text = value.stringValue, let count = UInt64(text.dropFirst(2), radix: 16) else {
                    throw RunnerError.chain("eth_getTransactionCount: unexpected answer \(value)")
                }
                counts.append(count)
            }
        }
        return counts
    }
}
