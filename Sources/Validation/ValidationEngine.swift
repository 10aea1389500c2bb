import BigInt
import Chain
import Market

/// Turns fills and meter data into the validation publication. See docs/validation.md.
///
/// Per member, slot and side (sellers: injection, buyers: withdrawal):
/// 1. own deliverable D = min(Σ fills, metered) — the meter is shared by all the member's
///    fills of that slot and side, never counted once per fill;
/// 2. per slot, validated volume V = min(Σ sellers' D, Σ buyers' D); the long side's D are
///    scaled down to V by `LargestRemainder.split` (members ordered by address), so bought ==
///    sold in every slot as `finalizeValidation` requires; a slot whose fills carry different
///    prices is validated by price priority instead (`PricePriority.swift`), so buyers' payments
///    always cover what sellers are owed;
/// 3. each member's validated quantity is split over its fills of that slot and side pro rata
///    to their quantities by the same rule (ties to the lower fill index): delivered ≤ fill;
/// 4. shortfall = Σ fills − D (own fault only; `ValidationRules.Attribution`), chargeable =
///    shortfall beyond the tolerance; penalty = floor(Σ chargeable · rate / 1000) for the
///    member (in its favour), capped at locked − pay exactly as `_validateMember` checks.
public struct ValidationEngine: Sendable {
    public var slotCount: Int
    public var sellerBondPerKWh: UInt64
    public var rules: ValidationRules

    public init(slotCount: Int, sellerBondPerKWh: UInt64, rules: ValidationRules) {
        self.slotCount = slotCount
        self.sellerBondPerKWh = sellerBondPerKWh
        self.rules = rules
    }

    /// One member's fills of one slot and side.
    struct Position {
        var member: Int
        var side: OrderSide
        var slot: Int
        var fills: [Int] = []
        var filledWh: UInt64 = 0
        var deliverableWh: UInt64 = 0
        var validatedWh: UInt64 = 0
        /// Validated Wh per fill when the slot was validated by price (see `PricePriority`).
        var fillValidated: [Int: UInt64] = [:]
        var byPrice = false
    }

    /// Validates `members` against `meters`. Members are returned sorted by address.
    public func validate(members input: [ValidationMember], meters: MeterDay) throws(ValidationError)
        -> ValidationResult
    {
        let members = input.sorted { $0.address < $1.address }
        try checkInput(members, meters: meters)
        // Positions, keyed by member, slot, side.
        var positions = [Position]()
        var index = [Int: Int]()
        for (m, member) in members.enumerated() {
            for (f, fill) in member.fills.enumerated() {
                let order = member.orders[Int(fill.orderIndex)]
                let key = (m * slotCount + Int(order.slot)) * 2 + Int(order.side.rawValue)
                if index[key] == nil {
                    index[key] = positions.count
                    positions.append(Position(member: m, side: order.side, slot: Int(order.slot)))
                }
                positions[index[key]!].fills.append(f)
                positions[index[key]!].filledWh += fill.quantityWh
            }
        }
        // Own deliverable.
        for p in positions.indices {
            let pod = members[positions[p].member].pod
            let slot = positions[p].slot
            let metered =
                positions[p].side == .sell
                ? meters.injection(pod: pod, slot: slot)! : meters.withdrawal(pod: pod, slot: slot)!
            positions[p].deliverableWh = min(positions[p].filledWh, metered)
        }
        // Per slot: validated volume, the long side scaled down to it. Positions are in member
        // (address) order, so each side's list is too.
        var slots = [SlotValidation]()
        let bySlot = Dictionary(grouping: positions.indices, by: { positions[$0].slot })
        for slot in 0..<slotCount {
            let here = bySlot[slot] ?? []
            let sells = here.filter { positions[$0].side == .sell }
            let buys = here.filter { positions[$0].side == .buy }
            let sellable = sells.reduce(UInt64(0)) { $0 + positions[$1].deliverableWh }
            let buyable = buys.reduce(UInt64(0)) { $0 + positions[$1].deliverableWh }
            var volume = min(sellable, buyable)
            if needsPricePriority(here, positions: positions, members: members) {
                for p in here { positions[p].byPrice = true }
                volume = validateByPrice(
                    sells: sells, buys: buys, volume: volume, positions: &positions, members: members)
            } else {
                for side in [sells, buys] {
                    let shares = LargestRemainder.split(volume, weights: side.map { positions[$0].deliverableWh })
                    for (p, share) in zip(side, shares) { positions[p].validatedWh = share }
                }
            }
            slots.append(
                slotSummary(
                    slot, meters: meters, positions: here.map { positions[$0] }, sellable: sellable, buyable: buyable,
                    volume: volume))
        }
        // Per member: split over fills, money, penalty.
        var results = [MemberValidation]()
        let byMember = Dictionary(grouping: positions, by: \.member)
        for (m, member) in members.enumerated() {
            results.append(try memberResult(member, positions: byMember[m] ?? []))
        }
        let result = ValidationResult(members: results, slots: slots, slotLength: meters.slotLength)
        try checkInvariants(result)
        return result
    }

    func slotSummary(
        _ slot: Int, meters: MeterDay, positions: [Position], sellable: UInt64, buyable: UInt64, volume: UInt64
    ) -> SlotValidation {
        let injection = meters.injectionWh.values.reduce(BigUInt(0)) { $0 + BigUInt($1[slot]) }
        let withdrawal = meters.withdrawalWh.values.reduce(BigUInt(0)) { $0 + BigUInt($1[slot]) }
        return SlotValidation(
            slot: slot, soldWh: positions.filter { $0.side == .sell }.reduce(0) { $0 + $1.filledWh },
            boughtWh: positions.filter { $0.side == .buy }.reduce(0) { $0 + $1.filledWh },
            sellerDeliverableWh: sellable, buyerDeliverableWh: buyable, validatedWh: volume,
            injectionWh: injection, withdrawalWh: withdrawal, sharedEnergyWh: min(injection, withdrawal))
    }

    func memberResult(_ member: ValidationMember, positions: [Position]) throws(ValidationError) -> MemberValidation {
        var delivered = [UInt64](repeating: 0, count: member.fills.count)
        var shortfall = (sell: UInt64(0), buy: UInt64(0))
        var chargeable = (sell: UInt64(0), buy: UInt64(0))
        for position in positions {
            if position.byPrice {
                for f in position.fills { delivered[f] = position.fillValidated[f] ?? 0 }
            } else {
                let shares = LargestRemainder.split(
                    position.validatedWh, weights: position.fills.map { member.fills[$0].quantityWh })
                for (f, share) in zip(position.fills, shares) { delivered[f] = share }
            }
            let missing =
                position.filledWh
                - (rules.attribution == .ownMeter ? position.deliverableWh : position.validatedWh)
            let charged = missing - min(missing, rules.tolerance(filledWh: position.filledWh))
            if position.side == .sell {
                shortfall.sell += missing
                chargeable.sell += charged
            } else {
                shortfall.buy += missing
                chargeable.buy += charged
            }
        }
        var locked = BigUInt(0)
        var pay = BigUInt(0)
        var receive = BigUInt(0)
        for (f, fill) in member.fills.enumerated() {
            let order = member.orders[Int(fill.orderIndex)]
            locked += MarketOrder(
                slot: order.slot, side: order.side, quantityWh: fill.quantityWh, limitPrice: order.limitPrice
            ).collateral(sellerBondPerKWh: sellerBondPerKWh)
            if order.side == .buy {
                pay += MarketMoney.buyerPays(wh: delivered[f], price: fill.price)
            } else {
                receive += MarketMoney.sellerReceives(wh: delivered[f], price: fill.price)
            }
        }
        guard pay <= locked else {
            throw ValidationError(
                .input, member: member.address, "pays \(pay) but locks only \(locked)",
                hint: "a buyer fill priced above its order's limit")
        }
        let uncapped =
            (BigUInt(chargeable.sell) * BigUInt(rules.sellerPenaltyPerKWh) + BigUInt(chargeable.buy)
                * BigUInt(rules.buyerPenaltyPerKWh)) / 1000
        let cap = locked - pay
        return MemberValidation(
            address: member.address, pod: member.pod, orders: member.orders, fills: member.fills,
            delivered: delivered, sellerShortfallWh: shortfall.sell, buyerShortfallWh: shortfall.buy,
            sellerChargeableWh: chargeable.sell, buyerChargeableWh: chargeable.buy, locked: locked, pay: pay,
            receive: receive, uncappedPenalty: uncapped, penalty: min(uncapped, cap))
    }
}
