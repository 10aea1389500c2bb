import BigInt
import Chain
import Foundation
import Market

/// Earlier attempts of the admin journal that never got a receipt journaled (a run killed after
/// signing, or after the broadcast). Each is settled before anything new is signed: besides
/// finishing what the admin asked for, a signed transaction left behind keeps its nonce
/// reserved (`JournaledSender` signs the next one above it), so a later transaction would wait
/// forever behind the gap.
extension AdminActions {
    /// One step name taken apart: `admin/<action>/<member>@<marketplace>#<n>`.
    struct StepName: Equatable {
        var action: AdminAction
        var member: Address
        var marketplace: Address
        var index: Int

        init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "admin", let action = AdminAction(rawValue: parts[1]) else {
                return nil
            }
            let rest = parts[2].split(separator: "@").map(String.init)
            guard rest.count == 2 else { return nil }
            let tail = rest[1].split(separator: "#").map(String.init)
            guard tail.count == 2, let index = Int(tail[1]), let member = try? Address(rest[0]),
                let marketplace = try? Address(tail[0])
            else { return nil }
            (self.action, self.member, self.marketplace, self.index) = (action, member, marketplace, index)
        }
    }

    /// Steps with a signed attempt of this key and neither a mined record nor a superseded last
    /// attempt, in journal order.
    func unfinishedSteps() -> [String] {
        let journal = connection.journal
        let mined = Set(
            journal.records(ofType: JournaledSender.RecordType.mined).compactMap { $0.data["step"]?.stringValue })
        var seen = Set<String>()
        var steps = [String]()
        for record in journal.records(ofType: JournaledSender.RecordType.signed) {
            guard let step = record.data["step"]?.stringValue, step.hasPrefix("admin/"), !mined.contains(step),
                record.data["sender"]?.stringValue == address.hex, seen.insert(step).inserted
            else { continue }
            guard let hash = lastAttempt(step)?.data["hash"]?.stringValue,
                journal.records(ofType: JournaledSender.RecordType.superseded, where: "hash", is: hash).isEmpty
            else { continue }
            steps.append(step)
        }
        return steps
    }

    /// The last `tx.signed` record of `step`.
    func lastAttempt(_ step: String) -> JournalRecord? {
        connection.journal.records(ofType: JournaledSender.RecordType.signed, where: "step", is: step).last
    }

    /// Settles every earlier attempt without a journaled receipt: one that landed is adopted
    /// (its receipt journaled); one whose nonce another transaction used is marked superseded;
    /// any other is broadcast again with its journaled bytes (never signed anew) and waited for.
    /// Returns the outcomes of the changes that took effect now (an attempt the member's status
    /// no longer allows is mined as a harmless revert that only uses up its nonce).
    @discardableResult
    public func finishEarlier() async throws -> [AdminOutcome] {
        let actions = self
        return try await gate.run { try await actions.finishEarlierNow() }
    }

    /// `finishEarlier` without the gate.
    func finishEarlierNow() async throws -> [AdminOutcome] {
        var outcomes = [AdminOutcome]()
        for name in unfinishedSteps() {
            if let outcome = try await settle(name) { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// Settles one unfinished step; its outcome when its change took effect now.
    private func settle(_ name: String) async throws -> AdminOutcome? {
        guard let parsed = StepName(name) else {
            throw AdminError.refused("the admin journal holds step \(name), which this version cannot read")
        }
        guard let attempt = lastAttempt(name), let hashText = attempt.data["hash"]?.stringValue,
            case .int(let nonce)? = attempt.data["nonce"]
        else { return nil }
        let client = connection.client
        let journaled = connection.journaled
        let abi = connection.market.contract.abi
        let data = try abi.function(parsed.action.function).encodeCall([.address(parsed.member)])
        var landed = false
        for record in connection.journal.records(ofType: JournaledSender.RecordType.signed, where: "step", is: name) {
            guard let text = record.data["hash"]?.stringValue, let hash = try? Hex.decode(text) else { continue }
            if try await client.receipt(hash) != nil {
                landed = true
                break
            }
        }
        if landed {
            // JournaledSender adopts the receipt (its first step) and journals it; one that
            // reverted is journaled as mined (status 0) and is no reason to stop now.
            do {
                _ = try await journaled.ensure(step: name, to: parsed.marketplace, data: data, abi: abi)
            } catch SendError.reverted {}
            return nil
        }
        if try await UInt64(nonce) < client.transactionCount(of: address, at: .latest) {
            // Another transaction took the nonce: ours can never land.
            do {
                try connection.journal.append(
                    JournaledSender.RecordType.superseded, ["step": .string(name), "hash": .string(hashText)])
            } catch { throw AdminError.failed(error.description) }
            return nil
        }
        guard parsed.marketplace == connection.market.address else {
            throw AdminError.refused(
                "the admin journal holds a \(parsed.action.rawValue) of \(parsed.member.checksummed) on marketplace \(parsed.marketplace.checksummed), signed by an earlier run and never confirmed: run the same command with --marketplace \(parsed.marketplace.checksummed) first; nothing was sent"
            )
        }
        let before = try await status(of: parsed.member)
        let outcome: JournaledSender.Outcome
        do {
            outcome = try await journaled.ensure(step: name, to: parsed.marketplace, data: data, abi: abi)
        } catch SendError.reverted(let hash, _, let reason) {
            // The member's status no longer allows it: the revert only used up the nonce.
            guard before != parsed.action.required else {
                throw AdminError.failed(
                    "transaction \(hash.hex) (\(name)) failed: \(reason.map { "\($0)" } ?? "no reason could be replayed")"
                )
            }
            return nil
        }
        return Self.outcome(parsed.action, parsed.member, before: before, outcome, step: name, earlier: true)
    }
}
