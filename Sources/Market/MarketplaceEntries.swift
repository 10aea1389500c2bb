import BigInt
import Chain

/// One member's part of a clearing publication (`setFinalOrders`).
public struct MemberFillsEntry: Sendable, Hashable {
    public var member: Address
    /// The member's revealed orders, in revealed order.
    public var orders: [MarketOrder]
    public var salt: [UInt8]
    /// One fill per filled order, in increasing order index.
    public var fills: [MarketFill]

    public init(member: Address, orders: [MarketOrder], salt: [UInt8], fills: [MarketFill]) {
        self.member = member
        self.orders = orders
        self.salt = salt
        self.fills = fills
    }

    /// The `MemberFills` tuple of `setFinalOrders`.
    public var abiValue: ABIValue { .tuple([.address(member), orders.abiValue, .fixedBytes(salt), fills.abiValue]) }
}

/// One member's part of a validation publication (`setValidTransactions`).
public struct MemberDeliveriesEntry: Sendable, Hashable {
    public var member: Address
    public var orders: [MarketOrder]
    public var fills: [MarketFill]
    /// Validated Wh per fill (≤ the fill).
    public var delivered: [UInt64]
    /// Token base units moved to the treasury (≤ what the member still has locked).
    public var penalty: BigUInt

    public init(member: Address, orders: [MarketOrder], fills: [MarketFill], delivered: [UInt64], penalty: BigUInt = 0)
    {
        self.member = member
        self.orders = orders
        self.fills = fills
        self.delivered = delivered
        self.penalty = penalty
    }

    /// The cleared fill words `setValidTransactions` takes: each fill word with its order's side
    /// (bits 144–151), slot (152–167) and limit price (168–231), as the contract hashed them at
    /// clearing. A fill naming no order is sent as is (the contract then refuses the hash).
    public var clearedFills: [BigUInt] {
        fills.map { fill in
            let index = Int(fill.orderIndex)
            guard index < orders.count else { return fill.packed }
            let order = orders[index]
            return fill.packed | (order.packed >> 128) << 144 | BigUInt(order.limitPrice) << 168
        }
    }

    /// The `MemberDeliveries` tuple as `setValidTransactions` takes it (cleared fills, no orders).
    public var abiValue: ABIValue {
        .tuple([
            .address(member), .array(clearedFills.map { .uint($0) }), .array(delivered.map { .unsigned($0) }),
            .uint(penalty),
        ])
    }
}

/// A member's signed authorisation, relayed with `submitCommitmentsBySig`.
public struct CommitAuthorization: Sendable, Hashable {
    public var member: Address
    public var commitment: [UInt8]
    public var deadline: UInt64
    public var signature: Signature

    /// Signs a commitment for relaying. No nonce: the session makes it single-use (a member
    /// commits once per session; a replay is skipped).
    public static func sign(
        key: PrivateKey, chainID: UInt64, marketplace: Address, sessionID: UInt64, commitment: [UInt8],
        deadline: UInt64
    ) throws -> CommitAuthorization {
        let data = MarketTypedData.commit(
            chainID: chainID, marketplace: marketplace, sessionID: sessionID, commitment: commitment,
            deadline: deadline)
        return CommitAuthorization(
            member: key.address, commitment: commitment, deadline: deadline, signature: try data.sign(with: key))
    }

    /// The `CommitAuth` tuple as `submitCommitmentsBySig` takes it.
    public var abiValue: ABIValue {
        .tuple([
            .address(member), .fixedBytes(commitment), .unsigned(deadline), .unsigned(signature.recoveryID + 27),
            .fixedBytes(signature.r), .fixedBytes(signature.s),
        ])
    }
}

/// A member's reveal, relayed with `revealOrdersRelayed`. It carries no signature: the
/// commitment already binds the orders and salt to the member, and only the member knows the salt.
public struct RevealEntry: Sendable, Hashable {
    public var member: Address
    /// The committed orders, in committed order.
    public var orders: [MarketOrder]
    public var salt: [UInt8]

    public init(member: Address, orders: [MarketOrder], salt: [UInt8]) {
        self.member = member
        self.orders = orders
        self.salt = salt
    }

    /// The `RevealEntry` tuple as `revealOrdersRelayed` takes it.
    public var abiValue: ABIValue { .tuple([.address(member), orders.abiValue, .fixedBytes(salt)]) }
}

/// The EIP-712 messages members sign for the relayed path (domain "CER Marketplace", "1").
public enum MarketTypedData {
    static let domainType: [TypedData.Member] = [
        .init(name: "name", type: "string"), .init(name: "version", type: "string"),
        .init(name: "chainId", type: "uint256"), .init(name: "verifyingContract", type: "address"),
    ]

    static func domain(chainID: UInt64, marketplace: Address) -> JSONValue {
        [
            "name": "CER Marketplace", "version": "1", "chainId": .string(String(chainID)),
            "verifyingContract": .string(marketplace.hex),
        ]
    }

    /// `Commit(uint256 sessionId,bytes32 commitment,uint256 deadline)`.
    public static func commit(
        chainID: UInt64, marketplace: Address, sessionID: UInt64, commitment: [UInt8], deadline: UInt64
    ) -> TypedData {
        TypedData(
            types: [
                "EIP712Domain": domainType,
                "Commit": [
                    .init(name: "sessionId", type: "uint256"), .init(name: "commitment", type: "bytes32"),
                    .init(name: "deadline", type: "uint256"),
                ],
            ],
            primaryType: "Commit", domain: domain(chainID: chainID, marketplace: marketplace),
            message: [
                "sessionId": .string(String(sessionID)), "commitment": .string(commitment.hex),
                "deadline": .string(String(deadline)),
            ])
    }
}
