import BigInt
import Chain
import Foundation
import Market

/// The admin's membership decisions, as the contract names them.
public enum AdminAction: String, CaseIterable, Sendable {
    case approve, reject, suspend, reinstate

    /// The status the member must have for the change (the contract's `from`).
    public var required: MemberStatus {
        switch self {
        case .approve, .reject: return .pending
        case .suspend: return .active
        case .reinstate: return .suspended
        }
    }

    /// The status the change leads to.
    public var target: MemberStatus {
        switch self {
        case .approve, .reinstate: return .active
        case .reject: return .rejected
        case .suspend: return .suspended
        }
    }

    /// The contract function.
    public var function: String {
        switch self {
        case .approve: return "approveMember"
        case .reject: return "rejectMember"
        case .suspend: return "suspendMember"
        case .reinstate: return "reinstateMember"
        }
    }

    /// Past tense, for messages.
    public var done: String {
        switch self {
        case .approve: return "approved"
        case .reject: return "rejected"
        case .suspend: return "suspended"
        case .reinstate: return "reinstated"
        }
    }
}

/// What one admin action did to one member.
public struct AdminOutcome: Sendable, Equatable {
    public let member: Address
    public let action: AdminAction
    /// The member's status before.
    public let before: MemberStatus
    /// The member's status after (the target when `sent` or already there).
    public let after: MemberStatus
    /// nil when nothing was sent.
    public let transactionHash: String?
    /// false: already in the target status (idempotent).
    public let sent: Bool
    /// plain words for the CLI / API.
    public let message: String
    /// The journal step of the transaction (nil when nothing was sent).
    public let step: String?

    /// An outcome (the library makes them; public for tests and other front ends).
    public init(
        member: Address, action: AdminAction, before: MemberStatus, after: MemberStatus, transactionHash: String?,
        sent: Bool, message: String, step: String? = nil
    ) {
        self.member = member
        self.action = action
        self.before = before
        self.after = after
        self.transactionHash = transactionHash
        self.sent = sent
        self.message = message
        self.step = step
    }

    /// `{member, action, before, after, transactionHash|null, sent, message}`.
    public var json: JSONValue {
        [
            "member": .string(member.checksummed), "action": .string(action.rawValue),
            "before": .string(MemberDirectory.statusName(before)), "after": .string(MemberDirectory.statusName(after)),
            "transactionHash": transactionHash.map { .string($0) } ?? .null, "sent": .bool(sent),
            "message": .string(message),
        ]
    }
}

/// Why an admin action stopped.
public enum AdminError: Error, CustomStringConvertible, Equatable {
    /// The change makes no sense in the member's current status (approve an active member,
    /// suspend a pending one…): nothing was sent (CLI exit 2, HTTP 409).
    case impossible(String)
    /// The key is not the marketplace's admin: nothing was sent (CLI exit 2).
    case notAdmin(String)
    /// Bad input or settings (node, chain id, marketplace, journal, address): nothing was sent (exit 2).
    case refused(String)
    /// A transaction was mined and failed, or the chain answered something unexpected (exit 1).
    case failed(String)

    /// The message, for people.
    public var description: String {
        switch self {
        case .impossible(let m), .notAdmin(let m), .refused(let m), .failed(let m): return m
        }
    }

    /// True when nothing was sent (exit code 2).
    public var nothingSent: Bool {
        if case .failed = self { return false }
        return true
    }
}

/// The admin's journaled actions (journal default ~/.cer-run/admin/<chain-id>/<address>.jsonl,
/// JournaledSender like MemberConnection; step names `admin/<action>/<member>@<marketplace>#<n>`
/// so a later suspend after a reinstate is a new step while a re-run of the same one never sends twice).
///
/// `n` is the number of `MemberStatusChanged` logs the member has on the marketplace (from
/// `fromBlock`) when the action is decided: the version of the member's status the change
/// applies to. A re-run of a request that never landed (crash before or after the broadcast)
/// sees the same status and the same `n`, so it finishes the journaled attempt (same signed
/// bytes) instead of signing another; once the change landed, the status is the target and
/// nothing is sent. A later change of the same kind (suspend, reinstate, suspend again) comes
/// after more status changes: a new `n`, a new step.
public struct AdminActions: Sendable {
    /// The node, contracts, admin key's sender and the admin journal.
    public let connection: MemberConnection
    /// First block of the log queries (the marketplace's deployment block, or 0).
    public let fromBlock: UInt64
    /// Runs `apply` calls one at a time (copies share it): concurrent sends would race for nonces.
    let gate = SerialGate()

    /// The admin key's address (checked == marketplace admin()).
    public var address: Address { connection.address }
    /// The admin journal.
    public var journal: Journal { connection.journal }

    /// `~/.cer-run/admin/<chainId>/<address>.jsonl`.
    public static func defaultJournal(for address: Address, chainID: UInt64) -> URL {
        FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cer-run/admin")
            .appendingPathComponent(String(chainID)).appendingPathComponent("\(address.hex).jsonl")
    }

    /// Connects (checking the chain id and the marketplace), refuses a key that is not the
    /// marketplace's `admin()`, and opens (locking) the admin journal.
    public static func open(_ settings: MemberSettings, key: PrivateKey, fromBlock: UInt64 = 0) async throws
        -> AdminActions
    {
        var settings = settings
        if settings.journal == nil {
            settings.journal = defaultJournal(for: key.address, chainID: settings.chainID)
        }
        let connection: MemberConnection
        do { connection = try await MemberConnection.open(settings, key: key) } catch let error as MemberError {
            throw error.nothingSent ? AdminError.refused(error.description) : AdminError.failed(error.description)
        }
        let admin: Address
        do {
            guard let value = try await connection.market.contract.call("admin").first?.addressValue else {
                throw AdminError.refused("\(settings.marketplace.checksummed) does not answer admin()")
            }
            admin = value
        } catch let error as ContractCallError {
            throw AdminError.refused("cannot read admin() of \(settings.marketplace.checksummed): \(error)")
        }
        guard admin == key.address else {
            throw AdminError.notAdmin(
                "the key \(key.address.checksummed) is not the admin of marketplace \(settings.marketplace.checksummed) (its admin is \(admin.checksummed)); use the admin's keystore; nothing was sent"
            )
        }
        return AdminActions(connection: connection, fromBlock: fromBlock)
    }

    /// The member's status and its number of status changes, both as of the same block.
    public func state(of member: Address) async throws -> (status: MemberStatus, changes: Int) {
        let market = connection.market
        let head = try await connection.client.blockNumber()
        let event = try market.contract.abi.event("MemberStatusChanged")
        let logs = try await connection.client.logs(
            LogFilter(
                fromBlock: fromBlock, toBlock: head, addresses: [market.address],
                topics: [[event.topic], [try ABI.encode(.address, .address(member))]]))
        let value = try await market.contract.call("members", [.address(member)], at: .number(head))
        let status = MemberStatus(rawValue: UInt8(value.first?.uintValue ?? 0)) ?? .none
        return (status, logs.filter { !$0.removed }.count)
    }

    /// The journal step of `action` on `member` after `changes` status changes.
    public func step(_ action: AdminAction, _ member: Address, changes: Int) -> String {
        "admin/\(action.rawValue)/\(member.hex)@\(connection.market.address.hex)#\(changes)"
    }

    /// Checks that `action` makes sense for `member` now (its status is the required one or
    /// already the target); throws `AdminError.impossible` otherwise. Returns the status.
    @discardableResult
    public func check(_ action: AdminAction, to member: Address) async throws -> MemberStatus {
        let status = try await state(of: member).status
        try Self.require(action, member, status)
        return status
    }

    /// Checks the member's current status first: already in the target → sent:false;
    /// an impossible change (e.g. approve an active member) → a typed error with plain words (CLI exit 2).
    public func apply(_ action: AdminAction, to member: Address) async throws -> AdminOutcome {
        let actions = self
        return try await gate.run { try await actions.applyNow(action, to: member) }
    }

    /// `apply` without the gate.
    func applyNow(_ action: AdminAction, to member: Address) async throws -> AdminOutcome {
        let (before, changes) = try await state(of: member)
        let who = member.checksummed
        if before == action.target {
            return AdminOutcome(
                member: member, action: action, before: before, after: before, transactionHash: nil, sent: false,
                message: "\(who) is already \(MemberText.memberStatus(before.rawValue)); nothing sent")
        }
        try Self.require(action, member, before)
        let step = step(action, member, changes: changes)
        let market = connection.market.contract
        let data = try market.abi.function(action.function).encodeCall([.address(member)])
        let outcome: JournaledSender.Outcome
        do { outcome = try await connection.send(step: step, to: market, data: data) } catch let error as MemberError {
            throw error.nothingSent ? AdminError.refused(error.description) : AdminError.failed(error.description)
        }
        let hash = outcome.receipt.transactionHash.hex
        let text =
            outcome.sentNow
            ? "\(action.done) \(who): \(MemberText.memberStatus(before.rawValue)) → \(MemberText.memberStatus(action.target.rawValue)) (transaction \(hash))"
            : "\(action.done) \(who) earlier (transaction \(hash), found in the journal); nothing sent"
        return AdminOutcome(
            member: member, action: action, before: before, after: action.target,
            transactionHash: outcome.sentNow ? hash : nil, sent: outcome.sentNow, message: text, step: step)
    }

    /// Throws `AdminError.impossible` unless `status` allows `action` (or is its target).
    static func require(_ action: AdminAction, _ member: Address, _ status: MemberStatus) throws {
        guard status != action.required && status != action.target else { return }
        let who = member.checksummed
        let now = MemberText.memberStatus(status.rawValue)
        var hint = ""
        switch (action, status) {
        case (.approve, .suspended): hint = " (reinstate it instead)"
        case (.reinstate, .pending): hint = " (approve it instead)"
        case (_, .none): hint = " (it must register first)"
        case (_, .rejected): hint = " (it must register again first)"
        default: break
        }
        throw AdminError.impossible(
            "cannot \(action.rawValue) \(who): it is \(now), and \(action.rawValue) needs it \(MemberText.memberStatus(action.required.rawValue))\(hint); nothing was sent"
        )
    }
}

/// Runs bodies strictly one after the other, in call order (an actor alone would interleave
/// them at each `await`).
actor SerialGate {
    private var tail: Task<Void, Never> = Task {}

    /// Runs `body` after every earlier one finished.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let work = Task {
            await previous.value
            return try await body()
        }
        tail = Task { _ = try? await work.value }
        return try await work.value
    }
}
