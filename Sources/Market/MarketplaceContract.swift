import BigInt
import Chain

/// Typed binding of `contracts/src/market/Marketplace.sol`. Writes take the sender that signs
/// them; reads go through `eth_call`. Reverts surface as `SendError.wouldRevert` /
/// `ContractCallError.reverted` with the contract's custom error decoded.
public struct MarketplaceContract: Sendable {
    public let contract: Contract

    public init(contract: Contract) { self.contract = contract }

    public var address: Address { contract.address }

    @discardableResult
    func send(_ sender: TransactionSender, _ function: String, _ arguments: [ABIValue]) async throws -> Receipt {
        try await sender.transact(contract, function, arguments)
    }

    func read(_ function: String, _ arguments: [ABIValue] = []) async throws -> [ABIValue] {
        try await contract.call(function, arguments)
    }

    // MARK: roles and membership

    @discardableResult
    public func registerUser(adhesionDocHash: [UInt8], sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "registerUser", [.fixedBytes(adhesionDocHash)])
    }

    @discardableResult
    public func approveMember(_ member: Address, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "approveMember", [.address(member)])
    }

    @discardableResult
    public func rejectMember(_ member: Address, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "rejectMember", [.address(member)])
    }

    @discardableResult
    public func suspendMember(_ member: Address, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "suspendMember", [.address(member)])
    }

    @discardableResult
    public func reinstateMember(_ member: Address, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "reinstateMember", [.address(member)])
    }

    @discardableResult
    public func setOperator(_ newOperator: Address, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "setOperator", [.address(newOperator)])
    }

    @discardableResult
    public func transferAdmin(_ newAdmin: Address, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "transferAdmin", [.address(newAdmin)])
    }

    @discardableResult
    public func setPriorSessionValidation(_ required: Bool, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "setPriorSessionValidation", [.bool(required)])
    }

    /// The member's status, registration time and notarised adhesion document hash.
    public func member(_ address: Address) async throws -> (
        status: MemberStatus, registeredAt: UInt64, docHash: [UInt8]
    ) {
        let v = try await read("members", [.address(address)])
        guard v.count == 3 else {
            throw ContractCallError.rpc(
                .malformedResponse(method: "members", reason: "expected 3 fields, got \(v.count)"))
        }
        return (
            MemberStatus(rawValue: UInt8(v[0].uintValue ?? 0)) ?? .none, UInt64(v[1].uintValue ?? 0),
            v[2].bytesValue ?? []
        )
    }

    // MARK: funds

    @discardableResult
    public func deposit(_ amount: BigUInt, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "deposit", [.uint(amount)])
    }

    @discardableResult
    public func depositWithPermit(_ amount: BigUInt, deadline: UInt64, signature: Signature, sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(
            sender, "depositWithPermit",
            [
                .uint(amount), .unsigned(deadline), .unsigned(signature.recoveryID + 27), .fixedBytes(signature.r),
                .fixedBytes(signature.s),
            ])
    }

    @discardableResult
    public func claimAvailableFunds(_ amount: BigUInt, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "claimAvailableFunds", [.uint(amount)])
    }

    @discardableResult
    public func withdrawAllFunds(sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "withdrawAllFunds", [])
    }

    @discardableResult
    public func withdrawTreasury(to: Address, amount: BigUInt, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "withdrawTreasury", [.address(to), .uint(amount)])
    }

    /// Available and locked funds of a member.
    public func checkFunds(_ member: Address) async throws -> (available: BigUInt, locked: BigUInt) {
        let v = try await read("checkFunds", [.address(member)])
        return (v[0].uintValue ?? 0, v[1].uintValue ?? 0)
    }

    public func treasury() async throws -> BigUInt { try await read("treasury")[0].uintValue ?? 0 }

    // MARK: sessions

    /// Opens a session; returns its id (from the `SessionCreated` event) and the receipt.
    public func newSession(_ params: SessionParams, sender: TransactionSender) async throws -> (UInt64, Receipt) {
        let receipt = try await send(sender, "newSession", [params.abiValue])
        guard let event = contract.events(in: receipt).first(where: { $0.event.name == "SessionCreated" }),
            case .value(.uint(let id))? = event["sessionId"]
        else {
            throw ContractCallError.rpc(.malformedResponse(method: "newSession", reason: "no SessionCreated event"))
        }
        return (UInt64(id), receipt)
    }

    /// A session's stored fields.
    public func session(_ id: UInt64) async throws -> OnChainSession {
        let v = try await read("getSession", [.unsigned(id)])
        guard case .tuple(let f) = v[0], f.count == 19 else {
            throw ContractCallError.rpc(.malformedResponse(method: "getSession", reason: "unexpected shape"))
        }
        func u(_ i: Int) -> BigUInt { f[i].uintValue ?? 0 }
        return OnChainSession(
            commitDeadline: UInt64(u(0)), revealDeadline: UInt64(u(1)), deliveryStart: UInt64(u(2)),
            slotLength: UInt32(u(3)), slots: UInt16(u(4)), state: SessionState(rawValue: UInt8(u(5))) ?? .none,
            deposit: u(6), sellerBondPerKWh: UInt64(u(7)), commits: Int(u(8)), reveals: Int(u(9)), cleared: Int(u(10)),
            validated: Int(u(11)), settled: Int(u(12)), forfeited: Int(u(13)), pool: u(14), owed: u(15),
            manifestHash: f[16].bytesValue ?? [], resultHash: f[17].bytesValue ?? [],
            validationHash: f[18].bytesValue ?? [])
    }

    public func commitDeadline(_ id: UInt64) async throws -> UInt64 {
        UInt64(try await read("getCommitDeadline", [.unsigned(id)])[0].uintValue ?? 0)
    }

    public func revealDeadline(_ id: UInt64) async throws -> UInt64 {
        UInt64(try await read("getRevealDeadline", [.unsigned(id)])[0].uintValue ?? 0)
    }

    /// The contract's own commitment computation (used to check ours).
    public func computeCommitment(sessionID: UInt64, member: Address, orders: [MarketOrder], salt: [UInt8]) async throws
        -> [UInt8]
    {
        try await read(
            "computeCommitment", [.unsigned(sessionID), .address(member), orders.abiValue, .fixedBytes(salt)]
        )[0].bytesValue ?? []
    }

    // MARK: orders

    @discardableResult
    public func submitCommitment(sessionID: UInt64, commitment: [UInt8], sender: TransactionSender) async throws
        -> Receipt
    {
        try await send(sender, "submitCommitments", [.unsigned(sessionID), .fixedBytes(commitment)])
    }

    @discardableResult
    public func revealOrders(sessionID: UInt64, orders: [MarketOrder], salt: [UInt8], sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(sender, "revealOrders", [.unsigned(sessionID), orders.abiValue, .fixedBytes(salt)])
    }

    @discardableResult
    public func submitCommitmentsBySig(sessionID: UInt64, _ auths: [CommitAuthorization], sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(sender, "submitCommitmentsBySig", [.unsigned(sessionID), .array(auths.map(\.abiValue))])
    }

    @discardableResult
    public func revealOrdersRelayed(sessionID: UInt64, _ entries: [RevealEntry], sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(sender, "revealOrdersRelayed", [.unsigned(sessionID), .array(entries.map(\.abiValue))])
    }

    @discardableResult
    public func forfeitUnrevealed(sessionID: UInt64, members: [Address], sender: TransactionSender) async throws
        -> Receipt
    {
        try await send(sender, "forfeitUnrevealed", [.unsigned(sessionID), .array(members.map { .address($0) })])
    }

    // MARK: publication and settlement

    @discardableResult
    public func setFinalOrders(sessionID: UInt64, _ entries: [MemberFillsEntry], sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(sender, "setFinalOrders", [.unsigned(sessionID), .array(entries.map(\.abiValue))])
    }

    @discardableResult
    public func finalizeClearing(sessionID: UInt64, clearingPrices: [UInt64], sender: TransactionSender) async throws
        -> Receipt
    {
        try await send(
            sender, "finalizeClearing", [.unsigned(sessionID), .array(clearingPrices.map { .unsigned($0) })])
    }

    @discardableResult
    public func setValidTransactions(sessionID: UInt64, _ entries: [MemberDeliveriesEntry], sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(sender, "setValidTransactions", [.unsigned(sessionID), .array(entries.map(\.abiValue))])
    }

    @discardableResult
    public func finalizeValidation(sessionID: UInt64, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "finalizeValidation", [.unsigned(sessionID)])
    }

    /// Cancels a session that cannot complete (admin; before validation starts).
    @discardableResult
    public func cancelSession(sessionID: UInt64, reason: String, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "cancelSession", [.unsigned(sessionID), .string(reason)])
    }

    /// Returns what members of a cancelled session still have locked for it. Give each member's
    /// revealed orders and salt, and its fills if it was cleared (empty otherwise).
    @discardableResult
    public func releaseCancelled(sessionID: UInt64, _ entries: [MemberFillsEntry], sender: TransactionSender)
        async throws -> Receipt
    {
        try await send(sender, "releaseCancelled", [.unsigned(sessionID), .array(entries.map(\.abiValue))])
    }

    @discardableResult
    public func execute(sessionID: UInt64, sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "execute", [.unsigned(sessionID)])
    }

    @discardableResult
    public func settleBatch(sessionID: UInt64, members: [Address], sender: TransactionSender) async throws -> Receipt {
        try await send(sender, "settleBatch", [.unsigned(sessionID), .array(members.map { .address($0) })])
    }
}

/// A session as `getSession` returns it.
public struct OnChainSession: Sendable, Hashable {
    public var commitDeadline: UInt64
    public var revealDeadline: UInt64
    public var deliveryStart: UInt64
    public var slotLength: UInt32
    public var slots: UInt16
    public var state: SessionState
    public var deposit: BigUInt
    public var sellerBondPerKWh: UInt64
    public var commits: Int
    public var reveals: Int
    public var cleared: Int
    public var validated: Int
    public var settled: Int
    public var forfeited: Int
    /// Buyer payments not yet paid out to sellers.
    public var pool: BigUInt
    /// What validated sellers are still owed.
    public var owed: BigUInt
    public var manifestHash: [UInt8]
    public var resultHash: [UInt8]
    public var validationHash: [UInt8]
}
