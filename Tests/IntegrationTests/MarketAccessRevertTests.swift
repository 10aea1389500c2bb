import BigInt
import Chain
import Market
import Testing

/// Reverts of membership, roles and funds.
/// Each is asserted by its custom error name and arguments. Member 2 sells, member 3 buys unless
/// a test says otherwise. Money in base units.
@Suite struct MarketAccessRevertTests: MarketRevertSuite {

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
}
