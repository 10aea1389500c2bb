/// A rule a clearing result broke, naming the order (or slot) and the rule.
public struct ClearingViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public var subject: String
    public var rule: String

    public var description: String { "clearing result rejected: \(subject): \(rule); nothing was published" }
}

/// Checks any plugin's result (built-in or external) before anything is published.
public enum ClearingVerifier {
    /// Optional price bounds (e.g. grid feed-in and retail prices per kWh).
    public struct Bounds: Sendable, Hashable {
        public var minimum: UInt64
        public var maximum: UInt64
        public init(minimum: UInt64, maximum: UInt64) {
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    /// Throws the first violation found, in a fixed order (so the message is reproducible).
    public static func verify(
        _ result: ClearingResult, orders: [ClearingOrder], slots: Int, bounds: Bounds? = nil
    ) throws(ClearingViolation) {
        let byID = Dictionary(orders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        guard byID.count == orders.count else {
            throw ClearingViolation(subject: "input", rule: "order ids must be unique")
        }
        var seen = Set<String>()
        var bought = [Int: UInt64]()
        var sold = [Int: UInt64]()
        for fill in result.fills {
            guard let order = byID[fill.orderID] else {
                throw ClearingViolation(subject: "fill \(fill.orderID)", rule: "names no order of the book")
            }
            guard seen.insert(fill.orderID).inserted else {
                throw ClearingViolation(subject: "order \(fill.orderID)", rule: "filled twice")
            }
            guard fill.quantityWh > 0 else {
                throw ClearingViolation(subject: "order \(fill.orderID)", rule: "zero fill listed")
            }
            guard fill.quantityWh <= order.quantityWh else {
                throw ClearingViolation(
                    subject: "order \(fill.orderID)",
                    rule: "filled \(fill.quantityWh) Wh, more than its \(order.quantityWh) Wh")
            }
            if order.side == .buy, fill.price > order.limitPrice {
                throw ClearingViolation(
                    subject: "order \(fill.orderID)",
                    rule: "buyer pays \(fill.price), above its limit \(order.limitPrice)")
            }
            if order.side == .sell, fill.price < order.limitPrice {
                throw ClearingViolation(
                    subject: "order \(fill.orderID)",
                    rule: "seller gets \(fill.price), below its limit \(order.limitPrice)")
            }
            if let bounds, fill.price < bounds.minimum || fill.price > bounds.maximum {
                throw ClearingViolation(
                    subject: "order \(fill.orderID)",
                    rule: "price \(fill.price) outside the bounds \(bounds.minimum)…\(bounds.maximum)")
            }
            if order.side == .buy {
                bought[order.slot, default: 0] += fill.quantityWh
            } else {
                sold[order.slot, default: 0] += fill.quantityWh
            }
        }
        for slot in 0..<slots where bought[slot, default: 0] != sold[slot, default: 0] {
            throw ClearingViolation(
                subject: "slot \(slot)",
                rule: "bought \(bought[slot, default: 0]) Wh ≠ sold \(sold[slot, default: 0]) Wh")
        }
        for slotResult in result.slots where slotResult.volumeWh != bought[slotResult.slot, default: 0] {
            throw ClearingViolation(
                subject: "slot \(slotResult.slot)",
                rule: "reports \(slotResult.volumeWh) Wh traded, fills sum to \(bought[slotResult.slot, default: 0])")
        }
    }
}
