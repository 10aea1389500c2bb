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
/// `n` counts that action on that member in this journal: 1 for the first suspend of a member,
/// 2 for the suspend after a reinstate, and so on. Before anything new is signed, every earlier
/// attempt of the journal that has no receipt journaled (a run stopped after signing, or after
/// the broadcast) is settled (`finishEarlier`): adopted when it landed, finished with its
/// journaled bytes when it did not — so a re-run of an interrupted request sends that same
/// transaction, never a second one — and only then is the next `n` taken. The chain is read
/// first on every request: a member already in the target status gets nothing.
public struct AdminActions: Sendable {
    /// The node, contracts, admin key's sender and the admin journal.
    public let connection: MemberConnection
    /// Runs `apply` calls one at a time (copies share it): concurrent sends would race for nonces.
    let gate = SerialGate()

    /// The admin key's address (checked == marketplace admin()).
    public var address: Address { connection.address }
    /// The admin journal.
    public var journal: Journal { connection.journal }

    /// `$HOME/.cer-run/admin/<chainId>/<address>.jsonl` (`UserJournalFolder`).
    public static func defaultJournal(for address: Address, chainID: UInt64) -> URL {
        UserJournalFolder.journal(kind: "admin", address: address.hex, chainID: chainID)
    }

    /// Connects (checking the chain id and the marketplace), refuses a key that is not the
    /// marketplace's `admin()`, and opens (locking) the admin journal.
    public static func open(_ settings: MemberSettings, key: PrivateKey) async throws -> AdminActions {
        var settings = settings
        // A key that is plainly not the admin is refused before its journal is created.
        let probe = EthClient(url: settings.rpc)
        if (try? await probe.chainID()) == settings.chainID, let abi = try? MemberDirectory.marketplaceABI(),
            let admin = try? await Contract(address: settings.marketplace, abi: abi, client: probe).call("admin").first?
                .addressValue, admin != key.address
        {
            throw notAdmin(key.address, settings.marketplace, admin)
        }
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
        guard admin == key.address else { throw notAdmin(key.address, settings.marketplace, admin) }
        return AdminActions(connection: connection)
    }

    /// The refusal of a key that is not the marketplace's admin.
    static func notAdmin(_ key: Address, _ marketplace: Address, _ admin: Address) -> AdminError {
        .notAdmin(
            "the key \(key.checksummed) is not the admin of marketplace \(marketplace.checksummed) (its admin is \(admin.checksummed)); use the admin's keystore; nothing was sent"
        )
    }

    /// The member's current status (`members(addr)`).
    public func status(of member: Address) async throws -> MemberStatus {
        let value = try await connection.market.contract.call("members", [.address(member)])
        return MemberStatus(rawValue: UInt8(value.first?.uintValue ?? 0)) ?? .none
    }

    /// `admin/<action>/<member>@<marketplace>#` — the steps of `action` on `member`, but for `n`.
    func stepPrefix(_ action: AdminAction, _ member: Address) -> String {
        "admin/\(action.rawValue)/\(member.hex)@\(connection.market.address.hex)#"
    }

    /// The step a new transaction of `action` on `member` gets: one more than the highest `n`
    /// of that action on that member in the journal.
    func nextStep(_ action: AdminAction, _ member: Address) -> String {
        let prefix = stepPrefix(action, member)
        let used = journal.records(ofType: JournaledSender.RecordType.signed).compactMap { record -> Int? in
            guard let step = record.data["step"]?.stringValue, step.hasPrefix(prefix) else { return nil }
            return Int(step.dropFirst(prefix.count))
        }
        return prefix + String((used.max() ?? 0) + 1)
    }

    /// Checks that `action` makes sense for `member` now (its status is the required one or
    /// already the target); throws `AdminError.impossible` otherwise. Returns the status.
    @discardableResult
    public func check(_ action: AdminAction, to member: Address) async throws -> MemberStatus {
        let status = try await status(of: member)
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
        // Earlier attempts first: an interrupted run of this very request is finished there.
        let finished = try await finishEarlierNow()
        if let mine = finished.last(where: { $0.member == member && $0.action == action }) { return mine }
        let before = try await status(of: member)
        let who = member.checksummed
        if before == action.target {
            return AdminOutcome(
                member: member, action: action, before: before, after: before, transactionHash: nil, sent: false,
                message: "\(who) is already \(MemberText.memberStatus(before.rawValue)); nothing sent")
        }
        try Self.require(action, member, before)
        let step = nextStep(action, member)
        let market = connection.market.contract
        let data = try market.abi.function(action.function).encodeCall([.address(member)])
        let outcome: JournaledSender.Outcome
        do { outcome = try await connection.send(step: step, to: market, data: data) } catch let error as MemberError {
            throw error.nothingSent ? AdminError.refused(error.description) : AdminError.failed(error.description)
        }
        return Self.outcome(action, member, before: before, outcome, step: step)
    }

    /// The outcome of a transaction of `action` on `member` (`earlier`: signed by an earlier run).
    static func outcome(
        _ action: AdminAction, _ member: Address, before: MemberStatus, _ outcome: JournaledSender.Outcome,
        step: String, earlier: Bool = false
    ) -> AdminOutcome {
        let hash = outcome.receipt.transactionHash.hex
        let change = "\(MemberText.memberStatus(before.rawValue)) → \(MemberText.memberStatus(action.target.rawValue))"
        let text =
            outcome.sentNow
            ? "\(action.done) \(member.checksummed): \(change) (transaction \(hash)"
                + (earlier ? ", signed by an earlier run that stopped before it was confirmed)" : ")")
            : "\(action.done) \(member.checksummed) earlier (transaction \(hash), found in the journal); nothing sent"
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
