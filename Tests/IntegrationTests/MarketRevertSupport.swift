import BigInt
import Chain
import Market
import Testing

// MARK: - Revert helper (shared by the market integration tests)

/// A revert caught by `expectRevert`: the decoded reason and its arguments by parameter name.
struct CaughtRevert: CustomStringConvertible {
    var reason: RevertReason

    var name: String? { reason.customErrorName }

    /// The argument called `name` of the custom error.
    subscript(_ argument: String) -> ABIValue? {
        guard case .custom(let error, let values) = reason,
            let index = error.inputs.firstIndex(where: { $0.name == argument }), index < values.count
        else { return nil }
        return values[index]
    }

    /// An unsigned argument, for comparisons such as `>=`.
    func uint(_ argument: String) -> BigUInt? { self[argument]?.uintValue }

    var description: String { "\(reason)" }
}

/// Runs `body`, which must revert with the custom error `name` (either at `eth_estimateGas`, so
/// nothing is sent, or in an `eth_call`, or — should the estimate pass — in a mined transaction).
/// Records an issue when nothing reverts, when something other than a revert is thrown, or when
/// the error has another name. Returns the revert for argument checks (nil when there was none).
/// `alsoDecoding` adds errors of other contracts whose reverts bubble up (e.g. the token's).
@discardableResult
func expectRevert(
    _ name: String, alsoDecoding extraErrors: [ABICustomError] = [],
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> CaughtRevert? {
    var caught: RevertReason?
    do {
        try await body()
    } catch let error as SendError {
        switch error {
        case .wouldRevert(let reason): caught = reason
        case .reverted(_, _, let reason?): caught = reason
        default:
            Issue.record("expected a revert with \(name), got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    } catch let error as ContractCallError {
        guard case .reverted(let reason) = error else {
            Issue.record("expected a revert with \(name), got \(error)", sourceLocation: sourceLocation)
            return nil
        }
        caught = reason
    } catch {
        Issue.record("expected a revert with \(name), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
    guard var reason = caught else {
        Issue.record("expected a revert with \(name), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    }
    if case .unknown(let data) = reason, !extraErrors.isEmpty {
        reason = RevertReason(data: data, errors: extraErrors)
    }
    #expect(reason.customErrorName == name, "expected \(name), got \(reason)", sourceLocation: sourceLocation)
    return CaughtRevert(reason: reason)
}

extension MarketFixture {
    /// The commitment of member `index` for `orders` and `salt` in session `id`.
    func sealedCommitment(_ id: UInt64, _ index: Int, _ orders: [MarketOrder], _ salt: [UInt8]) throws -> [UInt8] {
        try Commitment.compute(
            chainID: chain.chainID, marketplace: market.address, sessionID: id, member: keys[index].address,
            orders: orders, salt: salt)
    }

    /// Member `index` commits `orders` in session `id` itself; returns the salt.
    @discardableResult
    func commitSealed(_ id: UInt64, _ index: Int, _ orders: [MarketOrder], salt: [UInt8] = Commitment.randomSalt())
        async throws -> [UInt8]
    {
        try await market.submitCommitment(
            sessionID: id, commitment: try sealedCommitment(id, index, orders, salt), sender: sender(index))
        return salt
    }

    /// A one-slot session in which `seller` revealed `sell` and `buyer` revealed `buy`; returns
    /// with chain time at the reveal deadline (members must be onboarded already).
    func revealedPair(seller: Int, buyer: Int, sell: [MarketOrder], buy: [MarketOrder]) async throws -> (
        id: UInt64, params: SessionParams, sellerSalt: [UInt8], buyerSalt: [UInt8]
    ) {
        let (id, params) = try await openSession(slots: 1)
        let sellerSalt = try await commitSealed(id, seller, sell)
        let buyerSalt = try await commitSealed(id, buyer, buy)
        try await travel(to: params.commitDeadline)
        try await market.revealOrders(sessionID: id, orders: sell, salt: sellerSalt, sender: sender(seller))
        try await market.revealOrders(sessionID: id, orders: buy, salt: buyerSalt, sender: sender(buyer))
        try await checkConservation(members: [seller, buyer], sessions: [id])
        try await travel(to: params.revealDeadline)
        return (id, params, sellerSalt, buyerSalt)
    }

    /// The fills entry of member `index` for a clearing publication.
    func fillsEntry(_ index: Int, _ orders: [MarketOrder], _ salt: [UInt8], _ fills: [MarketFill]) -> MemberFillsEntry {
        MemberFillsEntry(member: keys[index].address, orders: orders, salt: salt, fills: fills)
    }
}

// MARK: - Revert paths of the marketplace

/// The small books the revert suites share.
protocol MarketRevertSuite {}

extension MarketRevertSuite {
    static var unit: BigUInt { MarketFixture.unit }
    /// Sell 1 kWh in slot 0 at ≥ 0.10 per kWh; the default bond (0.05/kWh) locks 50_000.
    static var sell: [MarketOrder] { [MarketOrder(slot: 0, side: .sell, quantityWh: 1_000, limitPrice: 100_000)] }
    /// Buy 1 kWh in slot 0 at ≤ 0.15 per kWh: locks 150_000.
    static var buy: [MarketOrder] { [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 150_000)] }
}
