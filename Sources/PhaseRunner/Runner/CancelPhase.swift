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
        let committed = try await committedMembers(c)
        let revealed = try await revealedBook(c)
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
        let chunks = chunked(pending, size: 25)
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
