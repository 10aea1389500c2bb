import BigInt
import Chain
import Market

extension ValidationEngine {
    /// Rejects input the contract would reject, or that validation cannot read.
    func checkInput(_ members: [ValidationMember], meters: MeterDay) throws(ValidationError) {
        guard meters.slotCount == slotCount else {
            throw ValidationError(
                .input, "the meter day has \(meters.slotCount) slots, the session \(slotCount)",
                hint: "aggregate the meter data with the session's slot count and length")
        }
        var pods = [String: Address]()
        for (k, member) in members.enumerated() {
            if k > 0, members[k - 1].address == member.address {
                throw ValidationError(.input, member: member.address, "the member is listed twice")
            }
            if let other = pods[member.pod] {
                throw ValidationError(
                    .input, member: member.address, "POD \(member.pod) is also the POD of \(other.checksummed)",
                    hint: "each member has its own POD")
            }
            pods[member.pod] = member.address
            guard meters.withdrawalWh[member.pod] != nil else {
                throw ValidationError(
                    .input, member: member.address, "no meter data for POD \(member.pod)",
                    hint: "aggregate the meter data with every member's POD")
            }
            var next = 0
            for (f, fill) in member.fills.enumerated() {
                let index = Int(fill.orderIndex)
                guard index >= next, index < member.orders.count else {
                    throw ValidationError(
                        .input, member: member.address, fill: f,
                        "order index \(index) out of range (\(member.orders.count) orders) or not increasing")
                }
                next = index + 1
                let order = member.orders[index]
                guard Int(order.slot) < slotCount else {
                    throw ValidationError(
                        .input, member: member.address, fill: f, slot: Int(order.slot),
                        "the order's slot is beyond the session's \(slotCount) slots")
                }
                guard fill.quantityWh > 0, fill.quantityWh <= order.quantityWh else {
                    throw ValidationError(
                        .input, member: member.address, fill: f,
                        "fill of \(fill.quantityWh) Wh for an order of \(order.quantityWh) Wh (must be 1…order)")
                }
                guard order.side == .buy ? fill.price <= order.limitPrice : fill.price >= order.limitPrice else {
                    throw ValidationError(
                        .input, member: member.address, fill: f,
                        "fill price \(fill.price) is on the wrong side of the limit \(order.limitPrice)")
                }
            }
        }
        // Slot totals must fit the contract's int64 slot net (and so every UInt64 sum here).
        var totals = [Int: BigUInt]()
        for member in members {
            for fill in member.fills {
                let order = member.orders[Int(fill.orderIndex)]
                totals[Int(order.slot) * 2 + Int(order.side.rawValue), default: 0] += BigUInt(fill.quantityWh)
            }
        }
        if let (key, _) = totals.first(where: { $0.value > BigUInt(Int64.max) }) {
            throw ValidationError(
                .input, slot: key / 2, "the slot's fills exceed 2^63 − 1 Wh (the contract's slot net)")
        }
    }

    /// The rules the contract enforces, re-checked on the result: a failure is a bug.
    func checkInvariants(_ result: ValidationResult) throws(ValidationError) {
        var net = [BigInt](repeating: 0, count: slotCount)
        for member in result.members {
            for (f, fill) in member.fills.enumerated() {
                let order = member.orders[Int(fill.orderIndex)]
                guard member.delivered[f] <= fill.quantityWh else {
                    throw ValidationError(
                        .invariant, member: member.address, fill: f,
                        "delivered \(member.delivered[f]) Wh > fill \(fill.quantityWh) Wh")
                }
                net[Int(order.slot)] += order.side == .buy ? BigInt(member.delivered[f]) : -BigInt(member.delivered[f])
            }
            guard member.penalty <= member.locked - member.pay else {
                throw ValidationError(
                    .invariant, member: member.address, "penalty \(member.penalty) > locked − pay")
            }
        }
        if let slot = net.firstIndex(where: { $0 != 0 }) {
            throw ValidationError(.invariant, slot: slot, "delivered Wh bought and sold differ by \(net[slot])")
        }
        for slot in result.slots {
            let bought = result.members.reduce(UInt64(0)) { total, member in
                zip(member.fills, member.delivered).reduce(total) { sum, pair in
                    let order = member.orders[Int(pair.0.orderIndex)]
                    return Int(order.slot) == slot.slot && order.side == .buy ? sum + pair.1 : sum
                }
            }
            guard bought == slot.validatedWh else {
                throw ValidationError(
                    .invariant, slot: slot.slot, "validated \(slot.validatedWh) Wh, delivered \(bought)")
            }
        }
        let totals = result.totals
        guard totals.buyerPayments >= totals.sellerReceipts else {
            throw ValidationError(
                .input, "buyers pay \(totals.buyerPayments), sellers are owed \(totals.sellerReceipts)",
                hint: "finalizeValidation would revert (ValueImbalance): a seller fill priced above a buyer fill")
        }
    }
}
