import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// `cer-run audit`'s pure comparison functions: invariants, clearing and validation comparisons.
@Suite struct AuditComparisonTests {

    static let a = Address(unchecked: [UInt8](repeating: 0x0a, count: 20))
    static let b = Address(unchecked: [UInt8](repeating: 0x0b, count: 20))
    static let s = Address(unchecked: [UInt8](repeating: 0x0c, count: 20))
    /// a buys 1000 Wh at ≤ 150 in slot 2 and 500 Wh at ≤ 90 in slot 3; b buys 800 at ≤ 130 in
    /// slot 2; s sells 2000 at ≥ 100 in slot 2.
    static let book = [
        RevealedMember(
            address: a,
            orders: [
                MarketOrder(slot: 2, side: .buy, quantityWh: 1_000, limitPrice: 150),
                MarketOrder(slot: 3, side: .buy, quantityWh: 500, limitPrice: 90),
            ]),
        RevealedMember(address: b, orders: [MarketOrder(slot: 2, side: .buy, quantityWh: 800, limitPrice: 130)]),
        RevealedMember(address: s, orders: [MarketOrder(slot: 2, side: .sell, quantityWh: 2_000, limitPrice: 100)]),
    ]

    @Test func fillsWithinLimitsAndBalancedSlotsPassTheInvariants() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
            Self.b: [MarketFill(orderIndex: 0, quantityWh: 800, price: 120)],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_800, price: 120)],
        ]
        #expect(InvariantAudit.clearing(book: Self.book, fills: fills, final: true) == [])
    }

    @Test func aPriceAboveABuyLimitAndAnUnbalancedSlotAreInvariantViolations() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 140)],
            Self.b: [MarketFill(orderIndex: 0, quantityWh: 900, price: 140)],  // above 800 and above 130
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_800, price: 140)],
        ]
        let findings = InvariantAudit.clearing(book: Self.book, fills: fills, final: true)
        #expect(
            findings == [
                .invariant(
                    InvariantViolation(
                        .fillExceedsOrder, member: Self.b, orderIndex: 0, slot: 2, side: .buy, value: 900, bound: 800)),
                .invariant(
                    InvariantViolation(
                        .fillAboveLimit, member: Self.b, orderIndex: 0, slot: 2, side: .buy, value: 140, bound: 130)),
                .invariant(InvariantViolation(.slotUnbalanced, slot: 2, value: 1_900, bound: 1_800)),
            ])
        #expect(
            findings[1].description
                == "member \(Self.b) order 0 (slot 2, buy): buy fill priced 140, above the limit 130")
        #expect(findings[2].description == "slot 2: buy fills total 1900 Wh, sell fills 1800 Wh")
        // Before finalization the slot balance and missing members are not yet checked.
        #expect(InvariantAudit.clearing(book: Self.book, fills: fills, final: false).count == 2)
    }

    @Test func sellBelowLimitUnknownOrderAndMissingMembersAreReported() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [
                MarketFill(orderIndex: 1, quantityWh: 10, price: 80),
                MarketFill(orderIndex: 1, quantityWh: 5, price: 80),
            ],
            Self.s: [
                MarketFill(orderIndex: 0, quantityWh: 10, price: 95),
                MarketFill(orderIndex: 4, quantityWh: 1, price: 95),
            ],
        ]
        let findings = InvariantAudit.clearing(book: Self.book, fills: fills, final: false)
        #expect(
            findings == [
                .invariant(InvariantViolation(.fillsOutOfOrder, member: Self.a, value: 1, bound: 1)),
                .invariant(
                    InvariantViolation(
                        .fillBelowLimit, member: Self.s, orderIndex: 0, slot: 2, side: .sell, value: 95, bound: 100)),
                .invariant(InvariantViolation(.fillWithoutOrder, member: Self.s, value: 4, bound: 1)),
            ])
        let final = InvariantAudit.clearing(book: Self.book, fills: fills, final: true)
        #expect(final.contains(.invariant(InvariantViolation(.revealedNotCleared, member: Self.b))))
    }

    @Test func settlementInvariants() {
        let fills: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
        ]
        // a pays ceil(999 × 120 / 1000) = 120 (119.88), s is owed floor(…) = 119: dust 1.
        let honest: [Address: MemberValidationFigures] = [
            Self.a: MemberValidationFigures(member: Self.a, delivered: [999], paid: 120, receivable: 0, penalty: 0),
            Self.s: MemberValidationFigures(member: Self.s, delivered: [999], paid: 0, receivable: 119, penalty: 0),
        ]
        let settled = InvariantAudit.Settlement(
            validated: honest, dust: 1, executed: [Self.s: 119], state: .settled, pool: 0)
        #expect(InvariantAudit.settlement(book: Self.book, fills: fills, sellerBondPerKWh: 50, settled) == [])

        var broken = honest
        broken[Self.a]?.delivered = [1_001]  // above the fill
        broken[Self.a]?.penalty = 100  // locked ceil(1000 × 150 / 1000) = 150, paid 120: room 30
        broken[Self.s]?.receivable = 125
        let findings = InvariantAudit.settlement(
            book: Self.book, fills: fills, sellerBondPerKWh: 50,
            .init(validated: broken, dust: 1, executed: [Self.s: 119], state: .settled, pool: 6))
        #expect(
            Set(findings) == [
                .invariant(
                    InvariantViolation(
                        .deliveredExceedsFill, member: Self.a, orderIndex: 0, slot: 2, side: .buy, value: 1_001,
                        bound: 1_000)),
                .invariant(InvariantViolation(.paidMismatch, member: Self.a, value: 120, bound: 121)),
                .invariant(InvariantViolation(.penaltyAboveLocked, member: Self.a, value: 100, bound: 30)),
                .invariant(InvariantViolation(.receivableMismatch, member: Self.s, value: 125, bound: 119)),
                .invariant(InvariantViolation(.deliveriesUnbalanced, slot: 2, value: 1_001, bound: 999)),
                .invariant(InvariantViolation(.conservation, value: 120, bound: 126)),
                .invariant(InvariantViolation(.executedMismatch, member: Self.s, value: 119, bound: 125)),
                .invariant(InvariantViolation(.poolNotEmpty, value: 6)),
            ], "\(findings.map(\.description))")
    }

    @Test func clearingComparisonNamesMemberOrderAndBothAmounts() {
        let published: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
            Self.b: [],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
        ]
        let recomputed: [Address: [MarketFill]] = [
            Self.a: [MarketFill(orderIndex: 0, quantityWh: 600, price: 120)],
            Self.b: [MarketFill(orderIndex: 0, quantityWh: 400, price: 120)],
            Self.s: [MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120)],
        ]
        let findings = ClearingAudit.compare(
            book: Self.book, published: published, recomputed: recomputed, publishedPrices: [0, 0, 120, 0],
            recomputedPrices: [0, 0, 125, 0])
        #expect(
            findings == [
                .fill(
                    FillDivergence(
                        member: Self.a, orderIndex: 0, slot: 2, side: .buy,
                        published: MarketFill(orderIndex: 0, quantityWh: 1_000, price: 120),
                        recomputed: MarketFill(orderIndex: 0, quantityWh: 600, price: 120))),
                .fill(
                    FillDivergence(
                        member: Self.b, orderIndex: 0, slot: 2, side: .buy, published: nil,
                        recomputed: MarketFill(orderIndex: 0, quantityWh: 400, price: 120))),
                .slotPrice(slot: 2, published: 120, recomputed: 125),
            ])
        #expect(
            findings[1].description
                == "fill of member \(Self.b) order 0 (slot 2, buy): published no fill, recomputed 400 Wh at 120")
        #expect(findings[0].json["published"]?["quantityWh"] == .string("1000"))
        #expect(
            ClearingAudit.compare(
                book: Self.book, published: recomputed, recomputed: recomputed, publishedPrices: nil,
                recomputedPrices: [1]) == [])
    }

    @Test func validationComparisonNamesEachFigure() {
        let fills: [Address: [MarketFill]] = [Self.a: [MarketFill(orderIndex: 1, quantityWh: 500, price: 80)]]
        let published = [
            Self.a: MemberValidationFigures(member: Self.a, delivered: [400], paid: 32, receivable: 0, penalty: 5)
        ]
        let recomputed = [
            Self.a: MemberValidationFigures(member: Self.a, delivered: [450], paid: 36, receivable: 0, penalty: 5),
            Self.b: MemberValidationFigures(member: Self.b, delivered: [10], paid: 1, receivable: 0, penalty: 0),
        ]
        let findings = ValidationAudit.compare(
            published: published, recomputed: recomputed, book: Self.book, fills: fills)
        #expect(
            findings == [
                .validation(
                    ValidationDivergence(
                        member: Self.a, figure: .delivered(orderIndex: 1, slot: 3, side: .buy), published: 400,
                        recomputed: 450)),
                .validation(ValidationDivergence(member: Self.a, figure: .pay, published: 32, recomputed: 36)),
                .validation(ValidationDivergence(member: Self.b, figure: .member, published: nil, recomputed: 10)),
            ])
        #expect(
            findings[0].description
                == "validation of member \(Self.a), delivered Wh of order 1 (slot 3, buy): published 400, recomputed 450"
        )
    }
}
