import BigInt
import Chain
import Foundation
import Market

/// What a member action did: a sentence, whether it sent anything now, and the same as JSON.
public struct MemberOutcome: Sendable {
    /// One sentence for people.
    public var message: String
    /// False when everything was already done (found in the journal and on chain).
    public var sentNow: Bool
    /// Hashes of the transactions of the action (sent now or earlier).
    public var transactions: [String]
    /// `action`, `message`, `sent`, `transactions` and the action's own fields.
    public var json: JSONValue

    init(_ action: String, _ message: String, sentNow: Bool, transactions: [String], extra: [String: JSONValue] = [:]) {
        self.message = message
        self.sentNow = sentNow
        self.transactions = transactions
        var object = extra
        object["action"] = .string(action)
        object["message"] = .string(message)
        object["sent"] = .bool(sentNow)
        object["transactions"] = .array(transactions.map { .string($0) })
        self.json = .object(object)
    }
}

/// The member's own actions on the marketplace: each checks the chain state first and refuses
/// in plain words (`MemberError.refused`, nothing sent) when the action makes no sense, then sends
/// through the member journal. An action already in the journal is finished from there (adopting
/// its receipt, or re-broadcasting the same bytes) and never sent twice.
public struct MemberActions: Sendable {
    /// Where the member acts.
    public let connection: MemberConnection

    /// Actions over an open connection.
    public init(_ connection: MemberConnection) { self.connection = connection }

    var c: MemberConnection { connection }
    var market: MarketplaceContract { connection.market }

    /// `registerUser(keccak256(document))`.
    public func register(document: URL) async throws -> MemberOutcome {
        guard let bytes = FileManager.default.contents(atPath: document.path) else {
            throw MemberError.refused("cannot read the adhesion document \(document.path)")
        }
        let docHash = Keccak256.hash(Array(bytes))
        let current = try await market.member(c.address)
        // A rejected member may register again: a new step for the new registration.
        let step = c.step(current.status == .rejected ? "register/after-\(current.registeredAt)" : "register")
        if !c.hasAttempt(step) {
            switch current.status {
            case .none, .rejected: break
            case .pending:
                throw MemberError.refused(
                    "\(c.address.checksummed) is already registered and waits for the admin's approval; nothing was sent"
                )
            case .active, .suspended:
                throw MemberError.refused(
                    "\(c.address.checksummed) is already a member (\(MemberText.memberStatus(current.status.rawValue))); nothing was sent"
                )
            }
        }
        let data = try c.calldata(market.contract, "registerUser", [.fixedBytes(docHash)])
        let outcome = try await c.send(step: step, to: market.contract, data: data)
        let text =
            outcome.sentNow
            ? "registered \(c.address.checksummed) with document hash \(docHash.hex); the admin must now approve it"
            : "already registered by this journal (transaction \(outcome.receipt.transactionHash.hex)); nothing sent"
        return MemberOutcome(
            "register", text, sentNow: outcome.sentNow, transactions: [outcome.receipt.transactionHash.hex],
            extra: ["documentHash": .string(docHash.hex)])
    }

    /// Moves `amount` tokens into the marketplace: `depositWithPermit` (one transaction) when the
    /// token supports EIP-2612, else `approve` + `deposit`. `reference` names this deposit in the
    /// journal: the same reference is never deposited twice.
    public func deposit(amount: BigUInt, reference: String) async throws -> MemberOutcome {
        let step = c.step("deposit/\(reference)")
        let approveStep = c.step("deposit/\(reference)/approve")
        var transactions = [String]()
        var sentNow = false
        if !c.hasAttempt(step) {
            if !c.hasAttempt(approveStep), let earlier = c.unfinished("deposit", except: step) {
                throw MemberError.refused(
                    "deposit \"\(earlier)\" from an earlier run is unfinished: run the same command with "
                        + "`--ref \(earlier)` to finish it first; nothing was sent")
            }
            guard amount > 0 else { throw MemberError.refused("the amount must be more than zero") }
            let status = try await market.member(c.address).status
            guard status != .none && status != .rejected else {
                throw MemberError.refused(
                    "\(c.address.checksummed) is \(MemberText.memberStatus(status.rawValue)): register first (`cer-run member register`); nothing was sent"
                )
            }
            let balance = try await c.token.balance(of: c.address)
            guard balance >= amount || c.hasAttempt(approveStep) else {
                throw MemberError.refused(
                    "the wallet holds \(c.money(balance)) tokens, less than \(c.money(amount)); nothing was sent")
            }
        }
        let data: [UInt8]
        if let journaled = c.journaledCalldata(step) {
            data = journaled
        } else if !c.hasAttempt(approveStep), try await supportsPermit() {
            let deadline = try await c.chainTime() + 3600
            let signature = try await c.token.signPermit(
                key: c.sender.key, spender: market.address, value: amount, deadline: deadline, chainID: c.chainID)
            data = try c.calldata(
                market.contract, "depositWithPermit",
                [
                    .uint(amount), .unsigned(deadline), .unsigned(signature.recoveryID + 27),
                    .fixedBytes(signature.r), .fixedBytes(signature.s),
                ])
        } else {
            let approve = try c.calldata(c.token.contract, "approve", [.address(market.address), .uint(amount)])
            let outcome = try await c.send(step: approveStep, to: c.token.contract, data: approve)
            transactions.append(outcome.receipt.transactionHash.hex)
            sentNow = outcome.sentNow
            data = try c.calldata(market.contract, "deposit", [.uint(amount)])
        }
        let outcome = try await c.send(step: step, to: market.contract, data: data)
        transactions.append(outcome.receipt.transactionHash.hex)
        sentNow = sentNow || outcome.sentNow
        let funds = try await market.checkFunds(c.address)
        let text =
            (outcome.sentNow
                ? "deposited \(c.money(amount))"
                : "deposit \"\(reference)\" was already made (transaction \(outcome.receipt.transactionHash.hex)); nothing sent")
            + "; available \(c.money(funds.available)), locked \(c.money(funds.locked))"
        return MemberOutcome(
            "deposit", text, sentNow: sentNow, transactions: transactions,
            extra: [
                "amount": .string(String(amount)), "reference": .string(reference),
                "available": .string(String(funds.available)), "locked": .string(String(funds.locked)),
            ])
    }

    /// Whether the token answers EIP-2612 `nonces` and `DOMAIN_SEPARATOR`.
    func supportsPermit() async throws -> Bool {
        let abi = c.token.contract.abi
        guard (try? abi.function("nonces")) != nil, (try? abi.function("DOMAIN_SEPARATOR")) != nil else {
            return false
        }
        guard (try? await c.token.contract.call("nonces", [.address(c.address)])) != nil,
            (try? await c.token.contract.call("DOMAIN_SEPARATOR")) != nil
        else { return false }
        return true
    }

    /// Withdraws `amount` of the available funds (nil: all of them) to the member's wallet.
    public func withdraw(amount: BigUInt?, reference: String) async throws -> MemberOutcome {
        let step = c.step("withdraw/\(reference)")
        if !c.hasAttempt(step) {
            if let earlier = c.unfinished("withdraw", except: step) {
                throw MemberError.refused(
                    "withdrawal \"\(earlier)\" from an earlier run is unfinished: run the same command with "
                        + "`--ref \(earlier)` to finish it first; nothing was sent")
            }
            let funds = try await market.checkFunds(c.address)
            guard funds.available > 0 else {
                throw MemberError.refused(
                    "no available funds to withdraw (locked: \(c.money(funds.locked)), released after settlement); nothing was sent"
                )
            }
            if let amount {
                guard amount > 0 else { throw MemberError.refused("the amount must be more than zero") }
                guard amount <= funds.available else {
                    throw MemberError.refused(
                        "only \(c.money(funds.available)) is available, less than \(c.money(amount)); nothing was sent")
                }
            }
        }
        let data =
            try c.journaledCalldata(step)
            ?? (amount.map { try c.calldata(market.contract, "claimAvailableFunds", [.uint($0)]) }
                ?? c.calldata(market.contract, "withdrawAllFunds", []))
        let outcome = try await c.send(step: step, to: market.contract, data: data)
        let withdrawn = market.contract.events(in: outcome.receipt).first { $0.event.name == "Withdrawn" }
        let value: BigUInt = {
            if case .value(.uint(let v))? = withdrawn?["amount"] { return v }
            return amount ?? 0
        }()
        let text =
            outcome.sentNow
            ? "withdrew \(c.money(value)) to \(c.address.checksummed)"
            : "withdrawal \"\(reference)\" was already made (transaction \(outcome.receipt.transactionHash.hex)); nothing sent"
        return MemberOutcome(
            "withdraw", text, sentNow: outcome.sentNow, transactions: [outcome.receipt.transactionHash.hex],
            extra: ["amount": .string(String(value)), "reference": .string(reference)])
    }

    /// `execute(session)`: collects what the member's validated fills earned.
    public func execute(session id: UInt64) async throws -> MemberOutcome {
        let step = c.step("execute/\(id)")
        if !c.hasAttempt(step) {
            let session = try await requireSession(id)
            let word = try await participationWord(id)
            let words = Participation.words(word: word, state: session.state)
            switch session.state {
            case .validated: break
            case .settled where !words.contains("settled"):
                throw MemberError.refused("session \(id) is settled and this member has nothing to collect in it")
            case .open, .cleared:
                throw MemberError.refused(
                    "session \(id) is \(MemberText.sessionState(session.state.rawValue)), not validated yet: the operator publishes the meter validation after delivery; nothing was sent"
                )
            default: break
            }
            if words.contains("settled") {
                throw MemberError.refused(
                    "this member's fills in session \(id) are already settled (by this or the operator's batch); nothing was sent"
                )
            }
            guard words.contains("validated") else {
                throw MemberError.refused(
                    "this member has no validated fills in session \(id) (participation: \(words.joined(separator: ", "))); nothing was sent"
                )
            }
        }
        let data = try c.calldata(market.contract, "execute", [.unsigned(id)])
        let outcome = try await c.send(step: step, to: market.contract, data: data)
        let funds = try await market.checkFunds(c.address)
        let text =
            (outcome.sentNow
                ? "settled session \(id)" : "session \(id) was already executed by this journal; nothing sent")
            + "; available \(c.money(funds.available)), locked \(c.money(funds.locked))"
        return MemberOutcome(
            "execute", text, sentNow: outcome.sentNow, transactions: [outcome.receipt.transactionHash.hex],
            extra: ["session": .int(Int64(id)), "available": .string(String(funds.available))])
    }

    /// The session, or a refusal naming it when it does not exist.
    func requireSession(_ id: UInt64) async throws -> OnChainSession {
        do { return try await market.session(id) } catch ContractCallError.reverted(let reason) {
            throw MemberError.refused(MarketErrorText.explain(reason, decimals: c.decimals) + "; nothing was sent")
        }
    }

    /// `participationOf(session, member)`.
    func participationWord(_ id: UInt64) async throws -> BigUInt {
        try await market.contract.call("participationOf", [.unsigned(id), .address(c.address)]).first?.uintValue ?? 0
    }
}
