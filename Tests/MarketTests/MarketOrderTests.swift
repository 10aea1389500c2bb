import BigInt
import Chain
import Market
import Testing

@Suite struct MarketOrderTests {
    @Test func orderWordLayout() {
        let order = MarketOrder(slot: 23, side: .sell, quantityWh: 1_500, limitPrice: 210_000)
        // slot 23 at bit 136, side 1 at bit 128, 1500 Wh at bit 64, 210000 at bit 0.
        let expected = BigUInt(23) << 136 | BigUInt(1) << 128 | BigUInt(1_500) << 64 | BigUInt(210_000)
        #expect(order.packed == expected)
        #expect(MarketOrder(packed: expected) == order)
    }

    @Test func extremesRoundTrip() {
        for order in [
            MarketOrder(slot: .max, side: .buy, quantityWh: .max, limitPrice: .max),
            MarketOrder(slot: 0, side: .sell, quantityWh: 0, limitPrice: 0),
        ] {
            #expect(MarketOrder(packed: order.packed) == order)
            #expect(order.packed.bitWidth <= 152)
        }
        let fill = MarketFill(orderIndex: .max, quantityWh: .max, price: .max)
        #expect(MarketFill(packed: fill.packed) == fill)
    }

    @Test func malformedWordsAreRefused() {
        #expect(MarketOrder(packed: BigUInt(1) << 152) == nil)  // high bits
        #expect(MarketOrder(packed: BigUInt(2) << 128) == nil)  // side 2
        #expect(MarketFill(packed: BigUInt(1) << 144) == nil)
    }

    @Test func moneyRounding() {
        // 1 Wh at 1 base unit per kWh is worth 0.001: buyers pay 1, sellers receive 0.
        #expect(MarketMoney.buyerPays(wh: 1, price: 1) == 1)
        #expect(MarketMoney.sellerReceives(wh: 1, price: 1) == 0)
        #expect(MarketMoney.buyerPays(wh: 1_900, price: 150_001) == 285_002)
        #expect(MarketMoney.sellerReceives(wh: 2_800, price: 150_001) == 420_002)
        // Exact multiples round neither way.
        #expect(MarketMoney.buyerPays(wh: 2_000, price: 150_000) == 300_000)
        #expect(MarketMoney.sellerReceives(wh: 2_000, price: 150_000) == 300_000)
        // No overflow at the type limits.
        let top = MarketMoney.buyerPays(wh: .max, price: .max)
        #expect(top == (BigUInt(UInt64.max) * BigUInt(UInt64.max) + 999) / 1000)
        #expect(
            MarketOrder(slot: 0, side: .sell, quantityWh: 3_000, limitPrice: 1).collateral(sellerBondPerKWh: 50_000)
                == 150_000)
    }

    @Test func commitmentBindsEveryInput() throws {
        let member = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let other = try Address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
        let orders = [MarketOrder(slot: 1, side: .buy, quantityWh: 10, limitPrice: 20)]
        let salt = [UInt8](repeating: 7, count: 32)
        let base = try Commitment.compute(
            chainID: 1337, marketplace: other, sessionID: 1, member: member, orders: orders, salt: salt)
        let variants = [
            try Commitment.compute(
                chainID: 1, marketplace: other, sessionID: 1, member: member, orders: orders, salt: salt),
            try Commitment.compute(
                chainID: 1337, marketplace: member, sessionID: 1, member: member, orders: orders, salt: salt),
            try Commitment.compute(
                chainID: 1337, marketplace: other, sessionID: 2, member: member, orders: orders, salt: salt),
            try Commitment.compute(
                chainID: 1337, marketplace: other, sessionID: 1, member: other, orders: orders, salt: salt),
            try Commitment.compute(
                chainID: 1337, marketplace: other, sessionID: 1, member: member, orders: [], salt: salt),
            try Commitment.compute(
                chainID: 1337, marketplace: other, sessionID: 1, member: member, orders: orders,
                salt: [UInt8](repeating: 8, count: 32)),
        ]
        #expect(Set(variants + [base]).count == 7)
    }
}
