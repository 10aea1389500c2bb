import BigInt
import Chain
import Market

/// The rules the published results must satisfy whatever the clearing plugin and the meter
/// data: what the contract checks (and what `cer-run run`'s report checks), re-checked from the
/// events alone.
public enum InvariantAudit {
    /// Published fills against the revealed orders: each fill names a revealed order (indices
    /// strictly increasing), is at most its quantity and within its limit (buy: price ≤ limit,
    /// sell: price ≥ limit). With `final` (clearing finalized): every revealed member is
    /// cleared and every slot's buy fills equal its sell fills.
    public static func clearing(
        book: [RevealedMember], fills: [Address: [MarketFill]], final: Bool
    ) -> [AuditFinding] {
        var findings = [InvariantViolation]()
        let orders = Dictionary(book.map { ($0.address, $0.orders) }, uniquingKeysWith: { a, _ in a })
        var bought = [Int: BigUInt]()
        var sold = [Int: BigUInt]()
        let known = Set(book.map(\.address))
        for member in book.map(\.address) + Set(fills.keys).subtracting(known).sorted() {
            guard let memberFills = fills[member] else {
                if final { findings.append(InvariantViolation(.revealedNotCleared, member: member)) }
                continue
            }
            guard let memberOrders = orders[member] else {
                findings.append(InvariantViolation(.clearedWithoutReveal, member: member))
                continue
            }
            var previous: Int?
            for fill in memberFills {
                let index = Int(fill.orderIndex)
                if let previous, index <= previous {
                    findings.append(
                        InvariantViolation(
                            .fillsOutOfOrder, member: member, value: BigUInt(index), bound: BigUInt(previous)))
                }
                previous = index
                guard index < memberOrders.count else {
                    findings.append(
                        InvariantViolation(
                            .fillWithoutOrder, member: member, value: BigUInt(index),
                            bound: BigUInt(memberOrders.count)))
                    continue
                }
                let order = memberOrders[index]
                let slot = Int(order.slot)
                func violation(_ rule: InvariantViolation.Rule, _ value: UInt64, _ bound: UInt64) {
                    findings.append(
                        InvariantViolation(
                            rule, member: member, orderIndex: index, slot: slot, side: order.side,
                            value: BigUInt(value), bound: BigUInt(bound)))
                }
                if fill.quantityWh > order.quantityWh {
                    violation(.fillExceedsOrder, fill.quantityWh, order.quantityWh)
                }
                if order.side == .buy {
                    if fill.price > order.limitPrice { violation(.fillAboveLimit, fill.price, order.limitPrice) }
                    bought[slot, default: 0] += BigUInt(fill.quantityWh)
                } else {
                    if fill.price < order.limitPrice { violation(.fillBelowLimit, fill.price, order.limitPrice) }
                    sold[slot, default: 0] += BigUInt(fill.quantityWh)
                }
            }
        }
        if final {
            for slot in Set(bought.keys).union(sold.keys).sorted() where bought[slot] ?? 0 != sold[slot] ?? 0 {
                findings.append(
                    InvariantViolation(.slotUnbalanced, slot: slot, value: bought[slot] ?? 0, bound: sold[slot] ?? 0))
            }
        }
        return findings.map { .invariant($0) }
    }

    /// What the chain's settlement must satisfy.
    public struct Settlement: Sendable, Hashable {
        /// `MemberValidated` by member.
        public var validated: [Address: MemberValidationFigures]
        /// `ValidationPublished`'s dust; nil: validation not finalized.
        public var dust: BigUInt?
        /// `Executed` amounts by member.
        public var executed: [Address: BigUInt]
        /// The session's state and pool (`getSession`).
        public var state: SessionState
        public var pool: BigUInt

        public init(
            validated: [Address: MemberValidationFigures], dust: BigUInt?, executed: [Address: BigUInt],
            state: SessionState, pool: BigUInt
        ) {
            self.validated = validated
            self.dust = dust
            self.executed = executed
            self.state = state
            self.pool = pool
        }
    }

    /// Published validation against the published fills: one delivered figure per fill, each
    /// at most its fill; paid and receivable exactly the contract's rounding of delivered ×
    /// price; each penalty within what the member still had locked; once validation is final,
    /// every cleared member validated, deliveries balanced per slot and Σ paid = Σ receivable +
    /// dust; every settled member paid exactly its receivable; a settled session's pool empty.
    public static func settlement(
        book: [RevealedMember], fills: [Address: [MarketFill]], sellerBondPerKWh: UInt64, _ s: Settlement
    ) -> [AuditFinding] {
        var findings = [InvariantViolation]()
        let orders = Dictionary(book.map { ($0.address, $0.orders) }, uniquingKeysWith: { a, _ in a })
        var bought = [Int: BigUInt]()
        var sold = [Int: BigUInt]()
        let final = s.dust != nil
        for member in s.validated.keys.sorted() {
            guard let v = s.validated[member] else { continue }
            guard let memberFills = fills[member] else {
                findings.append(InvariantViolation(.validatedNotCleared, member: member))
                continue
            }
            guard v.delivered.count == memberFills.count else {
                findings.append(
                    InvariantViolation(
                        .deliveredCount, member: member, value: BigUInt(v.delivered.count),
                        bound: BigUInt(memberFills.count)))
                continue
            }
            let memberOrders = orders[member] ?? []
            var paid = BigUInt(0)
            var receivable = BigUInt(0)
            var locked = BigUInt(0)
            for (fill, delivered) in zip(memberFills, v.delivered) {
                let index = Int(fill.orderIndex)
                guard index < memberOrders.count else { continue }  // reported by `clearing`
                let order = memberOrders[index]
                let slot = Int(order.slot)
                if delivered > fill.quantityWh {
                    findings.append(
                        InvariantViolation(
                            .deliveredExceedsFill, member: member, orderIndex: index, slot: slot, side: order.side,
                            value: BigUInt(delivered), bound: BigUInt(fill.quantityWh)))
                }
                if order.side == .buy {
                    paid += MarketMoney.buyerPays(wh: delivered, price: fill.price)
                    locked += MarketMoney.ceilDiv1000(BigUInt(fill.quantityWh) * BigUInt(order.limitPrice))
                    bought[slot, default: 0] += BigUInt(delivered)
                } else {
                    receivable += MarketMoney.sellerReceives(wh: delivered, price: fill.price)
                    locked += MarketMoney.ceilDiv1000(BigUInt(fill.quantityWh) * BigUInt(sellerBondPerKWh))
                    sold[slot, default: 0] += BigUInt(delivered)
                }
            }
            if v.paid != paid {
                findings.append(InvariantViolation(.paidMismatch, member: member, value: v.paid, bound: paid))
            }
            if v.receivable != receivable {
                findings.append(
                    InvariantViolation(.receivableMismatch, member: member, value: v.receivable, bound: receivable))
            }
            let room = locked > v.paid ? locked - v.paid : 0
            if v.penalty > room {
                findings.append(InvariantViolation(.penaltyAboveLocked, member: member, value: v.penalty, bound: room))
            }
        }
        if final, let dust = s.dust {
            for member in book.map(\.address) where fills[member] != nil && s.validated[member] == nil {
                findings.append(InvariantViolation(.clearedNotValidated, member: member))
            }
            for slot in Set(bought.keys).union(sold.keys).sorted() where bought[slot] ?? 0 != sold[slot] ?? 0 {
                findings.append(
                    InvariantViolation(
                        .deliveriesUnbalanced, slot: slot, value: bought[slot] ?? 0, bound: sold[slot] ?? 0))
            }
            let totalPaid = s.validated.values.reduce(BigUInt(0)) { $0 + $1.paid }
            let totalOwed = s.validated.values.reduce(BigUInt(0)) { $0 + $1.receivable }
            if totalPaid != totalOwed + dust {
                findings.append(InvariantViolation(.conservation, value: totalPaid, bound: totalOwed + dust))
            }
        }
        for member in s.executed.keys.sorted() {
            let amount = s.executed[member] ?? 0
            let owed = s.validated[member]?.receivable
            if owed != amount {
                findings.append(InvariantViolation(.executedMismatch, member: member, value: amount, bound: owed ?? 0))
            }
        }
        if s.state == .settled, s.pool != 0 { findings.append(InvariantViolation(.poolNotEmpty, value: s.pool)) }
        return findings.map { .invariant($0) }
    }
}
