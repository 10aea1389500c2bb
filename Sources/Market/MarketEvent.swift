import BigInt
import Chain
import Foundation

/// The marketplace's events, typed. The clear phase rebuilds the order book from
/// `ordersRevealed` exactly as an auditor would, from the chain rather than from any file.
public enum MarketEvent: Sendable, Hashable {
    case memberRegistered(member: Address, adhesionDocHash: [UInt8])
    case memberStatusChanged(member: Address, from: MemberStatus, to: MemberStatus)
    case deposited(member: Address, amount: BigUInt)
    case withdrawn(member: Address, amount: BigUInt)
    case sessionCreated(sessionID: UInt64)
    case commitmentSubmitted(sessionID: UInt64, member: Address, commitment: [UInt8])
    case ordersRevealed(sessionID: UInt64, member: Address, orders: [MarketOrder], salt: [UInt8])
    case depositForfeited(sessionID: UInt64, member: Address, amount: BigUInt)
    case memberCleared(sessionID: UInt64, member: Address, fills: [MarketFill])
    case clearingPublished(sessionID: UInt64, clearingPrices: [UInt64], resultHash: [UInt8])
    case memberValidated(
        sessionID: UInt64, member: Address, delivered: [UInt64], paid: BigUInt, receivable: BigUInt, penalty: BigUInt)
    case validationPublished(sessionID: UInt64, validationHash: [UInt8], dust: BigUInt)
    case executed(sessionID: UInt64, member: Address, amount: BigUInt)
    case sessionSettled(sessionID: UInt64)
    case sessionCancelled(sessionID: UInt64, reason: String)
    case lockReleased(sessionID: UInt64, member: Address, amount: BigUInt)
    /// An event of the contract this enum does not model (roles, treasury).
    case other(DecodedEvent)

    /// Types a decoded marketplace event; nil when a field does not have the expected shape.
    public init?(_ event: DecodedEvent) {
        func value(_ name: String) -> ABIValue? { event[name]?.value }
        func address(_ name: String) -> Address? { value(name)?.addressValue }
        func uint(_ name: String) -> BigUInt? { value(name)?.uintValue }
        func u64(_ name: String) -> UInt64? { uint(name).flatMap { $0.bitWidth <= 64 ? UInt64($0) : nil } }
        func bytes(_ name: String) -> [UInt8]? { value(name)?.bytesValue }
        func words(_ name: String) -> [BigUInt]? { value(name)?.elements?.compactMap(\.uintValue) }
        func packed(_ name: String, width: Int) -> [BigUInt]? { bytes(name).flatMap { Self.unpack($0, width: width) } }
        func status(_ name: String) -> MemberStatus? { u64(name).flatMap { MemberStatus(rawValue: UInt8($0)) } }
        switch event.event.name {
        case "MemberRegistered":
            guard let m = address("member"), let h = bytes("adhesionDocHash") else { return nil }
            self = .memberRegistered(member: m, adhesionDocHash: h)
        case "MemberStatusChanged":
            guard let m = address("member"), let from = status("from"), let to = status("to") else { return nil }
            self = .memberStatusChanged(member: m, from: from, to: to)
        case "Deposited":
            guard let m = address("member"), let a = uint("amount") else { return nil }
            self = .deposited(member: m, amount: a)
        case "Withdrawn":
            guard let m = address("member"), let a = uint("amount") else { return nil }
            self = .withdrawn(member: m, amount: a)
        case "SessionCreated":
            guard let id = u64("sessionId") else { return nil }
            self = .sessionCreated(sessionID: id)
        case "CommitmentSubmitted":
            guard let id = u64("sessionId"), let m = address("member"), let c = bytes("commitment") else { return nil }
            self = .commitmentSubmitted(sessionID: id, member: m, commitment: c)
        case "OrdersRevealed":
            guard let id = u64("sessionId"), let m = address("member"), let w = packed("orders", width: 19),
                let salt = bytes("salt")
            else { return nil }
            let orders = w.compactMap(MarketOrder.init(packed:))
            guard orders.count == w.count else { return nil }
            self = .ordersRevealed(sessionID: id, member: m, orders: orders, salt: salt)
        case "DepositForfeited":
            guard let id = u64("sessionId"), let m = address("member"), let a = uint("amount") else { return nil }
            self = .depositForfeited(sessionID: id, member: m, amount: a)
        case "MemberCleared":
            guard let id = u64("sessionId"), let m = address("member"), let w = packed("fills", width: 18) else {
                return nil
            }
            let fills = w.compactMap(MarketFill.init(packed:))
            guard fills.count == w.count else { return nil }
            self = .memberCleared(sessionID: id, member: m, fills: fills)
        case "ClearingPublished":
            guard let id = u64("sessionId"), let p = words("clearingPrices"), let h = bytes("resultHash") else {
                return nil
            }
            self = .clearingPublished(sessionID: id, clearingPrices: p.map { UInt64($0) }, resultHash: h)
        case "MemberValidated":
            guard let id = u64("sessionId"), let m = address("member"), let d = packed("delivered", width: 8),
                let paid = uint("paid"), let receivable = uint("receivable"), let penalty = uint("penalty")
            else { return nil }
            self = .memberValidated(
                sessionID: id, member: m, delivered: d.map { UInt64($0) }, paid: paid, receivable: receivable,
                penalty: penalty)
        case "ValidationPublished":
            guard let id = u64("sessionId"), let h = bytes("validationHash"), let dust = uint("dust") else {
                return nil
            }
            self = .validationPublished(sessionID: id, validationHash: h, dust: dust)
        case "Executed":
            guard let id = u64("sessionId"), let m = address("member"), let a = uint("amount") else { return nil }
            self = .executed(sessionID: id, member: m, amount: a)
        case "SessionSettled":
            guard let id = u64("sessionId") else { return nil }
            self = .sessionSettled(sessionID: id)
        case "SessionCancelled":
            guard let id = u64("sessionId"), let reason = value("reason")?.stringValue else { return nil }
            self = .sessionCancelled(sessionID: id, reason: reason)
        case "LockReleased":
            guard let id = u64("sessionId"), let m = address("member"), let a = uint("amount") else { return nil }
            self = .lockReleased(sessionID: id, member: m, amount: a)
        default:
            self = .other(event)
        }
    }

    /// The words of a packed event field (`MarketMath.pack`): `width` bytes each, big-endian;
    /// nil when the length is not a multiple of `width`.
    public static func unpack(_ bytes: [UInt8], width: Int) -> [BigUInt]? {
        guard width > 0, bytes.count % width == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: width).map { BigUInt(Data(bytes[$0..<($0 + width)])) }
    }
}

extension MarketplaceContract {
    /// The marketplace events in a receipt, typed.
    public func events(in receipt: Receipt) -> [MarketEvent] {
        contract.events(in: receipt).compactMap(MarketEvent.init)
    }

    /// Every `OrdersRevealed` of a session from the chain's logs (chunked `eth_getLogs`), in
    /// block and log order: the order book as any auditor sees it.
    public func revealedOrders(sessionID: UInt64, fromBlock: UInt64 = 0) async throws -> [(
        member: Address, orders: [MarketOrder], salt: [UInt8]
    )] {
        let event = try contract.abi.event("OrdersRevealed")
        let logs = try await contract.client.logs(
            LogFilter(
                fromBlock: fromBlock, addresses: [address],
                topics: [[event.topic], [ABI.encode(.uint(256), .unsigned(sessionID))]]))
        return try logs.map { log in
            guard
                case .ordersRevealed(_, let member, let orders, let salt)? = MarketEvent(
                    try event.decode(topics: log.topics, data: log.data))
            else {
                throw ContractCallError.rpc(
                    .malformedResponse(method: "eth_getLogs", reason: "OrdersRevealed log that does not decode"))
            }
            return (member, orders, salt)
        }
    }
}

extension MarketplaceContract {
    /// The published fills of a session, from its `MemberCleared` events, by member (members
    /// published with no fill have an empty list).
    public func clearedFills(sessionID: UInt64, fromBlock: UInt64 = 0) async throws -> [Address: [MarketFill]] {
        let event = try contract.abi.event("MemberCleared")
        let logs = try await contract.client.logs(
            LogFilter(
                fromBlock: fromBlock, addresses: [address],
                topics: [[event.topic], [ABI.encode(.uint(256), .unsigned(sessionID))]]))
        var fills = [Address: [MarketFill]]()
        for log in logs {
            guard
                case .memberCleared(_, let member, let memberFills)? = MarketEvent(
                    try event.decode(topics: log.topics, data: log.data))
            else {
                throw ContractCallError.rpc(
                    .malformedResponse(method: "eth_getLogs", reason: "MemberCleared log that does not decode"))
            }
            fills[member] = memberFills
        }
        return fills
    }

    /// What each member was charged and is owed at validation, from `MemberValidated` events.
    public func validatedMembers(sessionID: UInt64, fromBlock: UInt64 = 0) async throws -> [Address: MarketEvent] {
        let event = try contract.abi.event("MemberValidated")
        let logs = try await contract.client.logs(
            LogFilter(
                fromBlock: fromBlock, addresses: [address],
                topics: [[event.topic], [ABI.encode(.uint(256), .unsigned(sessionID))]]))
        var result = [Address: MarketEvent]()
        for log in logs {
            let decoded = MarketEvent(try event.decode(topics: log.topics, data: log.data))
            guard case .memberValidated(_, let member, _, _, _, _) = decoded else {
                throw ContractCallError.rpc(
                    .malformedResponse(method: "eth_getLogs", reason: "MemberValidated log that does not decode"))
            }
            result[member] = decoded
        }
        return result
    }
}

extension MarketplaceContract {
    /// Every `name` event of a session (events whose first indexed field is the session id).
    public func sessionEvents(_ name: String, sessionID: UInt64, fromBlock: UInt64 = 0) async throws -> [MarketEvent] {
        let event = try contract.abi.event(name)
        let logs = try await contract.client.logs(
            LogFilter(
                fromBlock: fromBlock, addresses: [address],
                topics: [[event.topic], [ABI.encode(.uint(256), .unsigned(sessionID))]]))
        return try logs.compactMap { MarketEvent(try event.decode(topics: $0.topics, data: $0.data)) }
    }
}
