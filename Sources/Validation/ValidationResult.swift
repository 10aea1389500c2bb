import BigInt
import Chain
import Market

/// One member's validated deliveries, and the money the contract will move for it.
public struct MemberValidation: Sendable, Hashable {
    public var address: Address
    public var pod: String
    public var orders: [MarketOrder]
    public var fills: [MarketFill]
    /// Validated Wh per fill, aligned with `fills` (each ≤ its fill).
    public var delivered: [UInt64]
    /// Σ over slots of Σ sell fills − own deliverable (or − validated, per the attribution).
    public var sellerShortfallWh: UInt64
    /// The same for buy fills.
    public var buyerShortfallWh: UInt64
    /// Shortfall beyond the tolerance, the base of the penalty.
    public var sellerChargeableWh: UInt64
    public var buyerChargeableWh: UInt64
    /// Σ collateral of the fills (`MarketMath.collateral` at the fill quantity).
    public var locked: BigUInt
    /// Σ over buy fills ceil(delivered · price / 1000), into the session pool.
    public var pay: BigUInt
    /// Σ over sell fills floor(delivered · price / 1000), paid at settlement.
    public var receive: BigUInt
    /// floor((sellerChargeableWh · sellerRate + buyerChargeableWh · buyerRate) / 1000).
    public var uncappedPenalty: BigUInt
    /// min(uncappedPenalty, locked − pay): what is published.
    public var penalty: BigUInt

    public init(
        address: Address, pod: String, orders: [MarketOrder], fills: [MarketFill], delivered: [UInt64],
        sellerShortfallWh: UInt64, buyerShortfallWh: UInt64, sellerChargeableWh: UInt64, buyerChargeableWh: UInt64,
        locked: BigUInt, pay: BigUInt, receive: BigUInt, uncappedPenalty: BigUInt, penalty: BigUInt
    ) {
        self.address = address
        self.pod = pod
        self.orders = orders
        self.fills = fills
        self.delivered = delivered
        self.sellerShortfallWh = sellerShortfallWh
        self.buyerShortfallWh = buyerShortfallWh
        self.sellerChargeableWh = sellerChargeableWh
        self.buyerChargeableWh = buyerChargeableWh
        self.locked = locked
        self.pay = pay
        self.receive = receive
        self.uncappedPenalty = uncappedPenalty
        self.penalty = penalty
    }

    /// Total shortfall, both sides.
    public var shortfallWh: UInt64 { sellerShortfallWh + buyerShortfallWh }

    /// True when the cap cut the penalty.
    public var penaltyCapped: Bool { penalty < uncappedPenalty }
}

/// One slot: the market's validated volume next to the community's metered energy.
public struct SlotValidation: Sendable, Hashable {
    public var slot: Int
    /// Σ sell fills and Σ buy fills (equal after a balanced clearing).
    public var soldWh: UInt64
    public var boughtWh: UInt64
    /// Σ sellers' and buyers' own deliverable.
    public var sellerDeliverableWh: UInt64
    public var buyerDeliverableWh: UInt64
    /// min of the two: delivered Wh on each side.
    public var validatedWh: UInt64
    /// Σ injection and Σ withdrawal of every POD of the meter day.
    public var injectionWh: BigUInt
    public var withdrawalWh: BigUInt
    /// min(injection, withdrawal) in this slot. The CER's shared energy (energia condivisa)
    /// is hourly: with 15-minute slots use `ValidationResult.hourlySharedEnergyWh`.
    public var sharedEnergyWh: BigUInt
}

/// Session totals.
public struct ValidationTotals: Sendable, Hashable {
    public var validatedWh: BigUInt
    /// Σ of the hourly shared energy.
    public var sharedEnergyWh: BigUInt
    public var buyerPayments: BigUInt
    public var sellerReceipts: BigUInt
    public var penalties: BigUInt
    /// buyerPayments − sellerReceipts: the rounding dust (and pay-as-bid spread) the
    /// contract sends to the treasury at `finalizeValidation`.
    public var dust: BigUInt { buyerPayments >= sellerReceipts ? buyerPayments - sellerReceipts : 0 }
}

/// The validation of a session: per member, per slot, totals.
public struct ValidationResult: Sendable, Hashable {
    /// Sorted by address.
    public var members: [MemberValidation]
    public var slots: [SlotValidation]
    /// Slot length in seconds (3600 or 900).
    public var slotLength: Int64

    public init(members: [MemberValidation], slots: [SlotValidation], slotLength: Int64 = 3600) {
        self.members = members
        self.slots = slots
        self.slotLength = slotLength
    }

    /// The CER's shared energy per hour of the day: min(Σ injection, Σ withdrawal) over each
    /// hour's slots (one slot per hour, or four quarter hours; a trailing part-hour on its own).
    public var hourlySharedEnergyWh: [BigUInt] {
        let perHour = max(1, Int(3600 / max(1, slotLength)))
        return stride(from: 0, to: slots.count, by: perHour).map { first in
            let hour = slots[first..<min(first + perHour, slots.count)]
            return min(
                hour.reduce(BigUInt(0)) { $0 + $1.injectionWh }, hour.reduce(BigUInt(0)) { $0 + $1.withdrawalWh })
        }
    }

    public var totals: ValidationTotals {
        ValidationTotals(
            validatedWh: slots.reduce(BigUInt(0)) { $0 + BigUInt($1.validatedWh) },
            sharedEnergyWh: hourlySharedEnergyWh.reduce(BigUInt(0), +),
            buyerPayments: members.reduce(BigUInt(0)) { $0 + $1.pay },
            sellerReceipts: members.reduce(BigUInt(0)) { $0 + $1.receive },
            penalties: members.reduce(BigUInt(0)) { $0 + $1.penalty })
    }

    /// The `setValidTransactions` entries, in address order (chunk them as needed).
    public func deliveriesEntries() -> [MemberDeliveriesEntry] {
        members.map {
            MemberDeliveriesEntry(
                member: $0.address, orders: $0.orders, fills: $0.fills, delivered: $0.delivered, penalty: $0.penalty)
        }
    }

    /// The result as JSON: every amount a decimal string, addresses lowercase hex.
    public var json: JSONValue {
        func s<T: BinaryInteger>(_ v: T) -> JSONValue { .string(String(v)) }
        let totals = self.totals
        return [
            "version": "cer-validation/1",
            "members": .array(
                members.map { m in
                    [
                        "address": .string(m.address.hex), "pod": .string(m.pod),
                        "fills": .array(
                            m.fills.map {
                                [
                                    "orderIndex": .int(Int64($0.orderIndex)), "quantityWh": s($0.quantityWh),
                                    "price": s($0.price),
                                ]
                            }),
                        "delivered": .array(m.delivered.map { s($0) }),
                        "sellerShortfallWh": s(m.sellerShortfallWh), "buyerShortfallWh": s(m.buyerShortfallWh),
                        "sellerChargeableWh": s(m.sellerChargeableWh), "buyerChargeableWh": s(m.buyerChargeableWh),
                        "locked": s(m.locked), "pay": s(m.pay), "receive": s(m.receive),
                        "uncappedPenalty": s(m.uncappedPenalty), "penalty": s(m.penalty),
                    ]
                }),
            "slots": .array(
                slots.map { t in
                    [
                        "slot": .int(Int64(t.slot)), "soldWh": s(t.soldWh), "boughtWh": s(t.boughtWh),
                        "sellerDeliverableWh": s(t.sellerDeliverableWh), "buyerDeliverableWh": s(t.buyerDeliverableWh),
                        "validatedWh": s(t.validatedWh), "injectionWh": s(t.injectionWh),
                        "withdrawalWh": s(t.withdrawalWh), "sharedEnergyWh": s(t.sharedEnergyWh),
                    ]
                }),
            "slotLength": .int(slotLength),
            "hourlySharedEnergyWh": .array(hourlySharedEnergyWh.map { s($0) }),
            "totals": [
                "validatedWh": s(totals.validatedWh), "sharedEnergyWh": s(totals.sharedEnergyWh),
                "buyerPayments": s(totals.buyerPayments), "sellerReceipts": s(totals.sellerReceipts),
                "penalties": s(totals.penalties), "dust": s(totals.dust),
            ],
        ]
    }

    /// Canonical JSON text: compact, keys sorted, amounts as decimal strings. Equal results
    /// give equal bytes, so its hash can be journaled.
    public var canonicalJSON: String { json.jsonText }

    /// keccak256 of `canonicalJSON`'s UTF-8 bytes.
    public var canonicalHash: [UInt8] { Keccak256.hash(canonicalJSON) }
}
