import BigInt
import Chain
import Market

/// Reads of one value per member: the marketplace's list views (`MarketplaceListViews`) and
/// JSON-RPC batches (a 1,000-member community would otherwise wait for thousands of round trips).
extension Phases {
    /// Members whose on-chain status is Active (the contract refuses a whole relayed batch
    /// naming any other), by `statusesOf`.
    static func activeMembers(_ c: RunContext, _ market: MarketplaceContract, _ members: [Address]) async throws
        -> Set<Address>
    {
        Set(zip(members, try await market.statuses(of: members)).compactMap { $1 == .active ? $0 : nil })
    }

    /// Each member's token balance, as JSON-RPC batches of `balanceOf` calls (any ERC-20: the
    /// token has no list view).
    static func tokenBalances(_ c: RunContext, _ token: TokenContract, _ members: [Address]) async throws
        -> [BigUInt]
    {
        try await token.contract.callEach("balanceOf", members.map { [.address($0)] }).map { output in
            guard let balance = output.first?.uintValue else {
                throw RunnerError.chain("balanceOf: unexpected answer \(output)")
            }
            return balance
        }
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
