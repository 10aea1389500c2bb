import BigInt
import Chain
import Market
import Testing
import Validation

/// Random balanced sessions; the contract's rules recomputed independently on each result.
@Suite struct ValidationPropertyTests {
    struct Session {
        var members: [ValidationMember]
        var meters: MeterDay
        var slots: Int
        var bond: UInt64
        var rules: ValidationRules
        var generous: Bool
    }

    static func session(_ rng: inout SplitMix64) -> Session {
        let slots = Int.random(in: 1...4, using: &rng)
        let count = Int.random(in: 2...6, using: &rng)
        var orders = [[MarketOrder]](repeating: [], count: count)
        var fills = [[MarketFill]](repeating: [], count: count)
        let generous = Bool.random(using: &rng)
        for slot in 0..<slots {
            let price = UInt64.random(in: 1...300, using: &rng)
            // Members are sellers or buyers in this slot (clearing removes self-trades).
            let sellers = (0..<count).filter { _ in Bool.random(using: &rng) }
            let buyers = (0..<count).filter { !sellers.contains($0) }
            guard !sellers.isEmpty, !buyers.isEmpty else { continue }
            // One or two fills per seller; the total is shared out to buyers, one or two fills each.
            var total: UInt64 = 0
            for m in sellers {
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    let q = UInt64.random(in: 1...5000, using: &rng)
                    total += q
                    orders[m].append(
                        MarketOrder(
                            slot: UInt16(slot), side: .sell, quantityWh: q + UInt64.random(in: 0...100, using: &rng),
                            limitPrice: price - UInt64.random(in: 0...(price - 1), using: &rng)))
                    fills[m].append(MarketFill(orderIndex: UInt16(orders[m].count - 1), quantityWh: q, price: price))
                }
            }
            var shares = [UInt64](repeating: 0, count: buyers.count * 2)
            var left = total
            for k in shares.indices.dropLast() {
                shares[k] = .random(in: 0...left, using: &rng)
                left -= shares[k]
            }
            shares[shares.count - 1] = left
            for (k, q) in shares.enumerated() where q > 0 {
                let m = buyers[k / 2]
                orders[m].append(
                    MarketOrder(
                        slot: UInt16(slot), side: .buy, quantityWh: q,
                        limitPrice: price + UInt64.random(in: 0...50, using: &rng)))
                fills[m].append(MarketFill(orderIndex: UInt16(orders[m].count - 1), quantityWh: q, price: price))
            }
        }
        var withdrawal = [String: [UInt64]]()
        var injection = [String: [UInt64]]()
        var members = [ValidationMember]()
        for m in 0..<count {
            let pod = "P\(m)"
            var w = [UInt64](repeating: 0, count: slots)
            var i = [UInt64](repeating: 0, count: slots)
            for slot in 0..<slots {
                let filled = zip(fills[m], fills[m].map { orders[m][Int($0.orderIndex)] }).filter {
                    Int($0.1.slot) == slot
                }
                let sold = filled.filter { $0.1.side == .sell }.reduce(0) { $0 + $1.0.quantityWh }
                let bought = filled.filter { $0.1.side == .buy }.reduce(0) { $0 + $1.0.quantityWh }
                let extra = generous ? 0 : 2 * max(sold, bought) + 1
                i[slot] =
                    generous ? sold + UInt64.random(in: 0...500, using: &rng) : .random(in: 0...extra, using: &rng)
                w[slot] =
                    generous ? bought + UInt64.random(in: 0...500, using: &rng) : .random(in: 0...extra, using: &rng)
            }
            withdrawal[pod] = w
            injection[pod] = i
            var bytes = [UInt8](repeating: 0, count: 20)
            bytes[19 - m % 20] = UInt8(truncatingIfNeeded: UInt64.random(in: 1...255, using: &rng))
            bytes[0] = UInt8(m)
            members.append(
                ValidationMember(address: Address(unchecked: bytes), pod: pod, orders: orders[m], fills: fills[m]))
        }
        let rules = ValidationRules(
            sellerPenaltyPerKWh: .random(in: 0...2000, using: &rng),
            buyerPenaltyPerKWh: .random(in: 0...2000, using: &rng),
            toleranceWh: .random(in: 0...50, using: &rng), tolerancePerMille: .random(in: 0...100, using: &rng))
        let meters = MeterDay(
            dayStart: 0, slotLength: 3600, slotCount: slots, withdrawalWh: withdrawal, injectionWh: injection)
        return Session(
            members: members.shuffled(using: &rng), meters: meters, slots: slots,
            bond: .random(in: 0...500, using: &rng), rules: rules, generous: generous)
    }

    @Test func invariantsOnRandomSessions() throws {
        var rng = SplitMix64(seed: 20_261_025)
        var capped = 0
        var penalised = 0
        for _ in 0..<3000 {
            let s = Self.session(&rng)
            let result = try ValidationEngine(slotCount: s.slots, sellerBondPerKWh: s.bond, rules: s.rules)
                .validate(members: s.members, meters: s.meters)
            // Per slot and side: Σ own deliverable, recomputed from the meters.
            var deliverable = [[UInt64]](repeating: [0, 0], count: s.slots)
            var delivered = [[UInt64]](repeating: [0, 0], count: s.slots)
            var pay = BigUInt(0)
            var receive = BigUInt(0)
            for m in result.members {
                #expect(m.delivered.count == m.fills.count)
                var filled = [[UInt64]](repeating: [0, 0], count: s.slots)
                var locked = BigUInt(0)
                var memberPay = BigUInt(0)
                for (fill, d) in zip(m.fills, m.delivered) {
                    let order = m.orders[Int(fill.orderIndex)]
                    let side = Int(order.side.rawValue)
                    #expect(d <= fill.quantityWh)
                    filled[Int(order.slot)][side] += fill.quantityWh
                    delivered[Int(order.slot)][side] += d
                    // MarketMath.collateral: ceil(q · (buy ? limit : bond) / 1000).
                    locked +=
                        (BigUInt(fill.quantityWh) * BigUInt(order.side == .buy ? order.limitPrice : s.bond) + 999)
                        / 1000
                    if order.side == .buy {
                        memberPay += (BigUInt(d) * BigUInt(fill.price) + 999) / 1000
                    } else {
                        receive += BigUInt(d) * BigUInt(fill.price) / 1000
                    }
                }
                for slot in 0..<s.slots {
                    deliverable[slot][0] += min(filled[slot][0], s.meters.withdrawalWh[m.pod]![slot])
                    deliverable[slot][1] += min(filled[slot][1], s.meters.injectionWh[m.pod]![slot])
                }
                #expect(m.locked == locked && m.pay == memberPay)
                #expect(m.penalty <= locked - memberPay)
                capped += m.penaltyCapped ? 1 : 0
                penalised += m.penalty > 0 ? 1 : 0
                if s.generous {
                    #expect(m.shortfallWh == 0 && m.penalty == 0 && m.delivered == m.fills.map(\.quantityWh))
                }
                pay += memberPay
            }
            for slot in 0..<s.slots {
                // Balanced, and the whole of the short side validated.
                #expect(delivered[slot][0] == delivered[slot][1])
                #expect(delivered[slot][0] == min(deliverable[slot][0], deliverable[slot][1]))
                #expect(result.slots[slot].validatedWh == delivered[slot][0])
            }
            // One price per slot: buyers' ceilings cover sellers' floors.
            #expect(pay >= receive && result.totals.buyerPayments == pay && result.totals.sellerReceipts == receive)
        }
        // The sessions exercise the cap and the penalties, not only the easy cases.
        #expect(capped > 100 && penalised > 1000, "capped \(capped), penalised \(penalised)")
    }
}
