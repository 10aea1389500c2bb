import BigInt
import Chain
import Foundation
import Market
import Testing

/// `statusesOf` and `fundsOf` answer, for a list, exactly what `members` and `checkFunds`
/// answer one member at a time, in the list's order (repeats and
/// non-members included), across the 500-member parts the binding splits a list into.
@Suite struct MarketListViewTests {
    @Test func listViewsAgreeWithTheSingleMemberReads() async throws {
        let f = try await MarketFixture.make(accounts: 8)
        let unit = MarketFixture.unit
        try await f.onboard([2, 3], mint: 100 * unit, deposit: 40 * unit)
        try await f.onboard([4], mint: 7 * unit, deposit: 7 * unit)
        try await f.market.suspendMember(f.keys[3].address, sender: f.admin)
        try await f.market.registerUser(adhesionDocHash: Keccak256.hash("adesione 5"), sender: f.sender(5))
        try await f.market.registerUser(adhesionDocHash: Keccak256.hash("adesione 6"), sender: f.sender(6))
        try await f.market.rejectMember(f.keys[6].address, sender: f.admin)
        try await f.token.mint(to: f.keys[7].address, amount: 3 * unit, sender: f.admin)
        // Funds locked in a session, so `locked` is not zero for member 2.
        let (id, _) = try await f.openSession()
        let orders = [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 200_000)]
        let salt = Commitment.randomSalt()
        let commitment = try Commitment.compute(
            chainID: f.chain.chainID, marketplace: f.market.address, sessionID: id, member: f.keys[2].address,
            orders: orders, salt: salt)
        try await f.market.submitCommitment(sessionID: id, commitment: commitment, sender: f.sender(2))

        let stranger = try Address("0x00000000000000000000000000000000000000ff")
        let list = [2, 3, 4, 5, 6, 7, 2].map { f.keys[$0].address } + [stranger]
        let statuses = try await f.market.statuses(of: list)
        let funds = try await f.market.funds(of: list)
        #expect(statuses == [.active, .suspended, .active, .pending, .rejected, .none, .active, .none])
        #expect(statuses.count == list.count && funds.count == list.count)
        for (index, member) in list.enumerated() {
            #expect(statuses[index] == (try await f.market.member(member)).status, "\(index)")
            let single = try await f.market.checkFunds(member)
            #expect(funds[index].available == single.available, "\(index)")
            #expect(funds[index].locked == single.locked, "\(index)")
        }
        #expect(funds[0].locked == 5 * unit && funds[0].available == 35 * unit)
        #expect(funds[2].available == 7 * unit && funds[5].available == 0 && funds[5].locked == 0)

        // A list longer than one part: 1,201 entries cycling through the same members.
        let long = (0..<1_201).map { list[$0 % list.count] }
        let longStatuses = try await f.market.statuses(of: long)
        let longFunds = try await f.market.funds(of: long)
        #expect(longStatuses == long.indices.map { statuses[$0 % list.count] })
        #expect(longFunds.map(\.available) == long.indices.map { funds[$0 % list.count].available })
        #expect(longFunds.map(\.locked) == long.indices.map { funds[$0 % list.count].locked })
        #expect(try await f.market.statuses(of: []).isEmpty)
    }

    @Test func aMarketplaceWithoutListViewsIsReadMemberByMember() async throws {
        let f = try await MarketFixture.make(accounts: 6)
        let unit = MarketFixture.unit
        // The marketplace of an older release (fixtures/contracts/README.md), bound with today's ABI.
        let hex = try String(
            contentsOf: RunnerTests.packageRoot.appendingPathComponent(
                "fixtures/contracts/Marketplace-5e04c6d.bytecode"),
            encoding: .utf8)
        var artifact = try f.artifacts.artifact("Marketplace")
        artifact.bytecode = try Hex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines))
        let (deployed, _) = try await f.admin.deploy(
            artifact, arguments: [.address(f.token.address), .address(f.keys[1].address)])
        let market = MarketplaceContract(contract: deployed)
        let member = f.sender(2)
        try await market.registerUser(adhesionDocHash: Keccak256.hash("adesione 2"), sender: member)
        try await market.approveMember(member.address, sender: f.admin)
        try await f.token.mint(to: member.address, amount: 10 * unit, sender: f.admin)
        try await f.token.approve(spender: market.address, amount: 4 * unit, sender: member)
        try await market.deposit(4 * unit, sender: member)
        try await market.registerUser(adhesionDocHash: Keccak256.hash("adesione 3"), sender: f.sender(3))

        // The list views are not there: the contract reverts without data.
        await #expect(throws: ContractCallError.self) {
            _ = try await deployed.call("statusesOf", [.array([.address(member.address)])])
        }
        let list = [2, 3, 4, 2].map { f.keys[$0].address }
        #expect(try await market.statuses(of: list) == [.active, .pending, .none, .active])
        let funds = try await market.funds(of: list)
        #expect(funds.map(\.available) == [4 * unit, 0, 0, 4 * unit])
        #expect(funds.map(\.locked) == [0, 0, 0, 0])
        let long = (0..<1_001).map { list[$0 % list.count] }
        #expect(
            try await market.statuses(of: long) == long.indices.map { [.active, .pending, .none, .active][$0 % 4] })
    }
}
