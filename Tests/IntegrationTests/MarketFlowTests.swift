import BigInt
import Chain
import Market
import Testing

/// The seed flow end to end with four members, every balance checked by hand after every step.
/// Alice (2) sells, Bob (3) and Carol (4) buy, Dave (5) commits and never reveals.
@Suite struct MarketFlowTests {
    @Test func fullSessionWithHandComputedBalances() async throws {
        let f = try await MarketFixture.make()
        let (alice, bob, carol, dave) = (2, 3, 4, 5)
        let everyone = [alice, bob, carol, dave]
        let mint = 1_000 * MarketFixture.unit
        let deposited = 500 * MarketFixture.unit
        try await f.onboard(everyone, mint: mint, deposit: deposited)
        for i in everyone {
            #expect(try await f.market.member(f.keys[i].address).status == .active)
            try await f.expectFunds(i, available: 500_000_000, locked: 0)
        }
        try await f.checkConservation(members: everyone, sessions: [])

        let (id, params) = try await f.openSession()
        #expect(id == 1)
        #expect(try await f.market.commitDeadline(id) == params.commitDeadline)
        #expect(try await f.market.revealDeadline(id) == params.revealDeadline)
        #expect(try await f.market.session(id).manifestHash == Keccak256.hash("manifest"))

        let orders: [Int: [MarketOrder]] = [
            alice: [
                .init(slot: 0, side: .sell, quantityWh: 3_000, limitPrice: 100_000),
                .init(slot: 1, side: .sell, quantityWh: 2_000, limitPrice: 120_000),
            ],
            bob: [
                .init(slot: 0, side: .buy, quantityWh: 2_000, limitPrice: 200_000),
                .init(slot: 1, side: .buy, quantityWh: 1_500, limitPrice: 150_000),
            ],
            carol: [
                .init(slot: 0, side: .buy, quantityWh: 1_000, limitPrice: 180_000),
                .init(slot: 1, side: .buy, quantityWh: 1_000, limitPrice: 110_000),
            ],
            dave: [.init(slot: 0, side: .buy, quantityWh: 500, limitPrice: 100_000)],
        ]
        var salts = [Int: [UInt8]]()
        for i in everyone {
            let salt = Commitment.randomSalt()
            salts[i] = salt
            let commitment = try Commitment.compute(
                chainID: f.chain.chainID, marketplace: f.market.address, sessionID: id, member: f.keys[i].address,
                orders: orders[i]!, salt: salt)
            // Our commitment is the contract's own.
            #expect(
                try await f.market.computeCommitment(
                    sessionID: id, member: f.keys[i].address, orders: orders[i]!, salt: salt)
                    == commitment)
            try await f.market.submitCommitment(sessionID: id, commitment: commitment, sender: f.sender(i))
            try await f.expectFunds(i, available: 495_000_000, locked: 5_000_000)
        }
        #expect(try await f.market.session(id).commits == 4)
        try await f.checkConservation(members: everyone, sessions: [id])

        try await f.travel(to: params.commitDeadline)
        for i in [alice, bob, carol] {
            try await f.market.revealOrders(sessionID: id, orders: orders[i]!, salt: salts[i]!, sender: f.sender(i))
        }
        // Collateral: Alice 3000·50 + 2000·50 = 250_000; Bob 2000·200 + 1500·150 = 625_000;
        // Carol 1000·180 + 1000·110 = 290_000 (base units; Wh × price per kWh / 1000).
        try await f.expectFunds(alice, available: 499_750_000, locked: 250_000)
        try await f.expectFunds(bob, available: 499_375_000, locked: 625_000)
        try await f.expectFunds(carol, available: 499_710_000, locked: 290_000)
        try await f.expectFunds(dave, available: 495_000_000, locked: 5_000_000)
        try await f.checkConservation(members: everyone, sessions: [id])

        // The order book as the clear phase and any auditor rebuild it: from the chain's events.
        let book = try await f.market.revealedOrders(sessionID: id)
        #expect(book.map(\.member) == [alice, bob, carol].map { f.keys[$0].address })
        for entry in book {
            let index = f.keys.firstIndex { $0.address == entry.member }!
            #expect(entry.orders == orders[index])
            #expect(entry.salt == salts[index])
        }

        try await f.travel(to: params.revealDeadline)
        let everyoneAddresses = everyone.map { f.keys[$0].address }
        try await f.market.forfeitUnrevealed(sessionID: id, members: everyoneAddresses, sender: f.sender(carol))
        try await f.expectFunds(dave, available: 495_000_000, locked: 0)
        #expect(try await f.market.treasury() == 5_000_000)
        try await f.checkConservation(members: everyone, sessions: [id])

        // Clearing: slot 0 at 150_001 (Alice 3000 → Bob 2000 + Carol 1000), slot 1 at 135_000
        // (Alice 1500 → Bob 1500; Carol's 110_000 bid stays out).
        let fills: [Int: [MarketFill]] = [
            alice: [
                .init(orderIndex: 0, quantityWh: 3_000, price: 150_001),
                .init(orderIndex: 1, quantityWh: 1_500, price: 135_000),
            ],
            bob: [
                .init(orderIndex: 0, quantityWh: 2_000, price: 150_001),
                .init(orderIndex: 1, quantityWh: 1_500, price: 135_000),
            ],
            carol: [.init(orderIndex: 0, quantityWh: 1_000, price: 150_001)],
        ]
        let fillEntries = [alice, bob, carol].map {
            MemberFillsEntry(member: f.keys[$0].address, orders: orders[$0]!, salt: salts[$0]!, fills: fills[$0]!)
        }
        try await f.market.setFinalOrders(sessionID: id, Array(fillEntries.prefix(2)), sender: f.operatorSender)
        try await f.market.setFinalOrders(sessionID: id, Array(fillEntries.suffix(1)), sender: f.operatorSender)
        try await f.market.finalizeClearing(
            sessionID: id, clearingPrices: [150_001, 135_000], sender: f.operatorSender)
        #expect(try await f.market.session(id).state == .cleared)
        // Unfilled collateral released: Alice 25_000 (500 Wh of bond), Carol 110_000.
        try await f.expectFunds(alice, available: 499_775_000, locked: 225_000)
        try await f.expectFunds(bob, available: 499_375_000, locked: 625_000)
        try await f.expectFunds(carol, available: 499_820_000, locked: 180_000)
        try await f.checkConservation(members: everyone, sessions: [id])

        // Validation: Alice delivers 2800 + 1500 (200 Wh short: penalty 10_000), Bob takes 1900 +
        // 1500 (penalty 5_000), Carol 900.
        try await f.travel(to: params.deliveryEnd)
        let deliveries = [
            MemberDeliveriesEntry(
                member: f.keys[alice].address, orders: orders[alice]!, fills: fills[alice]!, delivered: [2_800, 1_500],
                penalty: 10_000),
            MemberDeliveriesEntry(
                member: f.keys[bob].address, orders: orders[bob]!, fills: fills[bob]!, delivered: [1_900, 1_500],
                penalty: 5_000),
            MemberDeliveriesEntry(
                member: f.keys[carol].address, orders: orders[carol]!, fills: fills[carol]!, delivered: [900]),
        ]
        let validationReceipt = try await f.market.setValidTransactions(
            sessionID: id, deliveries, sender: f.operatorSender)
        #expect(
            f.market.events(in: validationReceipt).contains(
                .memberValidated(
                    sessionID: id, member: f.keys[alice].address, delivered: [2_800, 1_500], paid: 0,
                    receivable: 622_502,
                    penalty: 10_000)))
        // Bob pays ceil(1900·150001/1000) + 1500·135 = 285_002 + 202_500 = 487_502;
        // Carol pays ceil(900·150001/1000) = 135_001; Alice is owed floor(2800·150001/1000) +
        // 202_500 = 420_002 + 202_500 = 622_502.
        try await f.expectFunds(bob, available: 499_375_000 + 625_000 - 487_502 - 5_000, locked: 0)
        try await f.expectFunds(carol, available: 499_820_000 + 180_000 - 135_001, locked: 0)
        try await f.expectFunds(alice, available: 499_775_000 + 225_000 - 10_000, locked: 0)
        #expect(try await f.market.session(id).pool == 622_503)
        try await f.checkConservation(members: everyone, sessions: [id])

        try await f.market.finalizeValidation(sessionID: id, sender: f.operatorSender)
        let validated = try await f.market.session(id)
        #expect(validated.state == .validated)
        #expect(validated.pool == 622_502)
        // Treasury: Dave's deposit + penalties + 1 unit of rounding dust.
        #expect(try await f.market.treasury() == 5_000_000 + 10_000 + 5_000 + 1)
        try await f.checkConservation(members: everyone, sessions: [id])

        try await f.market.execute(sessionID: id, sender: f.sender(alice))
        try await f.expectFunds(alice, available: 499_990_000 + 622_502, locked: 0)
        try await f.market.settleBatch(sessionID: id, members: everyoneAddresses, sender: f.sender(dave))
        let settled = try await f.market.session(id)
        #expect(settled.state == .settled)
        #expect(settled.pool == 0)
        try await f.checkConservation(members: everyone, sessions: [id])

        try await f.market.withdrawAllFunds(sender: f.sender(alice))
        try await f.market.withdrawAllFunds(sender: f.sender(bob))
        #expect(try await f.token.balance(of: f.keys[alice].address) == mint + 612_502)
        #expect(try await f.token.balance(of: f.keys[bob].address) == mint - 492_502)
        try await f.expectFunds(alice, available: 0, locked: 0)
        try await f.checkConservation(members: everyone, sessions: [id])
    }
}
