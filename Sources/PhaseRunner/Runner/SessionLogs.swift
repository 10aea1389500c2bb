import Chain
import Market

/// The session's logs the phases read more than once, read once per run.
extension Phases {
    /// Revealed orders and salts by member, from `OrdersRevealed` (read once: after the reveal
    /// deadline they cannot change).
    static func revealedBook(_ c: RunContext) async throws -> [Address: (orders: [MarketOrder], salt: [UInt8])] {
        if let book = c.revealedCache { return book }
        guard let market = c.market, let id = c.sessionID else { return [:] }
        var book = [Address: (orders: [MarketOrder], salt: [UInt8])]()
        var order = [Address]()
        for entry in try await market.revealedOrders(sessionID: id, fromBlock: c.sessionBlock)
        where book[entry.member] == nil {
            book[entry.member] = (entry.orders, entry.salt)
            order.append(entry.member)
        }
        c.revealedCache = book
        c.revealedOrder = order
        return book
    }

    /// Members that committed, in commitment order, from `CommitmentSubmitted`.
    static func committedMembers(_ c: RunContext) async throws -> [Address] {
        guard let market = c.market, let id = c.sessionID else { return [] }
        let event = try market.contract.abi.event("CommitmentSubmitted")
        let logs = try await c.client.logs(
            LogFilter(
                fromBlock: c.sessionBlock, addresses: [market.address],
                topics: [[event.topic], [ABI.encode(.uint(256), .unsigned(id))]]))
        var members = [Address]()
        var seen = Set<Address>()
        for log in logs {
            guard
                case .commitmentSubmitted(_, let member, _)? = MarketEvent(
                    try event.decode(topics: log.topics, data: log.data)),
                seen.insert(member).inserted
            else { continue }
            members.append(member)
        }
        return members
    }

    /// `items` in consecutive chunks of at most `size`.
    static func chunked<T>(_ items: [T], size: Int) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min(items.count, $0 + size)]) }
    }
}
