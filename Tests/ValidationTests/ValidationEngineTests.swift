import BigInt
import Chain
import Market
import Testing
import Validation

/// The worked examples of docs/validation.md, one slot each unless said otherwise.
@Suite struct ValidationEngineTests {
    static func address(_ n: UInt8) -> Address { Address(unchecked: Array(repeating: 0, count: 19) + [n]) }

    /// A member whose every order is filled at `price` by `fills` (Wh), one order per fill.
    static func member(
        _ n: UInt8, _ side: OrderSide, limit: UInt64, fills: [UInt64], price: UInt64, slot: UInt16 = 0
    ) -> ValidationMember {
        let orders = fills.map { MarketOrder(slot: slot, side: side, quantityWh: $0, limitPrice: limit) }
        let marketFills = fills.enumerated().map { MarketFill(orderIndex: UInt16($0), quantityWh: $1, price: price) }
        return ValidationMember(address: address(n), pod: "P\(n)", orders: orders, fills: marketFills)
    }

    /// One-slot meter day: POD → (withdrawal, injection).
    static func meters(_ values: [String: (UInt64, UInt64)], slots: Int = 1) -> MeterDay {
        MeterDay(
            dayStart: 0, slotLength: 3600, slotCount: slots,
            withdrawalWh: values.mapValues { Array(repeating: $0.0, count: slots) },
            injectionWh: values.mapValues { Array(repeating: $0.1, count: slots) })
    }

    static func engine(_ rules: ValidationRules, bond: UInt64 = 50) -> ValidationEngine {
        ValidationEngine(slotCount: 1, sellerBondPerKWh: bond, rules: rules)
    }

    /// Example 1: the seller injects 2400 Wh of the 3000 it sold.
    @Test func sellerUnderDelivers() throws {
        let members = [
            Self.member(3, .buy, limit: 130, fills: [1000], price: 120),
            Self.member(1, .sell, limit: 100, fills: [3000], price: 120),
            Self.member(2, .buy, limit: 150, fills: [2000], price: 120),
        ]
        let meters = Self.meters([
            "P1": (0, 2400), "P2": (2500, 0), "P3": (1000, 0), "P4": (700, 300),  // P4 does not trade
        ])
        let rules = ValidationRules(sellerPenaltyPerKWh: 200, buyerPenaltyPerKWh: 200, toleranceWh: 100)
        let result = try Self.engine(rules).validate(members: members, meters: meters)
        let (s, b1, b2) = (result.members[0], result.members[1], result.members[2])
        #expect(result.members.map(\.address) == [1, 2, 3].map { Self.address($0) })
        // V = min(2400, 2000 + 1000) = 2400; buyers scaled: 2400·2000/3000 = 1600, 2400·1000/3000 = 800.
        #expect(s.delivered == [2400] && b1.delivered == [1600] && b2.delivered == [800])
        // Seller: shortfall 3000 − 2400 = 600, chargeable 600 − 100 = 500, penalty ⌊500·200/1000⌋ = 100;
        // locked ⌈3000·50/1000⌉ = 150, pay 0: cap 150. Receives ⌊2400·120/1000⌋ = 288.
        #expect(s.sellerShortfallWh == 600 && s.sellerChargeableWh == 500 && s.penalty == 100 && !s.penaltyCapped)
        #expect(s.locked == 150 && s.receive == 288 && s.pay == 0)
        // Buyers: own meters cover their fills — no shortfall, no penalty, although they got less.
        #expect(b1.shortfallWh == 0 && b1.penalty == 0 && b2.shortfallWh == 0 && b2.penalty == 0)
        // Pay ⌈1600·120/1000⌉ = 192 and ⌈800·120/1000⌉ = 96; locked ⌈2000·150/1000⌉ = 300, ⌈1000·130/1000⌉ = 130.
        #expect(b1.pay == 192 && b2.pay == 96 && b1.locked == 300 && b2.locked == 130)
        // Slot: injection 2400 + 300 = 2700, withdrawal 2500 + 1000 + 700 = 4200, shared 2700.
        let slot = result.slots[0]
        #expect(slot.soldWh == 3000 && slot.boughtWh == 3000 && slot.validatedWh == 2400)
        #expect(slot.sellerDeliverableWh == 2400 && slot.buyerDeliverableWh == 3000)
        #expect(slot.injectionWh == 2700 && slot.withdrawalWh == 4200 && slot.sharedEnergyWh == 2700)
        // Totals: pay 192 + 96 = 288 = receipts; no dust; penalties 100.
        let totals = result.totals
        #expect(totals.buyerPayments == 288 && totals.sellerReceipts == 288 && totals.dust == 0)
        #expect(totals.penalties == 100 && totals.validatedWh == 2400 && totals.sharedEnergyWh == 2700)
    }

    /// Example 1 again, charging everything not validated (`attribution: .validated`).
    @Test func attributionToValidated() throws {
        let members = [
            Self.member(1, .sell, limit: 100, fills: [3000], price: 120),
            Self.member(2, .buy, limit: 150, fills: [2000], price: 120),
            Self.member(3, .buy, limit: 130, fills: [1000], price: 120),
        ]
        let meters = Self.meters(["P1": (0, 2400), "P2": (2500, 0), "P3": (1000, 0)])
        let rules = ValidationRules(
            sellerPenaltyPerKWh: 200, buyerPenaltyPerKWh: 200, toleranceWh: 100, attribution: .validated)
        let result = try Self.engine(rules).validate(members: members, meters: meters)
        // B1: 2000 − 1600 = 400, −100 → 300, ⌊300·200/1000⌋ = 60; B2: 1000 − 800 = 200 → 100 → 20.
        #expect(result.members.map(\.penalty) == [100, 60, 20])
    }

    /// Example 2: the buyer withdraws 1501 Wh of the 2000 it bought; the cap binds.
    @Test func buyerUnderConsumesAndPenaltyIsCapped() throws {
        let members = [
            Self.member(1, .sell, limit: 80, fills: [2000], price: 100),
            Self.member(2, .buy, limit: 110, fills: [2000], price: 100),
        ]
        let meters = Self.meters(["P1": (0, 2500), "P2": (1501, 0)])
        let rules = ValidationRules(buyerPenaltyPerKWh: 300, tolerancePerMille: 10)
        let result = try Self.engine(rules).validate(members: members, meters: meters)
        let (s, b) = (result.members[0], result.members[1])
        // V = min(2000, 1501) = 1501 on both sides.
        #expect(s.delivered == [1501] && b.delivered == [1501])
        // Buyer: shortfall 499, tolerance ⌊2000·10/1000⌋ = 20, chargeable 479, ⌊479·300/1000⌋ = ⌊143.7⌋ = 143;
        // pay ⌈1501·100/1000⌉ = ⌈150.1⌉ = 151, locked ⌈2000·110/1000⌉ = 220, cap 220 − 151 = 69.
        #expect(b.buyerShortfallWh == 499 && b.buyerChargeableWh == 479)
        #expect(b.uncappedPenalty == 143 && b.pay == 151 && b.locked == 220 && b.penalty == 69 && b.penaltyCapped)
        // Seller: its meter covers the fill; receives ⌊1501·100/1000⌋ = 150. Dust 151 − 150 = 1.
        #expect(s.shortfallWh == 0 && s.penalty == 0 && s.receive == 150)
        #expect(result.totals.dust == 1)
    }

    /// Example 3: a seller with two fills in one slot and one meter.
    @Test func twoFillsShareOneMeter() throws {
        let seller = ValidationMember(
            address: Self.address(1), pod: "P1",
            orders: [
                MarketOrder(slot: 0, side: .sell, quantityWh: 1000, limitPrice: 90),
                MarketOrder(slot: 0, side: .sell, quantityWh: 500, limitPrice: 110),
            ],
            fills: [
                MarketFill(orderIndex: 0, quantityWh: 1000, price: 120),
                MarketFill(orderIndex: 1, quantityWh: 500, price: 120),
            ])
        let buyer = Self.member(2, .buy, limit: 130, fills: [1500], price: 120)
        let rules = ValidationRules(sellerPenaltyPerKWh: 100)
        let result = try Self.engine(rules).validate(
            members: [seller, buyer], meters: Self.meters(["P1": (0, 1200), "P2": (2000, 0)]))
        let s = result.members[0]
        // D = min(1000 + 500, 1200) = 1200 (not 1000 + 500 against 1200 each); split 1200·1000/1500 = 800,
        // 1200·500/1500 = 400.
        #expect(s.delivered == [800, 400] && result.members[1].delivered == [1200])
        // Shortfall 300 → ⌊300·100/1000⌋ = 30; locked ⌈1000·50/1000⌉ + ⌈500·50/1000⌉ = 50 + 25 = 75.
        #expect(s.sellerShortfallWh == 300 && s.penalty == 30 && s.locked == 75)
        // Receives ⌊800·120/1000⌋ + ⌊400·120/1000⌋ = 96 + 48 = 144; the buyer pays ⌈1200·120/1000⌉ = 144.
        #expect(s.receive == 144 && result.members[1].pay == 144)

        // With 1001 Wh injected: 1001·1000/1500 = 667 r 500, 1001·500/1500 = 333 r 1000; the left-over Wh
        // goes to the larger remainder, the second fill: [667, 334].
        let odd = try Self.engine(rules).validate(
            members: [seller, buyer], meters: Self.meters(["P1": (0, 1001), "P2": (2000, 0)]))
        #expect(odd.members[0].delivered == [667, 334] && odd.members[1].delivered == [1001])
    }

    /// Equal remainders across members go to the lower address, whatever the input order.
    @Test func memberTieBreakByAddress() throws {
        let members = [
            Self.member(0x0b, .sell, limit: 10, fills: [600], price: 10),
            Self.member(0x0a, .sell, limit: 10, fills: [600], price: 10),
            Self.member(0x0c, .buy, limit: 10, fills: [1200], price: 10),
        ]
        let meters = Self.meters(["P10": (0, 501), "P11": (0, 501), "P12": (1001, 0)])
        let result = try Self.engine(ValidationRules()).validate(members: members, meters: meters)
        // Sellers can deliver 501 + 501 = 1002, the buyer 1001: sellers scaled 1001·501/1002 = 500.5 each →
        // floors 500, 500, equal remainders, the extra Wh to 0x…0a.
        #expect(result.members.map(\.delivered) == [[501], [500], [1001]])
    }

    @Test func deliveriesEntriesAndCanonicalJSON() throws {
        let members = [
            Self.member(2, .buy, limit: 110, fills: [2000], price: 100),
            Self.member(1, .sell, limit: 80, fills: [2000], price: 100),
        ]
        let meters = Self.meters(["P1": (0, 2500), "P2": (1501, 0)])
        let engine = Self.engine(ValidationRules(buyerPenaltyPerKWh: 300, tolerancePerMille: 10))
        let result = try engine.validate(members: members, meters: meters)
        let entries = result.deliveriesEntries()
        #expect(entries.map(\.member) == [Self.address(1), Self.address(2)])
        #expect(entries[1].delivered == [1501] && entries[1].penalty == 69 && entries[1].fills == members[0].fills)
        // Same input in another order: same bytes.
        let again = try engine.validate(members: members.reversed(), meters: meters)
        #expect(again.canonicalJSON == result.canonicalJSON && again.canonicalHash == result.canonicalHash)
        // Keys sorted: "hourlySharedEnergyWh" first (min(2500, 1501) = 1501), then "members" by address.
        #expect(result.canonicalJSON.hasPrefix("{\"hourlySharedEnergyWh\":[\"1501\"],\"members\":[{\"address\":\"0x00"))
        #expect(result.canonicalJSON.contains("{\"address\":\"0x0000000000000000000000000000000000000001\""))
        #expect(result.canonicalJSON.contains("\"totals\":{\"buyerPayments\":\"151\",\"dust\":\"1\""))
    }

    @Test func refusesInputTheContractWouldRefuse() throws {
        let meters = Self.meters(["P1": (0, 0), "P2": (0, 0)])
        func rejected(_ members: [ValidationMember], slots: Int = 1) -> ValidationError? {
            do {
                _ = try ValidationEngine(slotCount: slots, sellerBondPerKWh: 0, rules: ValidationRules())
                    .validate(members: members, meters: meters)
                return nil
            } catch { return error }
        }
        var tooBig = Self.member(1, .sell, limit: 10, fills: [100], price: 10)
        tooBig.fills[0].quantityWh = 101
        #expect(rejected([tooBig])?.fill == 0)
        var abovelimit = Self.member(2, .buy, limit: 10, fills: [100], price: 10)
        abovelimit.fills[0].price = 11
        #expect(rejected([abovelimit])?.description.contains("wrong side of the limit") == true)
        var unknown = Self.member(1, .sell, limit: 10, fills: [100], price: 10)
        unknown.pod = "P9"
        #expect(rejected([unknown])?.description.contains("no meter data for POD P9") == true)
        let twice = Self.member(1, .sell, limit: 10, fills: [100], price: 10)
        #expect(rejected([twice, twice])?.description.contains("listed twice") == true)
        #expect(rejected([], slots: 2)?.description.contains("the meter day has 1 slots, the session 2") == true)
        // A seller priced above its buyer (a broken clearing): no Wh can balance, so the slot is
        // validated at 0 Wh — the session can still close, instead of reverting with
        // ValueImbalance forever.
        let seller = Self.member(1, .sell, limit: 10, fills: [1000], price: 20)
        let buyer = Self.member(2, .buy, limit: 20, fills: [1000], price: 15)
        let result = try Self.engine(ValidationRules()).validate(
            members: [seller, buyer], meters: Self.meters(["P1": (0, 1000), "P2": (1000, 0)]))
        #expect(result.slots[0].validatedWh == 0)
        #expect(result.totals.buyerPayments == 0 && result.totals.sellerReceipts == 0)
    }

    @Test func memberWithoutFillsIsValidated() throws {
        let idle = ValidationMember(address: Self.address(5), pod: "P5", orders: [], fills: [])
        let result = try Self.engine(ValidationRules()).validate(members: [idle], meters: Self.meters(["P5": (9, 9)]))
        #expect(result.members[0].delivered == [] && result.members[0].penalty == 0)
        #expect(result.deliveriesEntries().count == 1 && result.slots[0].sharedEnergyWh == 9)
    }
}

extension ValidationEngineTests {
    /// Shared energy is hourly: with quarter-hour slots the hour's totals are compared, not each quarter.
    @Test func sharedEnergyIsHourly() throws {
        // One hour, four quarters. A injects 400, 0, 0, 0; B withdraws 0, 100, 100, 100.
        let meters = MeterDay(
            dayStart: 0, slotLength: 900, slotCount: 4, withdrawalWh: ["A": [0, 0, 0, 0], "B": [0, 100, 100, 100]],
            injectionWh: ["A": [400, 0, 0, 0], "B": [0, 0, 0, 0]])
        let result = try ValidationEngine(slotCount: 4, sellerBondPerKWh: 0, rules: ValidationRules())
            .validate(members: [], meters: meters)
        // Per quarter min(400, 0), min(0, 100)… = 0 each; per hour min(400, 300) = 300.
        #expect(result.slots.map(\.sharedEnergyWh) == [0, 0, 0, 0])
        #expect(result.hourlySharedEnergyWh == [300] && result.totals.sharedEnergyWh == 300)
    }
}
