import BigInt
import Chain
import Market

/// A member's revealed orders and salt, as its `OrdersRevealed` event has them.
public struct RevealedMember: Sendable, Hashable {
    public var address: Address
    public var orders: [MarketOrder]
    public var salt: [UInt8]

    public init(address: Address, orders: [MarketOrder], salt: [UInt8] = []) {
        self.address = address
        self.orders = orders
        self.salt = salt
    }
}

/// What a `MemberValidated` event published for one member (or what validation recomputes).
public struct MemberValidationFigures: Sendable, Hashable {
    public var member: Address
    /// Delivered Wh per fill, in the order of the member's fills.
    public var delivered: [UInt64]
    public var paid: BigUInt
    public var receivable: BigUInt
    public var penalty: BigUInt

    public init(member: Address, delivered: [UInt64], paid: BigUInt, receivable: BigUInt, penalty: BigUInt) {
        self.member = member
        self.delivered = delivered
        self.paid = paid
        self.receivable = receivable
        self.penalty = penalty
    }
}

/// One fill the operator published that differs from the recomputed clearing (nil: no fill).
public struct FillDivergence: Sendable, Hashable {
    public var member: Address
    public var orderIndex: Int
    /// The order's slot and side (nil when the index names no revealed order).
    public var slot: Int?
    public var side: OrderSide?
    public var published: MarketFill?
    public var recomputed: MarketFill?

    public init(
        member: Address, orderIndex: Int, slot: Int?, side: OrderSide?, published: MarketFill?, recomputed: MarketFill?
    ) {
        self.member = member
        self.orderIndex = orderIndex
        self.slot = slot
        self.side = side
        self.published = published
        self.recomputed = recomputed
    }
}

/// An on-chain invariant that does not hold, whatever the clearing plugin.
public struct InvariantViolation: Sendable, Hashable {
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        /// A fill larger than its order (`value` fill Wh, `bound` order Wh).
        case fillExceedsOrder = "fill-exceeds-order"
        /// A buy fill priced above the order's limit (`value` price, `bound` limit).
        case fillAboveLimit = "fill-above-limit"
        /// A sell fill priced below the order's limit (`value` price, `bound` limit).
        case fillBelowLimit = "fill-below-limit"
        /// A fill whose order index names no revealed order (`value` index, `bound` order count).
        case fillWithoutOrder = "fill-without-order"
        /// Fill order indices not strictly increasing (`value` index, `bound` the previous one).
        case fillsOutOfOrder = "fills-out-of-order"
        /// Fills published for a member with no revealed orders.
        case clearedWithoutReveal = "cleared-without-reveal"
        /// A revealed member without published fills once clearing is final.
        case revealedNotCleared = "revealed-not-cleared"
        /// A slot whose buy fills do not add up to its sell fills (`value` bought, `bound` sold).
        case slotUnbalanced = "slot-unbalanced"
        /// Delivered Wh given for another number of fills (`value` entries, `bound` fills).
        case deliveredCount = "delivered-count"
        /// Delivered Wh above the fill (`value` delivered, `bound` fill Wh).
        case deliveredExceedsFill = "delivered-exceeds-fill"
        /// A slot whose buyers' deliveries differ from its sellers' (`value` bought, `bound` sold).
        case deliveriesUnbalanced = "deliveries-unbalanced"
        /// `paid` is not Σ ceil(delivered × price / 1000) over buy fills (`value` published,
        /// `bound` computed).
        case paidMismatch = "paid-mismatch"
        /// `receivable` is not Σ floor(delivered × price / 1000) over sell fills.
        case receivableMismatch = "receivable-mismatch"
        /// A penalty above what the member still had locked (`value` penalty, `bound` locked − paid).
        case penaltyAboveLocked = "penalty-above-locked"
        /// Validation published for a member that was not cleared.
        case validatedNotCleared = "validated-not-cleared"
        /// A cleared member without validation once validation is final.
        case clearedNotValidated = "cleared-not-validated"
        /// Σ paid ≠ Σ receivable + dust (`value` Σ paid, `bound` Σ receivable + dust).
        case conservation
        /// A settled member paid another amount than it was owed (`value` executed, `bound` receivable).
        case executedMismatch = "executed-mismatch"
        /// A settled session whose pool still holds tokens (`value` pool).
        case poolNotEmpty = "pool-not-empty"
    }

    public var rule: Rule
    public var member: Address?
    public var orderIndex: Int?
    public var slot: Int?
    public var side: OrderSide?
    public var value: BigUInt
    public var bound: BigUInt

    public init(
        _ rule: Rule, member: Address? = nil, orderIndex: Int? = nil, slot: Int? = nil, side: OrderSide? = nil,
        value: BigUInt = 0, bound: BigUInt = 0
    ) {
        self.rule = rule
        self.member = member
        self.orderIndex = orderIndex
        self.slot = slot
        self.side = side
        self.value = value
        self.bound = bound
    }
}

/// One validation figure published that differs from the recomputed validation.
public struct ValidationDivergence: Sendable, Hashable {
    public enum Figure: Sendable, Hashable {
        /// Delivered Wh of the member's fill of order `orderIndex`.
        case delivered(orderIndex: Int, slot: Int?, side: OrderSide?)
        case pay, receive, penalty
        /// Validated on one side only (published or recomputed is nil).
        case member
    }

    public var member: Address
    public var figure: Figure
    public var published: BigUInt?
    public var recomputed: BigUInt?

    public init(member: Address, figure: Figure, published: BigUInt?, recomputed: BigUInt?) {
        self.member = member
        self.figure = figure
        self.published = published
        self.recomputed = recomputed
    }
}

/// Something the audit found that does not match: the manifest, the clearing, the chain's own
/// invariants, or the validation.
public enum AuditFinding: Sendable, Hashable, CustomStringConvertible {
    /// The manifest's canonical hash is not the one the session was opened with.
    case manifestHash(onChain: [UInt8], manifest: [UInt8])
    /// A session parameter on chain differs from the manifest's resolved session.
    case sessionParameter(name: String, onChain: String, manifest: String)
    /// A published fill differs from the recomputed clearing.
    case fill(FillDivergence)
    /// A slot's published clearing price differs from the recomputed one (published nil: the
    /// price list has no entry for the slot).
    case slotPrice(slot: Int, published: UInt64?, recomputed: UInt64?)
    /// An on-chain invariant is broken.
    case invariant(InvariantViolation)
    /// A published validation figure differs from the recomputed one.
    case validation(ValidationDivergence)
    /// The published fills cannot be validated at all (the validation engine refuses them).
    case validationNotReproducible(String)

    /// A short machine name of the kind of finding.
    public var kind: String {
        switch self {
        case .manifestHash: return "manifest-hash"
        case .sessionParameter: return "session-parameter"
        case .fill: return "fill"
        case .slotPrice: return "slot-price"
        case .invariant(let v): return "invariant/\(v.rule.rawValue)"
        case .validation: return "validation"
        case .validationNotReproducible: return "validation-not-reproducible"
        }
    }

    public var description: String {
        switch self {
        case .manifestHash(let chain, let manifest):
            return "manifest: its canonical hash is \(manifest.hex), the session was opened with \(chain.hex)"
        case .sessionParameter(let name, let chain, let manifest):
            return "session parameter \(name): on chain \(chain), the manifest resolves to \(manifest)"
        case .fill(let d):
            return "fill of member \(d.member) order \(Self.order(d.orderIndex, d.slot, d.side)): published "
                + Self.fill(d.published) + ", recomputed " + Self.fill(d.recomputed)
        case .slotPrice(let slot, let published, let recomputed):
            return "clearing price of slot \(slot): published \(published.map(String.init) ?? "none"), recomputed "
                + "\(recomputed.map(String.init) ?? "none") (base units per kWh)"
        case .invariant(let v): return Self.describe(v)
        case .validation(let d):
            let what: String
            switch d.figure {
            case .delivered(let index, let slot, let side):
                what = "delivered Wh of order \(Self.order(index, slot, side))"
            case .pay: what = "pay"
            case .receive: what = "receivable"
            case .penalty: what = "penalty"
            case .member: what = "validation entry"
            }
            return "validation of member \(d.member), \(what): published \(d.published.map(String.init) ?? "none"), "
                + "recomputed \(d.recomputed.map(String.init) ?? "none")"
        case .validationNotReproducible(let why):
            return "validation cannot be recomputed from the published fills: \(why)"
        }
    }

    static func order(_ index: Int, _ slot: Int?, _ side: OrderSide?) -> String {
        guard let slot, let side else { return "\(index) (no such revealed order)" }
        return "\(index) (slot \(slot), \(side == .buy ? "buy" : "sell"))"
    }

    static func fill(_ fill: MarketFill?) -> String {
        guard let fill else { return "no fill" }
        return "\(fill.quantityWh) Wh at \(fill.price)"
    }

    static func describe(_ v: InvariantViolation) -> String {
        let member = v.member.map { "member \($0)" } ?? ""
        let at = member + (v.orderIndex.map { " order \(Self.order($0, v.slot, v.side))" } ?? "")
        switch v.rule {
        case .fillExceedsOrder: return "\(at): fill of \(v.value) Wh exceeds the order's \(v.bound) Wh"
        case .fillAboveLimit: return "\(at): buy fill priced \(v.value), above the limit \(v.bound)"
        case .fillBelowLimit: return "\(at): sell fill priced \(v.value), below the limit \(v.bound)"
        case .fillWithoutOrder:
            return "\(member): fill for order index \(v.value), the member revealed \(v.bound) order(s)"
        case .fillsOutOfOrder: return "\(member): fill for order index \(v.value) after index \(v.bound)"
        case .clearedWithoutReveal: return "\(member): fills published but no orders revealed"
        case .revealedNotCleared: return "\(member): revealed orders but no fills published"
        case .slotUnbalanced: return "slot \(v.slot ?? -1): buy fills total \(v.value) Wh, sell fills \(v.bound) Wh"
        case .deliveredCount: return "\(member): \(v.value) delivered figure(s) for \(v.bound) fill(s)"
        case .deliveredExceedsFill: return "\(at): delivered \(v.value) Wh, above the fill's \(v.bound) Wh"
        case .deliveriesUnbalanced:
            return "slot \(v.slot ?? -1): buyers' deliveries total \(v.value) Wh, sellers' \(v.bound) Wh"
        case .paidMismatch:
            return "\(member): paid \(v.value), but Σ ceil(delivered × price / 1000) over its buy fills is \(v.bound)"
        case .receivableMismatch:
            return
                "\(member): receivable \(v.value), but Σ floor(delivered × price / 1000) over its sell fills is \(v.bound)"
        case .penaltyAboveLocked: return "\(member): penalty \(v.value), above what it still had locked (\(v.bound))"
        case .validatedNotCleared: return "\(member): validated but never cleared"
        case .clearedNotValidated: return "\(member): cleared but not validated, and validation is final"
        case .conservation: return "payments total \(v.value), receivables plus dust \(v.bound)"
        case .executedMismatch: return "\(member): settled for \(v.value), validation made it owed \(v.bound)"
        case .poolNotEmpty: return "the settled session's pool still holds \(v.value)"
        }
    }

    /// The finding as one JSON object: its kind, the fields that locate it and its description.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["kind": .string(kind), "message": .string(description)]
        func put(_ key: String, _ value: JSONValue?) { if let value { object[key] = value } }
        func side(_ s: OrderSide?) -> JSONValue? { s.map { .string($0 == .buy ? "buy" : "sell") } }
        func fill(_ f: MarketFill?) -> JSONValue {
            guard let f else { return .null }
            return ["quantityWh": .string(String(f.quantityWh)), "price": .string(String(f.price))]
        }
        switch self {
        case .manifestHash(let chain, let manifest):
            put("onChain", .string(chain.hex))
            put("manifest", .string(manifest.hex))
        case .sessionParameter(let name, let chain, let manifest):
            put("parameter", .string(name))
            put("onChain", .string(chain))
            put("manifest", .string(manifest))
        case .fill(let d):
            put("member", .string(d.member.hex))
            put("order", .int(Int64(d.orderIndex)))
            put("slot", d.slot.map { .int(Int64($0)) })
            put("side", side(d.side))
            put("published", fill(d.published))
            put("recomputed", fill(d.recomputed))
        case .slotPrice(let slot, let published, let recomputed):
            put("slot", .int(Int64(slot)))
            put("published", published.map { .string(String($0)) } ?? .null)
            put("recomputed", recomputed.map { .string(String($0)) } ?? .null)
        case .invariant(let v):
            put("rule", .string(v.rule.rawValue))
            put("member", v.member.map { .string($0.hex) })
            put("order", v.orderIndex.map { .int(Int64($0)) })
            put("slot", v.slot.map { .int(Int64($0)) })
            put("side", side(v.side))
            put("value", .string(String(v.value)))
            put("bound", .string(String(v.bound)))
        case .validation(let d):
            put("member", .string(d.member.hex))
            switch d.figure {
            case .delivered(let index, let slot, let s):
                put("figure", "delivered")
                put("order", .int(Int64(index)))
                put("slot", slot.map { .int(Int64($0)) })
                put("side", side(s))
            case .pay: put("figure", "pay")
            case .receive: put("figure", "receive")
            case .penalty: put("figure", "penalty")
            case .member: put("figure", "member")
            }
            put("published", d.published.map { .string(String($0)) } ?? .null)
            put("recomputed", d.recomputed.map { .string(String($0)) } ?? .null)
        case .validationNotReproducible: break
        }
        return .object(object)
    }
}
