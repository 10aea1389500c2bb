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

    /// The fills entry of member `index` for a clearing publication.
    func fillsEntry(_ index: Int, _ orders: [MarketOrder], _ salt: [UInt8], _ fills: [MarketFill]) -> MemberFillsEntry {
        MemberFillsEntry(member: keys[index].address, orders: orders, salt: salt, fills: fills)
    }
}

// MARK: - Revert paths of the marketplace

/// Every revert path of the marketplace, each asserted by its custom error name and arguments.
/// Member 2 sells, member 3 buys unless a test says otherwise. Money in base units (6 decimals).
@Suite struct MarketRevertTests {
    static let unit = MarketFixture.unit
    /// Sell 1 kWh in slot 0 at ≥ 0.10 per kWh; the default bond (0.05/kWh) locks 50_000.
    static let sell = [MarketOrder(slot: 0, side: .sell, quantityWh: 1_000, limitPrice: 100_000)]
    /// Buy 1 kWh in slot 0 at ≤ 0.15 per kWh: locks 150_000.
    static let buy = [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 150_000)]

    @Test func phasesAreEnforcedInOrder() async throws {
        let f = try await MarketFixture.make()
        let (seller, late) = (2, 3)
        let members = [seller, late]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let salt = try await f.commitSealed(id, seller, Self.sell)
        try await f.expectFunds(seller, available: 45 * Self.unit, locked: 5 * Self.unit)
        try await f.checkConservation(members: members, sessions: [id])

        // Reveal while the commit phase is still open.
        let early = await expectRevert("RevealPhaseNotOpen") {
            try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(seller))
        }
        #expect(early?["sessionId"] == .unsigned(id))
        #expect(early?["commitDeadline"] == .unsigned(params.commitDeadline))
        #expect(early?["revealDeadline"] == .unsigned(params.revealDeadline))
        #expect(early?.uint("nowTime").map { $0 < BigUInt(params.commitDeadline) } == true)

        // Execute in an open session.
        let openExecute = await expectRevert("WrongState") {
            try await f.market.execute(sessionID: id, sender: f.sender(seller))
        }
        #expect(openExecute?["expected"] == .unsigned(SessionState.validated.rawValue))
        #expect(openExecute?["actual"] == .unsigned(SessionState.open.rawValue))

        try await f.travel(to: params.commitDeadline)
        let lateCommit = await expectRevert("CommitPhaseOver") {
            try await f.commitSealed(id, late, Self.buy)
        }
        #expect(lateCommit?["sessionId"] == .unsigned(id))
        #expect(lateCommit?["deadline"] == .unsigned(params.commitDeadline))
        #expect(lateCommit?.uint("nowTime").map { $0 >= BigUInt(params.commitDeadline) } == true)
        try await f.expectFunds(late, available: 50 * Self.unit, locked: 0)

        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(seller))
        try await f.expectFunds(seller, available: 50 * Self.unit - 50_000, locked: 50_000)
        try await f.checkConservation(members: members, sessions: [id])

        // Clearing before the reveal deadline: both the chunk and the finalisation.
        let entry = f.fillsEntry(seller, Self.sell, salt, [])
        let earlyClearing = await expectRevert("RevealPhaseNotOver") {
            try await f.market.setFinalOrders(sessionID: id, [entry], sender: f.operatorSender)
        }
        #expect(earlyClearing?["revealDeadline"] == .unsigned(params.revealDeadline))
        #expect(earlyClearing?.uint("nowTime").map { $0 < BigUInt(params.revealDeadline) } == true)
        await expectRevert("RevealPhaseNotOver") {
            try await f.market.finalizeClearing(sessionID: id, clearingPrices: [100_000], sender: f.operatorSender)
        }

        // Validation before clearing.
        let deliveries = [
            MemberDeliveriesEntry(member: f.keys[seller].address, orders: Self.sell, fills: [], delivered: [])
        ]
        let earlyValidation = await expectRevert("WrongState") {
            try await f.market.setValidTransactions(sessionID: id, deliveries, sender: f.operatorSender)
        }
        #expect(earlyValidation?["sessionId"] == .unsigned(id))
        #expect(earlyValidation?["expected"] == .unsigned(SessionState.cleared.rawValue))
        #expect(earlyValidation?["actual"] == .unsigned(SessionState.open.rawValue))

        try await f.travel(to: params.revealDeadline)
        try await f.market.setFinalOrders(sessionID: id, [entry], sender: f.operatorSender)
        // Nothing filled: the whole bond is released.
        try await f.expectFunds(seller, available: 50 * Self.unit, locked: 0)
        try await f.checkConservation(members: members, sessions: [id])
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [100_000], sender: f.operatorSender)
        #expect(try await f.market.session(id).state == .cleared)
        try await f.checkConservation(members: members, sessions: [id])

        // Execute after clearing but before validation.
        let clearedExecute = await expectRevert("WrongState") {
            try await f.market.execute(sessionID: id, sender: f.sender(seller))
        }
        #expect(clearedExecute?["expected"] == .unsigned(SessionState.validated.rawValue))
        #expect(clearedExecute?["actual"] == .unsigned(SessionState.cleared.rawValue))

        // Validation before the end of delivery.
        let undelivered = await expectRevert("DeliveryNotOver") {
            try await f.market.setValidTransactions(sessionID: id, deliveries, sender: f.operatorSender)
        }
        #expect(undelivered?["deliveryEnd"] == .unsigned(params.deliveryEnd))
    }

    @Test func revealMustMatchTheCommitment() async throws {
        let f = try await MarketFixture.make()
        let seller = 2
        try await f.onboard([seller], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let salt = try await f.commitSealed(id, seller, Self.sell)
        try await f.checkConservation(members: [seller], sessions: [id])
        try await f.travel(to: params.commitDeadline)

        // Same orders, another salt.
        let otherSalt = Commitment.randomSalt()
        let wrongSalt = await expectRevert("CommitmentMismatch") {
            try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: otherSalt, sender: f.sender(seller))
        }
        #expect(wrongSalt?["sessionId"] == .unsigned(id))
        #expect(wrongSalt?["member"] == .address(f.keys[seller].address))
        #expect(wrongSalt?["computed"] == .fixedBytes(try f.sealedCommitment(id, seller, Self.sell, otherSalt)))

        // Same salt, other orders (1 Wh more).
        var bigger = Self.sell
        bigger[0].quantityWh += 1
        let wrongOrders = await expectRevert("CommitmentMismatch") {
            try await f.market.revealOrders(sessionID: id, orders: bigger, salt: salt, sender: f.sender(seller))
        }
        #expect(wrongOrders?["computed"] == .fixedBytes(try f.sealedCommitment(id, seller, bigger, salt)))
        try await f.expectFunds(seller, available: 45 * Self.unit, locked: 5 * Self.unit)

        // The true reveal still works.
        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(seller))
        try await f.expectFunds(seller, available: 50 * Self.unit - 50_000, locked: 50_000)
        #expect(try await f.market.session(id).reveals == 1)
        try await f.checkConservation(members: [seller], sessions: [id])
    }

    @Test func copiedCommitmentIsBoundToItsMember() async throws {
        let f = try await MarketFixture.make()
        let (alice, copier) = (2, 3)
        let members = [alice, copier]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let salt = try await f.commitSealed(id, alice, Self.sell)
        let aliceCommitment = try f.sealedCommitment(id, alice, Self.sell, salt)
        // The copier sees Alice's commitment in the mempool and submits it as its own: the
        // contract cannot tell yet, so this succeeds and locks the copier's deposit.
        try await f.market.submitCommitment(sessionID: id, commitment: aliceCommitment, sender: f.sender(copier))
        try await f.expectFunds(copier, available: 45 * Self.unit, locked: 5 * Self.unit)
        try await f.checkConservation(members: members, sessions: [id])

        try await f.travel(to: params.commitDeadline)
        // Alice reveals first (so her orders and salt are public), then the copier replays them.
        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(alice))
        let copied = await expectRevert("CommitmentMismatch") {
            try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(copier))
        }
        let computedForCopier = try f.sealedCommitment(id, copier, Self.sell, salt)
        #expect(copied?["member"] == .address(f.keys[copier].address))
        #expect(copied?["computed"] == .fixedBytes(computedForCopier))
        #expect(computedForCopier != aliceCommitment)
        try await f.checkConservation(members: members, sessions: [id])

        // The copier never revealed: its deposit is forfeited to the treasury.
        try await f.travel(to: params.revealDeadline)
        try await f.market.forfeitUnrevealed(
            sessionID: id, members: members.map { f.keys[$0].address }, sender: f.sender(alice))
        try await f.expectFunds(copier, available: 45 * Self.unit, locked: 0)
        try await f.expectFunds(alice, available: 50 * Self.unit - 50_000, locked: 50_000)
        #expect(try await f.market.treasury() == 5 * Self.unit)
        #expect(try await f.market.session(id).forfeited == 1)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func onlyActiveMembersTrade() async throws {
        let f = try await MarketFixture.make()
        let (active, suspended, pending, stranger) = (2, 3, 4, 5)
        let members = [active, suspended, pending, stranger]
        try await f.onboard([active, suspended], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        try await f.market.registerUser(adhesionDocHash: Keccak256.hash("adesione 4"), sender: f.sender(pending))
        try await f.market.suspendMember(f.keys[suspended].address, sender: f.admin)
        let (id, params) = try await f.openSession(slots: 1)

        let notMember = await expectRevert("NotActiveMember") { try await f.commitSealed(id, stranger, Self.buy) }
        #expect(notMember?["member"] == .address(f.keys[stranger].address))
        #expect(notMember?["status"] == .unsigned(MemberStatus.none.rawValue))
        // A stranger cannot even deposit (checked before any token transfer).
        await expectRevert("NotActiveMember") { try await f.market.deposit(1, sender: f.sender(stranger)) }

        let notApproved = await expectRevert("NotActiveMember") { try await f.commitSealed(id, pending, Self.buy) }
        #expect(notApproved?["status"] == .unsigned(MemberStatus.pending.rawValue))

        let isSuspended = await expectRevert("NotActiveMember") { try await f.commitSealed(id, suspended, Self.buy) }
        #expect(isSuspended?["member"] == .address(f.keys[suspended].address))
        #expect(isSuspended?["status"] == .unsigned(MemberStatus.suspended.rawValue))
        try await f.expectFunds(suspended, available: 50 * Self.unit, locked: 0)
        #expect(try await f.market.session(id).commits == 0)

        // Suspended between commit and reveal: the reveal is refused until reinstatement.
        let salt = try await f.commitSealed(id, active, Self.sell)
        try await f.checkConservation(members: members, sessions: [id])
        try await f.market.suspendMember(f.keys[active].address, sender: f.admin)
        try await f.travel(to: params.commitDeadline)
        let suspendedReveal = await expectRevert("NotActiveMember") {
            try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(active))
        }
        #expect(suspendedReveal?["member"] == .address(f.keys[active].address))
        #expect(suspendedReveal?["status"] == .unsigned(MemberStatus.suspended.rawValue))
        try await f.market.reinstateMember(f.keys[active].address, sender: f.admin)
        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: salt, sender: f.sender(active))
        try await f.expectFunds(active, available: 50 * Self.unit - 50_000, locked: 50_000)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func fillsMustRespectLimitsAndOrderQuantities() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        let members = [seller, buyer]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let sellerSalt = try await f.commitSealed(id, seller, Self.sell)
        let buyerSalt = try await f.commitSealed(id, buyer, Self.buy)
        try await f.travel(to: params.commitDeadline)
        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: sellerSalt, sender: f.sender(seller))
        try await f.market.revealOrders(sessionID: id, orders: Self.buy, salt: buyerSalt, sender: f.sender(buyer))
        try await f.checkConservation(members: members, sessions: [id])
        try await f.travel(to: params.revealDeadline)
        func sellerFills(_ fills: [MarketFill]) -> MemberFillsEntry {
            f.fillsEntry(seller, Self.sell, sellerSalt, fills)
        }
        func buyerFills(_ fills: [MarketFill]) -> MemberFillsEntry { f.fillsEntry(buyer, Self.buy, buyerSalt, fills) }
        let fair = MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120_000)

        let aboveLimit = await expectRevert("FillAboveLimit") {
            try await f.market.setFinalOrders(
                sessionID: id,
                [sellerFills([fair]), buyerFills([.init(orderIndex: 0, quantityWh: 1_000, price: 150_001)])],
                sender: f.operatorSender)
        }
        #expect(aboveLimit?["member"] == .address(f.keys[buyer].address))
        #expect(aboveLimit?["orderIndex"] == .unsigned(0))
        #expect(aboveLimit?["price"] == .unsigned(150_001))
        #expect(aboveLimit?["limitPrice"] == .unsigned(150_000))

        let belowLimit = await expectRevert("FillBelowLimit") {
            try await f.market.setFinalOrders(
                sessionID: id, [sellerFills([.init(orderIndex: 0, quantityWh: 1_000, price: 99_999)])],
                sender: f.operatorSender)
        }
        #expect(belowLimit?["member"] == .address(f.keys[seller].address))
        #expect(belowLimit?["price"] == .unsigned(99_999))
        #expect(belowLimit?["limitPrice"] == .unsigned(100_000))

        let tooLarge = await expectRevert("FillExceedsOrder") {
            try await f.market.setFinalOrders(
                sessionID: id, [sellerFills([.init(orderIndex: 0, quantityWh: 1_001, price: 120_000)])],
                sender: f.operatorSender)
        }
        #expect(tooLarge?["member"] == .address(f.keys[seller].address))
        #expect(tooLarge?["fillQuantity"] == .unsigned(1_001))
        #expect(tooLarge?["orderQuantity"] == .unsigned(1_000))
        // The rejected chunks changed nothing.
        #expect(try await f.market.session(id).cleared == 0)
        try await f.expectFunds(buyer, available: 50 * Self.unit - 150_000, locked: 150_000)

        // A chunk with the seller only; finalising before the buyer is cleared is refused.
        try await f.market.setFinalOrders(sessionID: id, [sellerFills([fair])], sender: f.operatorSender)
        try await f.checkConservation(members: members, sessions: [id])
        let notCleared = await expectRevert("MembersNotCleared") {
            try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        }
        #expect(notCleared?["cleared"] == .unsigned(1))
        #expect(notCleared?["revealed"] == .unsigned(2))

        try await f.market.setFinalOrders(sessionID: id, [buyerFills([fair])], sender: f.operatorSender)
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        #expect(try await f.market.session(id).state == .cleared)
        // Fully filled: the seller's bond and the buyer's limit collateral stay locked.
        try await f.expectFunds(seller, available: 50 * Self.unit - 50_000, locked: 50_000)
        try await f.expectFunds(buyer, available: 50 * Self.unit - 150_000, locked: 150_000)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func unbalancedSlotIsRejectedAtFinalizeClearing() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        let members = [seller, buyer]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let sellerSalt = try await f.commitSealed(id, seller, Self.sell)
        let buyerSalt = try await f.commitSealed(id, buyer, Self.buy)
        try await f.travel(to: params.commitDeadline)
        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: sellerSalt, sender: f.sender(seller))
        try await f.market.revealOrders(sessionID: id, orders: Self.buy, salt: buyerSalt, sender: f.sender(buyer))
        try await f.checkConservation(members: members, sessions: [id])
        try await f.travel(to: params.revealDeadline)

        // The seller sells 1000 Wh, the buyer buys 600 Wh: slot 0 is 400 Wh short of buyers.
        try await f.market.setFinalOrders(
            sessionID: id,
            [
                f.fillsEntry(seller, Self.sell, sellerSalt, [.init(orderIndex: 0, quantityWh: 1_000, price: 120_000)]),
                f.fillsEntry(buyer, Self.buy, buyerSalt, [.init(orderIndex: 0, quantityWh: 600, price: 120_000)]),
            ], sender: f.operatorSender)
        // Buyer: 400 Wh unfilled releases 400 × 0.15 = 60_000.
        try await f.expectFunds(buyer, available: 50 * Self.unit - 90_000, locked: 90_000)
        try await f.checkConservation(members: members, sessions: [id])

        let wrongCount = await expectRevert("WrongPriceCount") {
            try await f.market.finalizeClearing(
                sessionID: id, clearingPrices: [120_000, 120_000], sender: f.operatorSender)
        }
        #expect(wrongCount?["given"] == .unsigned(2))
        #expect(wrongCount?["slots"] == .unsigned(1))
        let unbalanced = await expectRevert("UnbalancedSlots") {
            try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        }
        #expect(unbalanced?["sessionId"] == .unsigned(id))
        #expect(unbalanced?["unbalancedSlots"] == .unsigned(1))
        #expect(try await f.market.session(id).state == .open)
        // A cleared member cannot be published again to repair the slot.
        await expectRevert("NotRevealed") {
            try await f.market.setFinalOrders(
                sessionID: id,
                [f.fillsEntry(buyer, Self.buy, buyerSalt, [.init(orderIndex: 0, quantityWh: 400, price: 120_000)])],
                sender: f.operatorSender)
        }
    }

    @Test func deliveriesPenaltiesAndSettlement() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        let members = [seller, buyer]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let sellerSalt = try await f.commitSealed(id, seller, Self.sell)
        let buyerSalt = try await f.commitSealed(id, buyer, Self.buy)
        try await f.travel(to: params.commitDeadline)
        try await f.market.revealOrders(sessionID: id, orders: Self.sell, salt: sellerSalt, sender: f.sender(seller))
        try await f.market.revealOrders(sessionID: id, orders: Self.buy, salt: buyerSalt, sender: f.sender(buyer))
        try await f.checkConservation(members: members, sessions: [id])
        try await f.travel(to: params.revealDeadline)
        let fills = [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120_000)]
        try await f.market.setFinalOrders(
            sessionID: id,
            [f.fillsEntry(seller, Self.sell, sellerSalt, fills), f.fillsEntry(buyer, Self.buy, buyerSalt, fills)],
            sender: f.operatorSender)
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        try await f.checkConservation(members: members, sessions: [id])
        try await f.travel(to: params.deliveryEnd)
        func sellerDelivers(_ delivered: UInt64, penalty: BigUInt = 0) -> MemberDeliveriesEntry {
            .init(
                member: f.keys[seller].address, orders: Self.sell, fills: fills, delivered: [delivered],
                penalty: penalty)
        }
        func buyerDelivers(_ delivered: UInt64, penalty: BigUInt = 0) -> MemberDeliveriesEntry {
            .init(
                member: f.keys[buyer].address, orders: Self.buy, fills: fills, delivered: [delivered], penalty: penalty)
        }

        let overDelivered = await expectRevert("DeliveredExceedsFill") {
            try await f.market.setValidTransactions(
                sessionID: id, [sellerDelivers(1_000), buyerDelivers(1_001)], sender: f.operatorSender)
        }
        #expect(overDelivered?["member"] == .address(f.keys[buyer].address))
        #expect(overDelivered?["fillIndex"] == .unsigned(0))
        #expect(overDelivered?["delivered"] == .unsigned(1_001))
        #expect(overDelivered?["filled"] == .unsigned(1_000))

        // The buyer locked 150_000 and pays 120_000: at most 30_000 of penalty.
        let buyerPenalty = await expectRevert("PenaltyTooHigh") {
            try await f.market.setValidTransactions(
                sessionID: id, [buyerDelivers(1_000, penalty: 30_001)], sender: f.operatorSender)
        }
        #expect(buyerPenalty?["member"] == .address(f.keys[buyer].address))
        #expect(buyerPenalty?["penalty"] == .unsigned(30_001))
        #expect(buyerPenalty?["maximum"] == .unsigned(30_000))
        // The seller locked a 50_000 bond and pays nothing.
        let sellerPenalty = await expectRevert("PenaltyTooHigh") {
            try await f.market.setValidTransactions(
                sessionID: id, [sellerDelivers(1_000, penalty: 50_001)], sender: f.operatorSender)
        }
        #expect(sellerPenalty?["maximum"] == .unsigned(50_000))
        #expect(try await f.market.session(id).validated == 0)

        try await f.market.setValidTransactions(
            sessionID: id, [sellerDelivers(1_000), buyerDelivers(1_000)], sender: f.operatorSender)
        try await f.expectFunds(buyer, available: 50 * Self.unit - 120_000, locked: 0)
        try await f.expectFunds(seller, available: 50 * Self.unit, locked: 0)
        #expect(try await f.market.session(id).pool == 120_000)
        try await f.checkConservation(members: members, sessions: [id])
        try await f.market.finalizeValidation(sessionID: id, sender: f.operatorSender)
        #expect(try await f.market.session(id).state == .validated)
        try await f.checkConservation(members: members, sessions: [id])

        try await f.market.execute(sessionID: id, sender: f.sender(seller))
        try await f.expectFunds(seller, available: 50 * Self.unit + 120_000, locked: 0)
        try await f.checkConservation(members: members, sessions: [id])
        let twice = await expectRevert("AlreadySettled") {
            try await f.market.execute(sessionID: id, sender: f.sender(seller))
        }
        #expect(twice?["sessionId"] == .unsigned(id))
        #expect(twice?["member"] == .address(f.keys[seller].address))
        try await f.expectFunds(seller, available: 50 * Self.unit + 120_000, locked: 0)

        try await f.market.execute(sessionID: id, sender: f.sender(buyer))
        let settled = try await f.market.session(id)
        #expect(settled.state == .settled)
        #expect(settled.pool == 0)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func rolesAndWithdrawalsAreChecked() async throws {
        let f = try await MarketFixture.make()
        let member = 2
        try await f.onboard([member], mint: 100 * Self.unit, deposit: 10 * Self.unit)
        let now = try await f.control.now()
        let params = SessionParams(
            commitDeadline: now + 3_600, revealDeadline: now + 7_200, deliveryStart: now + 7_200, slots: 1,
            deposit: 5 * Self.unit, sellerBondPerKWh: 50_000, manifestHash: Keccak256.hash("manifest"))

        let byMember = await expectRevert("NotOperator") {
            _ = try await f.market.newSession(params, sender: f.sender(member))
        }
        #expect(byMember?["caller"] == .address(f.keys[member].address))
        // The admin is not the operator either.
        let byAdmin = await expectRevert("NotOperator") { _ = try await f.market.newSession(params, sender: f.admin) }
        #expect(byAdmin?["caller"] == .address(f.admin.address))
        await expectRevert("NotOperator") {
            try await f.market.finalizeValidation(sessionID: 1, sender: f.sender(member))
        }

        let operatorApproves = await expectRevert("NotAdmin") {
            try await f.market.approveMember(f.keys[3].address, sender: f.operatorSender)
        }
        #expect(operatorApproves?["caller"] == .address(f.operatorSender.address))
        let memberToggles = await expectRevert("NotAdmin") {
            try await f.market.setPriorSessionValidation(false, sender: f.sender(member))
        }
        #expect(memberToggles?["caller"] == .address(f.keys[member].address))
        await expectRevert("NotAdmin") {
            try await f.market.setOperator(f.keys[member].address, sender: f.sender(member))
        }
        await expectRevert("NotAdmin") {
            try await f.market.withdrawTreasury(to: f.keys[member].address, amount: 1, sender: f.operatorSender)
        }

        let tooMuch = await expectRevert("InsufficientFunds") {
            try await f.market.claimAvailableFunds(10 * Self.unit + 1, sender: f.sender(member))
        }
        #expect(tooMuch?["member"] == .address(f.keys[member].address))
        #expect(tooMuch?["available"] == .uint(10 * Self.unit))
        #expect(tooMuch?["needed"] == .uint(10 * Self.unit + 1))
        await expectRevert("ZeroAmount") { try await f.market.claimAvailableFunds(0, sender: f.sender(member)) }

        try await f.market.claimAvailableFunds(4 * Self.unit, sender: f.sender(member))
        try await f.expectFunds(member, available: 6 * Self.unit, locked: 0)
        #expect(try await f.token.balance(of: f.keys[member].address) == 94 * Self.unit)
        try await f.checkConservation(members: [member], sessions: [])
        let afterClaim = await expectRevert("InsufficientFunds") {
            try await f.market.claimAvailableFunds(6 * Self.unit + 1, sender: f.sender(member))
        }
        #expect(afterClaim?["available"] == .uint(6 * Self.unit))

        // The treasury is empty.
        let emptyTreasury = await expectRevert("InsufficientFunds") {
            try await f.market.withdrawTreasury(to: f.admin.address, amount: 1, sender: f.admin)
        }
        #expect(emptyTreasury?["member"] == .address(f.market.address))
        #expect(emptyTreasury?["available"] == .unsigned(0))
    }

    @Test func newSessionWaitsForThePreviousOneUnlessDisabled() async throws {
        let f = try await MarketFixture.make()
        let (first, _) = try await f.openSession()
        #expect(first == 1)
        let blocked = await expectRevert("PriorSessionNotValidated") { _ = try await f.openSession() }
        #expect(blocked?["previousSessionId"] == .unsigned(1))
        #expect(blocked?["state"] == .unsigned(SessionState.open.rawValue))
        #expect(try await f.market.contract.call("priorSessionValidationRequired")[0] == .bool(true))

        let receipt = try await f.market.setPriorSessionValidation(false, sender: f.admin)
        let toggled = f.market.contract.events(in: receipt).filter { $0.event.name == "PriorSessionValidationSet" }
        #expect(toggled.count == 1)
        #expect(toggled.first?["required"] == .value(.bool(false)))
        #expect(try await f.market.contract.call("priorSessionValidationRequired")[0] == .bool(false))
        let (second, secondParams) = try await f.openSession()
        #expect(second == 2)
        #expect(try await f.market.session(1).state == .open)

        try await f.market.setPriorSessionValidation(true, sender: f.admin)
        let blockedAgain = await expectRevert("PriorSessionNotValidated") { _ = try await f.openSession() }
        #expect(blockedAgain?["previousSessionId"] == .unsigned(2))

        // Session 2 without participants: cleared and validated empty, it settles at once, and
        // the next session may open (only the latest session is checked).
        try await f.travel(to: secondParams.revealDeadline)
        try await f.market.finalizeClearing(sessionID: 2, clearingPrices: [0, 0], sender: f.operatorSender)
        try await f.market.finalizeValidation(sessionID: 2, sender: f.operatorSender)
        #expect(try await f.market.session(2).state == .settled)
        let (third, _) = try await f.openSession()
        #expect(third == 3)
        try await f.checkConservation(members: [], sessions: [1, 2, 3])
    }
}
