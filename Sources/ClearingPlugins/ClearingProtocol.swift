import Chain
import Market

/// The versioned JSON of a clearing request and result (`"protocol": "cer-clearing/1"`), spoken
/// by `cer-run clear` and by external plugins. Quantities and prices are decimal strings (they
/// may exceed 2^53); plain JSON integers are accepted on input.
public enum ClearingProtocol {
    public static let version = "cer-clearing/1"

    /// A clearing request.
    public struct Request: Sendable {
        public var slots: Int
        public var orders: [ClearingOrder]
        public var params: JSONValue
    }

    /// A request field that is missing or malformed, named by its path.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "clearing JSON: \(path): \(problem)" }
    }

    public static func decodeRequest(_ json: JSONValue) throws(FormatError) -> Request {
        guard json["protocol"]?.stringValue == version else {
            throw FormatError(path: "protocol", problem: "must be \"\(version)\"")
        }
        guard case .int(let slots)? = json["slots"], (1...10_000).contains(slots) else {
            throw FormatError(path: "slots", problem: "a whole number 1…10000 is required")
        }
        guard let items = json["orders"]?.arrayValue else {
            throw FormatError(path: "orders", problem: "a list is required")
        }
        var orders = [ClearingOrder]()
        var ids = Set<String>()
        for (index, item) in items.enumerated() {
            let path = "orders[\(index)]"
            guard let id = item["id"]?.stringValue, !id.isEmpty else {
                throw FormatError(path: "\(path).id", problem: "missing")
            }
            guard ids.insert(id).inserted else {
                throw FormatError(path: "\(path).id", problem: "duplicate id \"\(id)\"")
            }
            guard let memberText = item["member"]?.stringValue, let member = try? Address(memberText) else {
                throw FormatError(path: "\(path).member", problem: "an address is required")
            }
            guard case .int(let slot)? = item["slot"], slot >= 0, slot < slots else {
                throw FormatError(path: "\(path).slot", problem: "a slot 0…\(slots - 1) is required")
            }
            let side: OrderSide
            switch item["side"]?.stringValue {
            case "buy": side = .buy
            case "sell": side = .sell
            default: throw FormatError(path: "\(path).side", problem: "\"buy\" or \"sell\" is required")
            }
            let quantity = try uint64(item["quantityWh"], "\(path).quantityWh")
            guard quantity > 0 else { throw FormatError(path: "\(path).quantityWh", problem: "must be positive") }
            let price = try uint64(item["limitPrice"], "\(path).limitPrice")
            orders.append(
                ClearingOrder(
                    id: id, member: member, slot: Int(slot), side: side, quantityWh: quantity, limitPrice: price))
        }
        return Request(slots: Int(slots), orders: orders, params: json["params"] ?? .object([:]))
    }

    static func uint64(_ value: JSONValue?, _ path: String) throws(FormatError) -> UInt64 {
        switch value {
        case .int(let i)? where i >= 0: return UInt64(i)
        case .string(let s)? where !s.isEmpty && s.allSatisfy({ $0.isASCII && $0.isNumber }):
            if let v = UInt64(s) { return v }
        default: break
        }
        throw FormatError(path: path, problem: "a non-negative integer (decimal string) below 2^64 is required")
    }

    public static func encodeResult(_ result: ClearingResult) -> JSONValue {
        [
            "protocol": .string(version),
            "slots": .array(
                result.slots.map {
                    [
                        "slot": .int(Int64($0.slot)), "price": $0.price.map { .string(String($0)) } ?? .null,
                        "volumeWh": .string(String($0.volumeWh)),
                    ]
                }),
            "fills": .array(
                result.fills.map {
                    [
                        "orderId": .string($0.orderID), "quantityWh": .string(String($0.quantityWh)),
                        "price": .string(String($0.price)),
                    ]
                }),
        ]
    }
}

/// A clearing mechanism: pure, deterministic, integer-only.
public protocol ClearingMechanism: Sendable {
    func clear(orders: [ClearingOrder], slots: Int) -> ClearingResult
    /// Prices every fill must lie in, checked by the verifier (nil: no bounds).
    var priceBounds: ClearingVerifier.Bounds? { get }
}

extension ClearingMechanism {
    public var priceBounds: ClearingVerifier.Bounds? { nil }
}
