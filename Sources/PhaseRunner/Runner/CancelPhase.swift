import BigInt
import Chain
import Foundation
import Market

extension Phases {
    /// A session the admin cancelled on chain: every member's lock for it is returned with
    /// `releaseCancelled` (anyone may call it), in chunks, each member with what the contract
    /// checks — its revealed orders and salt, its published fills. Members already released,
    /// forfeited or never committed are left alone. Returns true when the session is cancelled.
    static func releaseIfCancelled(_ c: RunContext) async throws -> Bool {
        guard let market = c.market, let id = c.sessionID else { return false }
        guard try await market.session(id).state == .cancelled else { return false }
        let commitEvent = try market.contract.abi.event("CommitmentSubmitted")
        let logs = try await c.client.logs(
            LogFilter(
                fromBlock: c.sessionBlock, addresses: [market.address],
                topics: [[commitEvent.topic], [ABI.encode(.uint(256), .unsigned(id))]]))
        var committed = [Address]()
        for log in logs {
            guard
                case .commitmentSubmitted(_, let member, _)? = MarketEvent(
                    try commitEvent.decode(topics: log.topics, data: log.data)),
                !committed.contains(member)
            else { continue }
            committed.append(member)
        }
        let revealed = Dictionary(
            try await market.revealedOrders(sessionID: id, fromBlock: c.sessionBlock).map { ($0.member, $0) },
            uniquingKeysWith: { a, _ in a })
        let fills = try await market.clearedFills(sessionID: id, fromBlock: c.sessionBlock)
        let released = BigUInt(1) << 255 | 1
        var pending = [MemberFillsEntry]()
        for member in committed {
            let word = try await market.contract.call("participationOf", [.unsigned(id), .address(member)])
            guard let value = word.first?.uintValue, value != 0, value != released, value & 3 != 3 else { continue }
            let reveal = revealed[member]
            pending.append(
                MemberFillsEntry(
                    member: member, orders: reveal?.orders ?? [],
                    salt: reveal?.salt ?? [UInt8](repeating: 0, count: 32),
                    fills: fills[member] ?? []))
        }
        let chunk = 25
        let chunks = stride(from: 0, to: pending.count, by: chunk).map {
            Array(pending[$0..<min(pending.count, $0 + chunk)])
        }
        // Steps are named after the first member of each chunk: a rerun rebuilds the chunks
        // from what is still locked, so numbering would shift.
        for (number, part) in chunks.enumerated() {
            defer { c.emit(.progress(phase: "release", done: number + 1, total: chunks.count)) }
            let data = try market.contract.abi.function("releaseCancelled").encodeCall([
                .unsigned(id), .array(part.map(\.abiValue)),
            ])
            try await c.operatorJournal.ensure(
                step: "release/\(part[0].member.hex)", to: market.address, data: data, abi: market.contract.abi)
        }
        c.warn(
            "session \(id) was cancelled on chain: \(pending.count) member(s) had their locks released"
                + (pending.isEmpty ? " (already done)" : ""))
        return true
    }
}
