import BigInt
import Chain
import Foundation
import Market

extension Phases {
    /// Publishes validated deliveries in chunks, then closes validation. Members already
    /// validated on chain (an earlier, interrupted run) are not sent again.
    static func publishValidation(_ c: RunContext, entries: [MemberDeliveriesEntry]) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        let session = try await market.session(id)
        guard session.state == .cleared else {
            c.detail("validation already published (session \(id) is \(session.state))")
            return
        }
        // Members validated on chain by an earlier, interrupted run are not sent again.
        let validated = Set(try await market.validatedMembers(sessionID: id, fromBlock: c.sessionBlock).keys.map(\.hex))
        let byMember = Dictionary(uniqueKeysWithValues: entries.map { ($0.member.hex, $0) })
        let setValidTransactions = try market.contract.abi.function("setValidTransactions")
        try await sendChunked(
            c, step: "publish/validation", progress: "publish validation", keys: entries.map(\.member.hex),
            done: validated, sender: c.operatorJournal, to: market.address, abi: market.contract.abi
        ) { keys in
            try setValidTransactions.encodeCall([.unsigned(id), .array(keys.compactMap { byMember[$0]?.abiValue })])
        }
        let finalize = try market.contract.abi.function("finalizeValidation").encodeCall([.unsigned(id)])
        try await c.operatorJournal.ensure(
            step: "publish/validation/finalize", to: market.address, data: finalize, abi: market.contract.abi)
        c.log("validation published: \(entries.count) member(s)")
    }

    /// Pays sellers what they are owed: one `settleBatch` per chunk of members (batch mode), or
    /// each agent member's own `execute` (direct mode; other members execute themselves).
    static func settle(_ c: RunContext) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        var session = try await market.session(id)
        guard session.state == .validated else {
            if session.state == .settled { c.detail("session \(id) is settled") }
            return
        }
        let members = try await market.validatedMembers(sessionID: id, fromBlock: c.sessionBlock).keys.sorted()
        switch c.manifest.settlement.mode {
        case .batch:
            let settleBatch = try market.contract.abi.function("settleBatch")
            // Members who executed themselves are skipped by the contract at a fraction of the
            // cost of a settlement: left out, so they cannot skew the chunk sizing.
            let executed = Set(
                try await market.sessionEvents("Executed", sessionID: id, fromBlock: c.sessionBlock).compactMap {
                    event -> String? in
                    guard case .executed(_, let member, _) = event else { return nil }
                    return member.hex
                })
            try await sendChunked(
                c, step: "settle/batch", progress: "settle", keys: members.map(\.hex), done: executed,
                sender: c.operatorJournal,
                to: market.address, abi: market.contract.abi,
                proceed: { try await market.session(id).state == .validated }
            ) { keys in
                try settleBatch.encodeCall([.unsigned(id), .array(try keys.map { .address(try Address($0)) })])
            }
        case .direct:
            let agents = c.manifest.participants.filter {
                c.memberJournals[$0.id] != nil && members.contains($0.address)
            }
            for (done, participant) in agents.enumerated() {
                defer { c.emit(.progress(phase: "settle", done: done + 1, total: agents.count)) }
                guard let sender = c.memberJournals[participant.id] else { continue }
                let word = try await market.contract.call(
                    "participationOf", [.unsigned(id), .address(participant.address)])
                guard let value = word.first?.uintValue, value >> 255 == 1, value & 1 == 0 else { continue }
                let data = try market.contract.abi.function("execute").encodeCall([.unsigned(id)])
                try await sender.ensure(
                    step: "settle/execute/\(participant.id)", to: market.address, data: data, abi: market.contract.abi)
            }
        }
        session = try await market.session(id)
        if session.state == .settled {
            c.log("session \(id) settled: \(session.settled) member(s) paid")
        } else {
            c.warn(
                "session \(id): \(session.validated - session.settled) member(s) still to execute their settlement "
                    + "(`cer-run member execute`)")
        }
    }

    /// Agent members withdraw what is available to them (when the manifest asks for it).
    static func withdraw(_ c: RunContext) async throws {
        guard c.manifest.settlement.withdraw, let market = c.market else { return }
        let agents = c.manifest.participants.filter { c.memberJournals[$0.id] != nil }
        for (done, participant) in agents.enumerated() {
            defer { c.emit(.progress(phase: "withdraw", done: done + 1, total: agents.count)) }
            guard let sender = c.memberJournals[participant.id] else { continue }
            let step = "withdraw/\(participant.id)"
            let attempted = !c.journal.records(ofType: JournaledSender.RecordType.signed, where: "step", is: step)
                .isEmpty
            if !attempted, try await market.checkFunds(participant.address).available == 0 { continue }
            let data = try market.contract.abi.function("withdrawAllFunds").encodeCall([])
            try await sender.ensure(step: step, to: market.address, data: data, abi: market.contract.abi)
        }
    }
}
