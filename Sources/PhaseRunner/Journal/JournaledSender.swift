import BigInt
import Chain
import Foundation
import Synchronization

/// Sends the transactions of named steps exactly once, across crashes: each transaction is
/// signed locally, journaled (raw bytes, hash, nonce, fees; fsynced) and only then broadcast;
/// its outcome is journaled after. `ensure(step:)` first looks at what the journal and the chain
/// already know — a receipt for any attempt is adopted, an attempt the node lost is
/// re-broadcast with the same bytes — and signs a new transaction only when no attempt can
/// still land. The chain is the authority.
public actor JournaledSender {
    public let journal: Journal
    public let sender: TransactionSender

    /// Journal record types.
    public enum RecordType {
        public static let signed = "tx.signed"
        public static let mined = "tx.mined"
        public static let superseded = "tx.superseded"
    }

    /// Blocks a receipt must have on top of it (its own included) before a step counts as
    /// done: 1 on chains with immediate finality (QBFT/IBFT2, the dev chain).
    public let confirmations: Int

    /// How many of this sender's `tx.signed` records `nextNonce` has read, and the nonce after
    /// the highest of them.
    private var journaledNonces: (seen: Int, next: UInt64) = (0, 0)

    public init(journal: Journal, sender: TransactionSender, plan: PlanLog? = nil, confirmations: Int = 1) {
        self.journal = journal
        self.sender = sender
        self.plan = plan
        self.confirmations = max(1, confirmations)
    }

    /// The outcome of a step: its receipt, and whether this call sent anything.
    public struct Outcome: Sendable {
        public var receipt: Receipt
        public var sentNow: Bool
        /// Only planned (a planning journal): `receipt` is `Receipt.planned`, nothing was sent.
        public var planned = false
    }

    /// A transaction that a planning run would send.
    public struct PlannedTransaction: Sendable, Equatable {
        public var step: String
        public var sender: Address
        public var to: Address?
        /// The called function's name when `abi` knows the selector; `deploy` for creations.
        public var function: String
        /// True when an earlier attempt is journaled and would be broadcast again (same bytes).
        public var rebroadcast: Bool
    }

    /// Receives planned transactions (planning journals only).
    public let plan: PlanLog?

    /// Makes sure the transaction of `step` is on chain; returns its receipt. Calling it again
    /// for a finished step sends nothing.
    @discardableResult
    public func ensure(
        step: String, to: Address?, data: [UInt8], value: BigUInt = 0, gasLimit: UInt64? = nil, abi: ContractABI? = nil
    ) async throws -> Outcome {
        var outcome = try await ensureIncluded(
            step: step, to: to, data: data, value: value, gasLimit: gasLimit, abi: abi)
        if !outcome.planned {
            outcome.receipt = try await confirmed(outcome.receipt, step: step)
            // A reorganisation may have moved it: the new inclusion must have succeeded too.
            try await checkSucceeded(outcome.receipt, to: to, data: data, value: value, abi: abi)
        }
        return outcome
    }

    /// Waits until `receipt` has `confirmations` blocks (its own included) and is still in
    /// the canonical chain; a receipt that moved is followed, one that vanished (a
    /// reorganisation dropped it) is an error — running again re-broadcasts its journaled bytes.
    func confirmed(_ receipt: Receipt, step: String) async throws -> Receipt {
        guard confirmations > 1 else { return receipt }
        var current = receipt
        while true {
            let head = try await sender.client.blockNumber()
            if head + 1 >= current.blockNumber + UInt64(confirmations) {
                guard let again = try await sender.client.receipt(current.transactionHash) else {
                    throw JournaledSenderError.droppedByReorganisation(step: step, hash: current.transactionHash.hex)
                }
                if again.blockHash == current.blockHash { return again }
                try record(mined: again, step: step)
                current = again
                continue
            }
            try await Task.sleep(for: sender.pollInterval)
        }
    }

    /// How many times one `ensure` goes back to the chain after the node answered "Nonce too
    /// low" for an attempt it does not know, before giving up (a later run resumes).
    static let resolutionRounds = 6

    private func ensureIncluded(
        step: String, to: Address?, data: [UInt8], value: BigUInt, gasLimit: UInt64?, abi: ContractABI?
    ) async throws -> Outcome {
        var round = 1
        while true {
            do {
                return try await resolve(step: step, to: to, data: data, value: value, gasLimit: gasLimit, abi: abi)
            } catch SendError.nonceTooLow where round < Self.resolutionRounds {
                // Our attempt's nonce looks used: mined by us (answer lost, index lagging) or by
                // another transaction. Decide again from the journal and the chain.
                round += 1
            }
        }
    }

    /// One pass of steps 1–3 (docs/journal.md, "Resuming a step").
    private func resolve(
        step: String, to: Address?, data: [UInt8], value: BigUInt, gasLimit: UInt64?, abi: ContractABI?
    ) async throws -> Outcome {
        let address = sender.address.hex
        let attempts = journal.records(ofType: RecordType.signed, where: "step", is: step).filter {
            $0.data["sender"]?.stringValue == address
        }
        // 1. A receipt for any attempt settles the step.
        for attempt in attempts.reversed() {
            guard let hashText = attempt.data["hash"]?.stringValue, let hash = try? Hex.decode(hashText) else {
                continue
            }
            if let receipt = try await sender.client.receipt(hash) {
                try record(mined: receipt, step: step)
                try await checkSucceeded(receipt, to: to, data: data, value: value, abi: abi)
                return Outcome(receipt: receipt, sentNow: false)
            }
        }
        if journal.isPlanning {
            var function = to == nil ? "deploy" : Array(data.prefix(4)).hex
            if let abi, let match = abi.functions.first(where: { $0.selector == Array(data.prefix(4)) }) {
                function = match.name
            }
            plan?.append(
                PlannedTransaction(
                    step: step, sender: sender.address, to: to, function: function, rebroadcast: !attempts.isEmpty))
            return Outcome(receipt: .planned(from: sender.address, to: to), sentNow: false, planned: true)
        }
        // 2. The latest live attempt: rebroadcast its bytes while its nonce is still free.
        if let last = attempts.last, let hashText = last.data["hash"]?.stringValue,
            journal.records(ofType: RecordType.superseded, where: "hash", is: hashText).isEmpty,
            let rawText = last.data["raw"]?.stringValue, let raw = try? Hex.decode(rawText),
            case .int(let nonce)? = last.data["nonce"]
        {
            let mined = try await sender.client.transactionCount(of: sender.address, at: .latest)
            if UInt64(nonce) >= mined {
                let signed = try SignedTransaction(raw: raw)
                return try await broadcastAndWait(signed, step: step, to: to, data: data, value: value, abi: abi)
            }
            // The nonce is used. Ours may just have been mined since step 1: look once more.
            if let hash = try? Hex.decode(hashText), let receipt = try await sender.client.receipt(hash) {
                try record(mined: receipt, step: step)
                try await checkSucceeded(receipt, to: to, data: data, value: value, abi: abi)
                return Outcome(receipt: receipt, sentNow: false)
            }
            // A node that knows ours in a block (its receipt index lagging or pruned) has mined
            // it: wait for that receipt rather than sign again.
            if let hash = try? Hex.decode(hashText), let known = try await sender.client.transaction(hash),
                known.blockNumber != nil
            {
                let receipt = try await sender.waitForReceipt(hash)
                try record(mined: receipt, step: step)
                try await checkSucceeded(receipt, to: to, data: data, value: value, abi: abi)
                return Outcome(receipt: receipt, sentNow: false)
            }
            // Another transaction used our nonce (external interference) and the node knows
            // nothing of ours: it can never land. Record that, then sign anew.
            try journal.append(RecordType.superseded, ["step": .string(step), "hash": .string(hashText)])
        }
        // 3. Sign a new attempt, journal it, then broadcast.
        let nonce = try await nextNonce()
        let signed = try await sender.prepare(
            to: to, data: data, value: value, gasLimit: gasLimit, nonce: nonce, abi: abi)
        try journal.append(
            RecordType.signed,
            [
                "step": .string(step), "sender": .string(address), "nonce": .int(Int64(signed.transaction.nonce)),
                "hash": .string(signed.hash.hex), "raw": .string(signed.raw.hex),
                "type": .int(Int64(signed.transaction.type)),
            ])
        return try await broadcastAndWait(signed, step: step, to: to, data: data, value: value, abi: abi)
    }

    /// max(next nonce after our journaled attempts, the node's pending count, its latest
    /// count). `latest` guards against a `pending` answer that lags (a node behind, a pool that
    /// just evicted): a nonce below it can never land.
    private func nextNonce() async throws -> UInt64 {
        // The journal only grows: fold the sender's signed records not seen yet into the
        // running maximum (rescanning them all made a sender's n-th transaction cost n lookups:
        // quadratic over the operator's 20,000 setup transactions of a 10,000-member run).
        let fresh = journal.records(
            ofType: RecordType.signed, where: "sender", is: sender.address.hex, from: journaledNonces.seen)
        for record in fresh {
            if case .int(let n)? = record.data["nonce"] {
                journaledNonces.next = max(journaledNonces.next, UInt64(n) + 1)
            }
        }
        journaledNonces.seen += fresh.count
        let journaled = journaledNonces.next
        let pending = try await sender.client.transactionCount(of: sender.address, at: .pending)
        let latest = try await sender.client.transactionCount(of: sender.address, at: .latest)
        return max(journaled, pending, latest)
    }

    private func broadcastAndWait(
        _ signed: SignedTransaction, step: String, to: Address?, data: [UInt8], value: BigUInt, abi: ContractABI?
    ) async throws -> Outcome {
        try await sender.broadcast(signed)
        CrashHook.broadcastDone()
        let receipt = try await sender.waitForReceipt(signed)
        try record(mined: receipt, step: step)
        try await checkSucceeded(receipt, to: to, data: data, value: value, abi: abi)
        return Outcome(receipt: receipt, sentNow: true)
    }

    private func record(mined receipt: Receipt, step: String) throws {
        let hash = receipt.transactionHash.hex
        guard journal.records(ofType: RecordType.mined, where: "hash", is: hash).isEmpty else { return }
        try journal.append(
            RecordType.mined,
            [
                "step": .string(step), "hash": .string(hash), "block": .int(Int64(receipt.blockNumber)),
                "status": .int(receipt.succeeded ? 1 : 0), "gasUsed": .int(Int64(receipt.gasUsed)),
            ])
    }

    private func checkSucceeded(_ receipt: Receipt, to: Address?, data: [UInt8], value: BigUInt, abi: ContractABI?)
        async throws
    {
        guard !receipt.succeeded else { return }
        let reason = await sender.revertReason(of: receipt, to: to, data: data, value: value, abi: abi)
        throw SendError.reverted(hash: receipt.transactionHash, receipt: receipt, reason: reason)
    }
}

/// The transactions a planning run would send, in the order the phases reach them.
public final class PlanLog: Sendable {
    private let items = Mutex<[JournaledSender.PlannedTransaction]>([])

    public init() {}

    public func append(_ item: JournaledSender.PlannedTransaction) { items.withLock { $0.append(item) } }

    public var transactions: [JournaledSender.PlannedTransaction] { items.withLock { $0 } }
}

/// A step whose transaction left the chain while waiting for confirmations.
public enum JournaledSenderError: Error, CustomStringConvertible {
    case droppedByReorganisation(step: String, hash: String)

    public var description: String {
        switch self {
        case .droppedByReorganisation(let step, let hash):
            return "\(step): transaction \(hash) left the chain in a reorganisation; run again to re-broadcast it"
        }
    }
}
