import BigInt
import Chain
import Foundation
import Manifest
import Market

/// `batching.submission: relayed`: agent members sign, the operator sends. Commits go out as
/// EIP-712 authorisations in `submitCommitmentsBySig` chunks, reveals as `revealOrdersRelayed`
/// chunks (the commitment binds them; no signature), each chunk under `batching.max_gas`,
/// journaled and resumable like every other chunked step. Members that already did the step
/// (directly, or in an earlier chunk) are skipped on chain with `RelaySkipped`.
extension Phases {
    /// Salts of every pending member are journaled (fsync) before the first chunk is signed.
    static func commitRelayed(_ c: RunContext) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        let agents = c.manifest.participants.filter { !$0.orders.isEmpty && c.members[$0.id] != nil }
        let committed = Set(try await committedMembers(c).map(\.hex))
        let deadline = UInt64(c.manifest.deadlines.commit)
        let pending = try await relayable(
            c, market, agents.filter { !committed.contains($0.address.hex) }, step: "commit", deadline: deadline)
        guard !pending.isEmpty else { return }
        let byID = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0) })
        var salts = [String: [UInt8]]()
        for participant in pending { salts[participant.id] = try salt(c, participant.id) }
        let submit = try market.contract.abi.function("submitCommitmentsBySig")
        // Sizing a chunk encodes it more than once: each authorisation is signed once per run.
        var signed = [String: ABIValue]()
        try await sendChunked(
            c, step: "commit/relayed", progress: "commit", keys: pending.map(\.id), sender: c.operatorJournal,
            to: market.address, abi: market.contract.abi
        ) { ids in
            let participants = ids.compactMap { byID[$0] }
            let unsigned = participants.filter { signed[$0.id] == nil }
            for participant in unsigned {
                guard let key = c.members[participant.id]?.key else { continue }
                let salt = try salts[participant.id] ?? salt(c, participant.id)
                let commitment = try Commitment.compute(
                    chainID: c.chainID, marketplace: market.address, sessionID: id, member: participant.address,
                    orders: participant.orders, salt: salt)
                signed[participant.id] =
                    try CommitAuthorization.sign(
                        key: key, chainID: c.chainID, marketplace: market.address, sessionID: id,
                        commitment: commitment, deadline: deadline
                    ).abiValue
            }
            return try submit.encodeCall([.unsigned(id), .array(participants.compactMap { signed[$0.id] })])
        }
        c.log("commitments in: \(try await market.session(id).commits) (relayed)")
    }

    static func revealRelayed(_ c: RunContext) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        let agents = c.manifest.participants.filter {
            !$0.orders.isEmpty && c.members[$0.id] != nil && !c.withholdReveal.contains($0.id)
        }
        let committed = Set(try await committedMembers(c).map(\.hex))
        let revealed = Set(
            try await market.revealedOrders(sessionID: id, fromBlock: c.sessionBlock).map(\.member.hex))
        let pending = try await relayable(
            c, market, agents.filter { committed.contains($0.address.hex) && !revealed.contains($0.address.hex) },
            step: "reveal", deadline: UInt64(c.manifest.deadlines.reveal))
        guard !pending.isEmpty else { return }
        let byID = Dictionary(uniqueKeysWithValues: agents.map { ($0.id, $0) })
        let relay = try market.contract.abi.function("revealOrdersRelayed")
        try await sendChunked(
            c, step: "reveal/relayed", progress: "reveal", keys: pending.map(\.id), sender: c.operatorJournal,
            to: market.address, abi: market.contract.abi
        ) { ids in
            let entries = try ids.compactMap { id -> ABIValue? in
                guard let participant = byID[id] else { return nil }
                return RevealEntry(member: participant.address, orders: participant.orders, salt: try salt(c, id))
                    .abiValue
            }
            return try relay.encodeCall([.unsigned(id), .array(entries)])
        }
        c.log("reveals in: \(try await market.session(id).reveals) (relayed)")
    }

    /// The members of `pending` whose `step` can be relayed now: active on chain (the contract
    /// refuses a whole batch naming any other) and before `deadline` in chain time; a warning
    /// for each one left out.
    private static func relayable(
        _ c: RunContext, _ market: MarketplaceContract, _ pending: [SessionManifest.Participant], step: String,
        deadline: UInt64
    ) async throws -> [SessionManifest.Participant] {
        guard !pending.isEmpty else { return [] }
        let active = try await activeMembers(c, market, pending.map(\.address))
        for participant in pending where !active.contains(participant.address) {
            c.warn("\(participant.id) is not an active member: its \(step) cannot be relayed")
        }
        let ready = pending.filter { active.contains($0.address) }
        guard !ready.isEmpty, try await c.chainTime() >= deadline else { return ready }
        for participant in ready { c.warn("\(participant.id) missed the \(step) deadline") }
        return []
    }
}
