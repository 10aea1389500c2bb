import BigInt
import Chain
import Market
import Testing

/// The gasless path: members sign EIP-712 commits and reveals, the operator relays them in
/// batches and pays the gas. Then the ways a relayed signature must be refused.
@Suite struct MarketRelayTests {
    static let unit = MarketFixture.unit

    /// A signed commit of member `index` for `commitment` (no nonce; the session makes it single-use).
    static func commitAuth(
        _ f: MarketFixture, _ id: UInt64, _ index: Int, commitment: [UInt8], deadline: UInt64,
        chainID: UInt64? = nil, marketplace: Address? = nil
    ) async throws -> CommitAuthorization {
        try CommitAuthorization.sign(
            key: f.keys[index], chainID: chainID ?? f.chain.chainID, marketplace: marketplace ?? f.market.address,
            sessionID: id, commitment: commitment, deadline: deadline)
    }

    /// A relayed reveal of member `index` (no signature: the commitment binds it).
    static func revealEntry(_ f: MarketFixture, _ index: Int, orders: [MarketOrder], salt: [UInt8]) -> RevealEntry {
        RevealEntry(member: f.keys[index].address, orders: orders, salt: salt)
    }

    @Test func operatorRelaysCommitsAndRevealsOfThreeMembers() async throws {
        let f = try await MarketFixture.make()
        let (alice, bob, carol) = (2, 3, 4)
        let members = [alice, bob, carol]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession()
        let orders: [Int: [MarketOrder]] = [
            alice: [
                .init(slot: 0, side: .sell, quantityWh: 2_000, limitPrice: 100_000),
                .init(slot: 1, side: .sell, quantityWh: 1_000, limitPrice: 90_000),
            ],
            bob: [.init(slot: 0, side: .buy, quantityWh: 1_500, limitPrice: 160_000)],
            carol: [.init(slot: 1, side: .buy, quantityWh: 800, limitPrice: 130_001)],
        ]
        var salts = [Int: [UInt8]]()
        var commitments = [Int: [UInt8]]()
        for i in members {
            salts[i] = Commitment.randomSalt()
            commitments[i] = try f.sealedCommitment(id, i, orders[i]!, salts[i]!)
        }
        var ether = [Int: BigUInt]()
        for i in members { ether[i] = try await f.client.balance(of: f.keys[i].address) }

        // Commits: one transaction by the operator for all three.
        var commitAuths = [CommitAuthorization]()
        for i in members {
            commitAuths.append(
                try await Self.commitAuth(f, id, i, commitment: commitments[i]!, deadline: params.commitDeadline))
        }
        let commitReceipt = try await f.market.submitCommitmentsBySig(
            sessionID: id, commitAuths, sender: f.operatorSender)
        let committed = f.market.contract.events(in: commitReceipt).filter { $0.event.name == "CommitmentSubmitted" }
        #expect(committed.count == 3)
        for (event, i) in zip(committed, members) {
            #expect(event["sessionId"] == .value(.unsigned(id)))
            #expect(event["member"] == .value(.address(f.keys[i].address)))
            #expect(event["commitment"] == .value(.fixedBytes(commitments[i]!)))
        }
        for i in members {
            try await f.expectFunds(i, available: 45 * Self.unit, locked: 5 * Self.unit)
        }
        #expect(try await f.market.session(id).commits == 3)
        try await f.checkConservation(members: members, sessions: [id])

        // Reveals: one transaction by the operator, no signature.
        try await f.travel(to: params.commitDeadline)
        let revealEntries = members.map { Self.revealEntry(f, $0, orders: orders[$0]!, salt: salts[$0]!) }
        let revealReceipt = try await f.market.revealOrdersRelayed(
            sessionID: id, revealEntries, sender: f.operatorSender)
        let revealed = f.market.events(in: revealReceipt).filter {
            if case .ordersRevealed = $0 { return true } else { return false }
        }
        // Collateral: Alice 3000 Wh of bond at 0.05 = 150_000; Bob 1500 × 0.16 = 240_000;
        // Carol 800 × 0.130001 = 104_000.8 → 104_001 (rounded up).
        let collateral: [Int: BigUInt] = [alice: 150_000, bob: 240_000, carol: 104_001]
        #expect(revealed.count == 3)
        for (event, i) in zip(revealed, members) {
            #expect(
                event == .ordersRevealed(sessionID: id, member: f.keys[i].address, orders: orders[i]!, salt: salts[i]!))
        }
        for i in members {
            try await f.expectFunds(i, available: 50 * Self.unit - collateral[i]!, locked: collateral[i]!)
            // The members paid no gas: the operator did.
            #expect(try await f.client.balance(of: f.keys[i].address) == ether[i]!)
        }
        #expect(try await f.market.session(id).reveals == 3)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func replayedSignaturesAreSkipped() async throws {
        let f = try await MarketFixture.make()
        let (alice, bob) = (2, 3)
        try await f.onboard([alice, bob], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let orders = [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 150_000)]
        let salt = Commitment.randomSalt()
        let commitment = try f.sealedCommitment(id, alice, orders, salt)
        let auth = try await Self.commitAuth(f, id, alice, commitment: commitment, deadline: params.commitDeadline)
        try await f.market.submitCommitmentsBySig(sessionID: id, [auth], sender: f.operatorSender)
        try await f.checkConservation(members: [alice, bob], sessions: [id])

        // The same authorisation again, by any relayer: Alice has committed, so the entry is
        // skipped (RelaySkipped) — a copied authorisation can neither act twice nor make a batch
        // fail — and nothing changes.
        for relayer in [f.operatorSender, f.sender(bob)] {
            let replay = try await f.market.submitCommitmentsBySig(sessionID: id, [auth], sender: relayer)
            let skipped = f.market.contract.events(in: replay).filter { $0.event.name == "RelaySkipped" }
            #expect(skipped.count == 1)
            #expect(skipped.first?["member"] == .value(.address(f.keys[alice].address)))
        }
        // Alice committing directly after her relayed commitment hits the one-per-session rule.
        let again = await expectRevert("AlreadyCommitted") {
            try await f.market.submitCommitment(sessionID: id, commitment: commitment, sender: f.sender(alice))
        }
        #expect(again?["member"] == .address(f.keys[alice].address))
        try await f.expectFunds(alice, available: 45 * Self.unit, locked: 5 * Self.unit)

        // A replayed reveal.
        try await f.travel(to: params.commitDeadline)
        let reveal = Self.revealEntry(f, alice, orders: orders, salt: salt)
        try await f.market.revealOrdersRelayed(sessionID: id, [reveal], sender: f.operatorSender)
        try await f.expectFunds(alice, available: 50 * Self.unit - 150_000, locked: 150_000)
        let replayedReveal = try await f.market.revealOrdersRelayed(sessionID: id, [reveal], sender: f.operatorSender)
        #expect(f.market.contract.events(in: replayedReveal).map(\.event.name) == ["RelaySkipped"])
        try await f.checkConservation(members: [alice, bob], sessions: [id])
    }

    @Test func expiredSignaturesAreRejected() async throws {
        let f = try await MarketFixture.make()
        let alice = 2
        try await f.onboard([alice], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let orders = [MarketOrder(slot: 0, side: .sell, quantityWh: 1_000, limitPrice: 100_000)]
        let salt = Commitment.randomSalt()
        let commitment = try f.sealedCommitment(id, alice, orders, salt)

        let now = try await f.control.now()
        let stale = try await Self.commitAuth(f, id, alice, commitment: commitment, deadline: now - 1)
        let expired = await expectRevert("SignatureExpired") {
            try await f.market.submitCommitmentsBySig(sessionID: id, [stale], sender: f.operatorSender)
        }
        #expect(expired?["member"] == .address(f.keys[alice].address))
        #expect(expired?["deadline"] == .unsigned(now - 1))
        #expect(expired?.uint("nowTime").map { $0 > BigUInt(now - 1) } == true)
        try await f.expectFunds(alice, available: 50 * Self.unit, locked: 0)

        // Signed with a live deadline, the same commitment is accepted.
        let live = try await Self.commitAuth(f, id, alice, commitment: commitment, deadline: params.commitDeadline)
        try await f.market.submitCommitmentsBySig(sessionID: id, [live], sender: f.operatorSender)
        try await f.checkConservation(members: [alice], sessions: [id])

        // A relayed reveal with a wrong salt is refused by the commitment.
        try await f.travel(to: params.commitDeadline)
        let wrongSalt = Self.revealEntry(f, alice, orders: orders, salt: Commitment.randomSalt())
        let mismatch = await expectRevert("CommitmentMismatch") {
            try await f.market.revealOrdersRelayed(sessionID: id, [wrongSalt], sender: f.operatorSender)
        }
        #expect(mismatch?["member"] == .address(f.keys[alice].address))
        try await f.expectFunds(alice, available: 45 * Self.unit, locked: 5 * Self.unit)
    }

    @Test func signatureByAnotherKeyIsRejected() async throws {
        let f = try await MarketFixture.make()
        let (alice, mallory) = (2, 3)
        try await f.onboard([alice, mallory], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let orders = [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 150_000)]
        let commitment = try f.sealedCommitment(id, alice, orders, Commitment.randomSalt())

        // Mallory signs a commitment in Alice's name (only the key differs).
        var forged = try await Self.commitAuth(f, id, mallory, commitment: commitment, deadline: params.commitDeadline)
        forged.member = f.keys[alice].address
        let wrongKey = await expectRevert("InvalidSignature") {
            try await f.market.submitCommitmentsBySig(sessionID: id, [forged], sender: f.operatorSender)
        }
        #expect(wrongKey?["member"] == .address(f.keys[alice].address))

        // In a batch, one forged authorisation sinks the whole transaction: Mallory's own valid
        // commit does not go through either.
        let own = try await Self.commitAuth(
            f, id, mallory, commitment: try f.sealedCommitment(id, mallory, orders, Commitment.randomSalt()),
            deadline: params.commitDeadline)
        let batch = await expectRevert("InvalidSignature") {
            try await f.market.submitCommitmentsBySig(sessionID: id, [own, forged], sender: f.operatorSender)
        }
        #expect(batch?["member"] == .address(f.keys[alice].address))
        for i in [alice, mallory] {
            try await f.expectFunds(i, available: 50 * Self.unit, locked: 0)
        }
        #expect(try await f.market.session(id).commits == 0)
        try await f.checkConservation(members: [alice, mallory], sessions: [id])
    }

    @Test func signatureForAnotherChainOrContractIsRejected() async throws {
        let f = try await MarketFixture.make()
        let alice = 2
        try await f.onboard([alice], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, params) = try await f.openSession(slots: 1)
        let orders = [MarketOrder(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 150_000)]
        let commitment = try f.sealedCommitment(id, alice, orders, Commitment.randomSalt())

        let otherChain = try await Self.commitAuth(
            f, id, alice, commitment: commitment, deadline: params.commitDeadline, chainID: f.chain.chainID + 1)
        let chainRevert = await expectRevert("InvalidSignature") {
            try await f.market.submitCommitmentsBySig(sessionID: id, [otherChain], sender: f.operatorSender)
        }
        #expect(chainRevert?["member"] == .address(f.keys[alice].address))

        let otherContract = try await Self.commitAuth(
            f, id, alice, commitment: commitment, deadline: params.commitDeadline, marketplace: f.token.address)
        await expectRevert("InvalidSignature") {
            try await f.market.submitCommitmentsBySig(sessionID: id, [otherContract], sender: f.operatorSender)
        }
        // Signed for another session of the same market.
        let otherSession = try await Self.commitAuth(
            f, id + 1, alice, commitment: commitment, deadline: params.commitDeadline)
        await expectRevert("InvalidSignature") {
            try await f.market.submitCommitmentsBySig(sessionID: id, [otherSession], sender: f.operatorSender)
        }

        // The same authorisation for this chain, contract and session is accepted.
        let right = try await Self.commitAuth(f, id, alice, commitment: commitment, deadline: params.commitDeadline)
        try await f.market.submitCommitmentsBySig(sessionID: id, [right], sender: f.operatorSender)
        try await f.expectFunds(alice, available: 45 * Self.unit, locked: 5 * Self.unit)
        try await f.checkConservation(members: [alice], sessions: [id])
    }
}
