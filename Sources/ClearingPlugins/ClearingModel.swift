import Chain
import Market

/// One revealed order as the clearing sees it.
public struct ClearingOrder: Sendable, Hashable, Codable {
    /// Unique and stable: `<member address>/<index in its revealed list>`. Ties are broken by it.
    public var id: String
    public var member: Address
    public var slot: Int
    public var side: OrderSide
    public var quantityWh: UInt64
    /// Token base units per kWh.
    public var limitPrice: UInt64

    public init(id: String, member: Address, slot: Int, side: OrderSide, quantityWh: UInt64, limitPrice: UInt64) {
        self.id = id
        self.member = member
        self.slot = slot
        self.side = side
        self.quantityWh = quantityWh
        self.limitPrice = limitPrice
    }
}

/// How the uniform price is chosen inside the feasible interval [low, high].
public enum PriceRule: Sendable, Hashable, Codable {
    /// floor((low + high) / 2).
    case midpoint
    /// low + floor(k·(high − low)) with k = numerator / denominator in [0, 1].
    case k(numerator: UInt64, denominator: UInt64)
    /// high (the marginal bid side).
    case bid
    /// low (the marginal ask side).
    case ask
}

/// The clearing of one slot.
public struct SlotClearing: Sendable, Hashable, Codable {
    public var slot: Int
    /// nil when nothing trades.
    public var price: UInt64?
    public var volumeWh: UInt64

    public init(slot: Int, price: UInt64?, volumeWh: UInt64) {
        self.slot = slot
        self.price = price
        self.volumeWh = volumeWh
    }
}

/// One order's fill.
public struct OrderFill: Sendable, Hashable, Codable {
    public var orderID: String
    public var quantityWh: UInt64
    public var price: UInt64

    public init(orderID: String, quantityWh: UInt64, price: UInt64) {
        self.orderID = orderID
        self.quantityWh = quantityWh
        self.price = price
    }
}

/// A clearing result: per slot, and per filled order (unfilled orders are absent).
public struct ClearingResult: Sendable, Hashable, Codable {
    public var slots: [SlotClearing]
    public var fills: [OrderFill]

    public init(slots: [SlotClearing], fills: [OrderFill]) {
        self.slots = slots
        self.fills = fills
    }
}
