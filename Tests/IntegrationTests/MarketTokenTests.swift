import BigInt
import Chain
import Market
import Testing

/// Funds through an EIP-2612 permit, a settlement token that returns nothing from its transfer
/// functions (USDT-style), and the membership lifecycle with its events.
@Suite struct MarketTokenTests {
    static let unit = MarketFixture.unit

    /// Registers member `index` and has the admin approve it, on `market`.
    static func admit(_ f: MarketFixture, _ index: Int, on market: MarketplaceContract) async throws {
        try await market.registerUser(adhesionDocHash: Keccak256.hash("adesione \(index)"), sender: f.sender(index))
        try await market.approveMember(f.keys[index].address, sender: f.admin)
    }

    @Test func depositWithPermitNeedsNoApprove() async throws {
        let f = try await MarketFixture.make()
        let alice = 2
        let owner = f.keys[alice].address
        try await Self.admit(f, alice, on: f.market)
        try await f.token.mint(to: owner, amount: 100 * Self.unit, sender: f.admin)
        #expect(
            try await f.token.contract.call("allowance", [.address(owner), .address(f.market.address)])[0] == .uint(0))

        let amount = 30 * Self.unit
        let deadline = try await f.control.now() + 600
        let signature = try await f.token.signPermit(
            key: f.keys[alice], spender: f.market.address, value: amount, deadline: deadline, chainID: f.chain.chainID)
        let receipt = try await f.market.depositWithPermit(
            amount, deadline: deadline, signature: signature, sender: f.sender(alice))
        let deposited = f.market.contract.events(in: receipt).filter { $0.event.name == "Deposited" }
        #expect(deposited.count == 1)
        #expect(deposited.first?["member"] == .value(.address(owner)))
        #expect(deposited.first?["amount"] == .value(.uint(amount)))
        let approvals = f.token.contract.events(in: receipt).filter { $0.event.name == "Approval" }
        #expect(approvals.first?["value"] == .value(.uint(amount)))

        try await f.expectFunds(alice, available: amount, locked: 0)
        #expect(try await f.token.balance(of: owner) == 70 * Self.unit)
        #expect(try await f.token.balance(of: f.market.address) == amount)
        // The permit's allowance was used up by the transfer; the token's permit nonce moved.
        #expect(
            try await f.token.contract.call("allowance", [.address(owner), .address(f.market.address)])[0] == .uint(0))
        #expect(try await f.token.contract.call("nonces", [.address(owner)])[0] == .uint(1))
        try await f.checkConservation(members: [alice], sessions: [])

        // The same permit again: the token refuses it (its nonce moved); the market tolerates a
        // refused permit (it may have been front-run) and lets `transferFrom` decide, which fails
        // for want of allowance.
        await expectRevert("TokenCallFailed") {
            try await f.market.depositWithPermit(
                amount, deadline: deadline, signature: signature, sender: f.sender(alice))
        }
        // An expired permit.
        let now = try await f.control.now()
        let late = try await f.token.signPermit(
            key: f.keys[alice], spender: f.market.address, value: amount, deadline: now - 1, chainID: f.chain.chainID)
        let expired = await expectRevert("TokenCallFailed") {
            try await f.market.depositWithPermit(amount, deadline: now - 1, signature: late, sender: f.sender(alice))
        }
        #expect(expired?["token"] == .address(f.token.address))
        // The token itself says why.
        await expectRevert("PermitExpired", alsoDecoding: f.token.contract.abi.errors) {
            try await f.admin.transact(
                f.token.contract, "permit",
                [
                    .address(f.keys[alice].address), .address(f.market.address), .uint(amount), .unsigned(now - 1),
                    .unsigned(late.recoveryID + 27), .fixedBytes(late.r), .fixedBytes(late.s),
                ])
        }
        try await f.expectFunds(alice, available: amount, locked: 0)
    }

    @Test func marketWorksWithTokenReturningNothing() async throws {
        let f = try await MarketFixture.make()
        let alice = 2
        let owner = f.keys[alice].address
        let (noReturn, _) = try await f.admin.deploy(try f.artifacts.artifact("NoReturnToken"))
        let deployment = try await MarketDeployment.deploy(
            artifacts: f.artifacts, deployer: f.admin, operatorAddress: f.keys[1].address,
            existingToken: noReturn.address)
        let market = deployment.marketplace
        #expect(deployment.receipts.count == 1, "only the marketplace is deployed")
        #expect(deployment.token.address == noReturn.address)
        #expect(try await market.contract.call("token")[0] == .address(noReturn.address))

        try await Self.admit(f, alice, on: market)
        // mint/approve through NoReturnToken's own ABI (they return nothing).
        try await f.admin.transact(noReturn, "mint", [.address(owner), .uint(100 * Self.unit)])
        try await f.sender(alice).transact(noReturn, "approve", [.address(market.address), .uint(40 * Self.unit)])

        func expectBalances(
            member: BigUInt, held: BigUInt, available: BigUInt, sourceLocation: SourceLocation = #_sourceLocation
        )
            async throws
        {
            #expect(try await deployment.token.balance(of: owner) == member, sourceLocation: sourceLocation)
            #expect(try await deployment.token.balance(of: market.address) == held, sourceLocation: sourceLocation)
            let funds = try await market.checkFunds(owner)
            #expect(funds.available == available, sourceLocation: sourceLocation)
            #expect(funds.locked == 0, sourceLocation: sourceLocation)
            // Conservation on this market: the member's funds plus the treasury are what it holds.
            #expect(
                funds.available + funds.locked + (try await market.treasury()) == held, sourceLocation: sourceLocation)
        }

        let receipt = try await market.deposit(40 * Self.unit, sender: f.sender(alice))
        #expect(market.contract.events(in: receipt).contains { $0.event.name == "Deposited" })
        try await expectBalances(member: 60 * Self.unit, held: 40 * Self.unit, available: 40 * Self.unit)

        // The allowance is used up: the token reverts inside transferFrom, SafeTransfer reports it.
        let failed = await expectRevert("TokenCallFailed") {
            try await market.deposit(1, sender: f.sender(alice))
        }
        #expect(failed?["token"] == .address(noReturn.address))
        #expect(failed?["selector"] == .fixedBytes([0x23, 0xb8, 0x72, 0xdd]))

        try await market.claimAvailableFunds(15 * Self.unit, sender: f.sender(alice))
        try await expectBalances(member: 75 * Self.unit, held: 25 * Self.unit, available: 25 * Self.unit)
        try await market.withdrawAllFunds(sender: f.sender(alice))
        try await expectBalances(member: 100 * Self.unit, held: 0, available: 0)
        await expectRevert("ZeroAmount") { try await market.withdrawAllFunds(sender: f.sender(alice)) }
    }

    @Test func registrationEventsAndReRegistrationAfterRejection() async throws {
        let f = try await MarketFixture.make()
        let alice = 2
        let member = f.keys[alice].address
        let docV1 = Keccak256.hash("adesione Alice v1")
        let docV2 = Keccak256.hash("adesione Alice v2")

        /// The `members(address)` getter's field called `name`, whatever the struct layout.
        func memberField(_ name: String) async throws -> ABIValue? {
            let outputs = try f.market.contract.abi.function("members").outputs
            let values = try await f.market.contract.call("members", [.address(member)])
            return outputs.firstIndex { $0.name == name }.map { values[$0] }
        }
        func statusChanges(_ receipt: Receipt) -> [(ABIEventArgument?, ABIEventArgument?, ABIEventArgument?)] {
            f.market.contract.events(in: receipt).filter { $0.event.name == "MemberStatusChanged" }
                .map { ($0["member"], $0["from"], $0["to"]) }
        }

        let registered = try await f.market.registerUser(adhesionDocHash: docV1, sender: f.sender(alice))
        let events = f.market.contract.events(in: registered)
        #expect(events.map(\.event.name) == ["MemberRegistered", "MemberStatusChanged"])
        #expect(events.first?["member"] == .value(.address(member)))
        #expect(events.first?["adhesionDocHash"] == .value(.fixedBytes(docV1)))
        let firstChange = statusChanges(registered)
        #expect(firstChange.count == 1)
        #expect(firstChange.first?.0 == .value(.address(member)))
        #expect(firstChange.first?.1 == .value(.unsigned(MemberStatus.none.rawValue)))
        #expect(firstChange.first?.2 == .value(.unsigned(MemberStatus.pending.rawValue)))
        let block = try await f.client.block(.number(registered.blockNumber))
        #expect(try await memberField("status") == .unsigned(MemberStatus.pending.rawValue))
        #expect(try await memberField("adhesionDocHash") == .fixedBytes(docV1))
        #expect(try await memberField("registeredAt") == .unsigned(block?.timestamp ?? 0))
        // The binding's view of the same record.
        let viaBinding = try await f.market.member(member)
        #expect(viaBinding.status == .pending)
        #expect(viaBinding.docHash == docV1)
        #expect(viaBinding.registeredAt == block?.timestamp)

        let pendingAgain = await expectRevert("AlreadyRegistered") {
            try await f.market.registerUser(adhesionDocHash: docV2, sender: f.sender(alice))
        }
        #expect(pendingAgain?["member"] == .address(member))
        #expect(pendingAgain?["status"] == .unsigned(MemberStatus.pending.rawValue))
        await expectRevert("EmptyDocumentHash") {
            try await f.market.registerUser(adhesionDocHash: [UInt8](repeating: 0, count: 32), sender: f.sender(3))
        }

        // Rejected, then registered again with a new document.
        let rejected = try await f.market.rejectMember(member, sender: f.admin)
        #expect(statusChanges(rejected).first?.1 == .value(.unsigned(MemberStatus.pending.rawValue)))
        #expect(statusChanges(rejected).first?.2 == .value(.unsigned(MemberStatus.rejected.rawValue)))
        #expect(try await memberField("status") == .unsigned(MemberStatus.rejected.rawValue))
        let rejectedDeposit = await expectRevert("NotActiveMember") {
            try await f.market.deposit(1, sender: f.sender(alice))
        }
        #expect(rejectedDeposit?["status"] == .unsigned(MemberStatus.rejected.rawValue))

        let again = try await f.market.registerUser(adhesionDocHash: docV2, sender: f.sender(alice))
        let againEvents = f.market.contract.events(in: again)
        #expect(againEvents.first?["adhesionDocHash"] == .value(.fixedBytes(docV2)))
        #expect(statusChanges(again).first?.1 == .value(.unsigned(MemberStatus.rejected.rawValue)))
        #expect(statusChanges(again).first?.2 == .value(.unsigned(MemberStatus.pending.rawValue)))
        #expect(try await memberField("adhesionDocHash") == .fixedBytes(docV2))

        let approved = try await f.market.approveMember(member, sender: f.admin)
        #expect(statusChanges(approved).first?.2 == .value(.unsigned(MemberStatus.active.rawValue)))
        #expect(try await f.market.member(member).status == .active)
        let activeAgain = await expectRevert("AlreadyRegistered") {
            try await f.market.registerUser(adhesionDocHash: docV1, sender: f.sender(alice))
        }
        #expect(activeAgain?["status"] == .unsigned(MemberStatus.active.rawValue))
        let approvedTwice = await expectRevert("InvalidStatusChange") {
            try await f.market.approveMember(member, sender: f.admin)
        }
        #expect(approvedTwice?["from"] == .unsigned(MemberStatus.active.rawValue))
        #expect(approvedTwice?["to"] == .unsigned(MemberStatus.active.rawValue))
    }
}
