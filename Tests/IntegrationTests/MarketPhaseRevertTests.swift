import BigInt
import Chain
import Market
import Testing

/// Reverts of the session state machine: phases, deadlines, commitments and the
/// prior-session rule.
/// Each is asserted by its custom error name and arguments. Member 2 sells, member 3 buys unless
/// a test says otherwise. Money in base units.
@Suite struct MarketPhaseRevertTests: MarketRevertSuite {

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
