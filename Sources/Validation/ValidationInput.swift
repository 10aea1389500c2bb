import BigInt
import Chain
import Market

/// One cleared member of the session: its revealed orders and its published fills.
public struct ValidationMember: Sendable, Hashable {
    public var address: Address
    /// The member's point of delivery, a key of the `MeterDay`.
    public var pod: String
    /// Revealed orders, in revealed order (fills index them).
    public var orders: [MarketOrder]
    /// Published fills, in strictly increasing order index (may be empty: a member cleared
    /// without fills is still validated on chain).
    public var fills: [MarketFill]

    public init(address: Address, pod: String, orders: [MarketOrder], fills: [MarketFill]) {
        self.address = address
        self.pod = pod
        self.orders = orders
        self.fills = fills
    }
}

/// Penalties and tolerance. See docs/validation.md for worked examples.
public struct ValidationRules: Sendable, Hashable {
    /// Whose fault a shortfall is.
    public enum Attribution: String, Sendable, Hashable, Codable {
        /// Shortfall = Σ fills − min(Σ fills, own meter): only what the member's own meter
        /// failed to show. Energy lost because counterparties fell short is not charged (the default).
        case ownMeter = "own-meter"
        /// Shortfall = Σ fills − validated: everything not validated, including the reduction
        /// caused by counterparties.
        case validated
    }

    /// Token base units per kWh of chargeable seller shortfall (0 allowed).
    public var sellerPenaltyPerKWh: UInt64
    /// Token base units per kWh of chargeable buyer shortfall (0 allowed).
    public var buyerPenaltyPerKWh: UInt64
    /// Shortfall forgiven per member, slot and side: `toleranceWh + floor(Σ fills · tolerancePerMille / 1000)`.
    public var toleranceWh: UInt64
    public var tolerancePerMille: UInt64
    public var attribution: Attribution

    public init(
        sellerPenaltyPerKWh: UInt64 = 0, buyerPenaltyPerKWh: UInt64 = 0, toleranceWh: UInt64 = 0,
        tolerancePerMille: UInt64 = 0, attribution: Attribution = .ownMeter
    ) {
        self.sellerPenaltyPerKWh = sellerPenaltyPerKWh
        self.buyerPenaltyPerKWh = buyerPenaltyPerKWh
        self.toleranceWh = toleranceWh
        self.tolerancePerMille = tolerancePerMille
        self.attribution = attribution
    }

    /// Tolerance for `filledWh` of one member, slot and side.
    public func tolerance(filledWh: UInt64) -> UInt64 {
        let wh = BigUInt(toleranceWh) + BigUInt(filledWh) * BigUInt(tolerancePerMille) / 1000
        return wh > BigUInt(UInt64.max) ? UInt64.max : UInt64(wh)
    }
}

/// Input that validation cannot accept (`.input`), or a broken invariant (`.invariant`, a bug:
/// the result would be rejected by the contract).
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case input
        case invariant
    }

    public var kind: Kind
    public var member: Address?
    /// Index into the member's fills.
    public var fill: Int?
    public var slot: Int?
    /// What was expected, what was found.
    public var message: String
    public var hint: String?

    public init(
        _ kind: Kind, member: Address? = nil, fill: Int? = nil, slot: Int? = nil, _ message: String,
        hint: String? = nil
    ) {
        self.kind = kind
        self.member = member
        self.fill = fill
        self.slot = slot
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var context = [String]()
        if let member { context.append("member \(member.checksummed)") }
        if let fill { context.append("fill \(fill)") }
        if let slot { context.append("slot \(slot)") }
        let prefix = kind == .invariant ? "validation invariant broken (a bug)" : "validation input rejected"
        return prefix + (context.isEmpty ? "" : " (" + context.joined(separator: ", ") + ")") + ": " + message
            + (hint.map { "; \($0)" } ?? "")
    }
}
