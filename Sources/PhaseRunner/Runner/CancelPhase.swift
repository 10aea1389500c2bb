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
        let byMember = Dictionary(uniqueKeysWithValues: pending.map { ($0.member.hex, $0) })
        let releaseCancelled = try market.contract.abi.function("releaseCancelled")
        try await sendChunked(
            c, step: "release", progress: "release", keys: pending.map(\.member.hex), sender: c.operatorJournal,
            to: market.address, abi: market.contract.abi
        ) { keys in
            try releaseCancelled.encodeCall([.unsigned(id), .array(keys.compactMap { byMember[$0]?.abiValue })])
        }
        c.warn(
            "session \(id) was cancelled on chain: \(pending.count) member(s) had their locks released"
                + (pending.isEmpty ? " (already done)" : ""))
        return true
    }
}
