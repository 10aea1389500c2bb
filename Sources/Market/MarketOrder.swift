import BigInt
import Chain

/// Buy or sell.
public enum OrderSide: UInt8, Sendable, Codable, Hashable {
    case buy = 0
    case sell = 1
}

/// A sealed order for one slot: quantity in Wh, limit price in token base units per kWh.
/// On chain it travels as one packed word (see `packed`), which keeps reveal calldata and events
/// a quarter of the size of a four-field tuple.
public struct MarketOrder: Sendable, Hashable, Codable {
    public var slot: UInt16
    public var side: OrderSide
    public var quantityWh: UInt64
    public var limitPrice: UInt64

    public init(slot: UInt16, side: OrderSide, quantityWh: UInt64, limitPrice: UInt64) {
        self.slot = slot
        self.side = side
        self.quantityWh = quantityWh
        self.limitPrice = limitPrice
    }

    /// Bits 0–63 limit price, 64–127 quantity, 128–135 side, 136–151 slot.
    public var packed: BigUInt {
        BigUInt(limitPrice) | BigUInt(quantityWh) << 64 | BigUInt(side.rawValue) << 128 | BigUInt(slot) << 136
    }

    /// Unpacks a word; nil when it is not a valid order word.
    public init?(packed word: BigUInt) {
        guard word >> 152 == 0, let side = OrderSide(rawValue: UInt8(word >> 128 & 0xff)) else { return nil }
        self.init(
            slot: UInt16(word >> 136 & 0xffff), side: side, quantityWh: UInt64(word >> 64 & BigUInt(UInt64.max)),
            limitPrice: UInt64(word & BigUInt(UInt64.max)))
    }

    /// Collateral locked at reveal: ceil(quantity × (limit price for buyers, seller bond for
    /// sellers) / 1000), exactly as the contract computes it.
    public func collateral(sellerBondPerKWh: UInt64) -> BigUInt {
        MarketMoney.ceilDiv1000(BigUInt(quantityWh) * BigUInt(side == .buy ? limitPrice : sellerBondPerKWh))
    }
}

/// A fill of one order: bits 0–63 price, 64–127 quantity (Wh), 128–143 order index.
public struct MarketFill: Sendable, Hashable, Codable {
    public var orderIndex: UInt16
    public var quantityWh: UInt64
    public var price: UInt64

    public init(orderIndex: UInt16, quantityWh: UInt64, price: UInt64) {
        self.orderIndex = orderIndex
        self.quantityWh = quantityWh
        self.price = price
    }

    public var packed: BigUInt { BigUInt(price) | BigUInt(quantityWh) << 64 | BigUInt(orderIndex) << 128 }

    public init?(packed word: BigUInt) {
        guard word >> 144 == 0 else { return nil }
        self.init(
            orderIndex: UInt16(word >> 128 & 0xffff), quantityWh: UInt64(word >> 64 & BigUInt(UInt64.max)),
            price: UInt64(word & BigUInt(UInt64.max)))
    }
}

/// The integer money rules shared with the contract.
public enum MarketMoney {
    /// ceil(x / 1000).
    public static func ceilDiv1000(_ x: BigUInt) -> BigUInt { (x + 999) / 1000 }

    /// What a buyer pays for `wh` at `price` per kWh: the ceiling of wh·price/1000.
    public static func buyerPays(wh: UInt64, price: UInt64) -> BigUInt { ceilDiv1000(BigUInt(wh) * BigUInt(price)) }

    /// What a seller receives: the floor of wh·price/1000.
    public static func sellerReceives(wh: UInt64, price: UInt64) -> BigUInt { BigUInt(wh) * BigUInt(price) / 1000 }
}

extension Array where Element == MarketOrder {
    /// The packed words as an ABI `uint256[]`.
    public var abiValue: ABIValue { .array(map { .uint($0.packed) }) }
}

extension Array where Element == MarketFill {
    /// The packed words as an ABI `uint256[]`.
    public var abiValue: ABIValue { .array(map { .uint($0.packed) }) }
}
