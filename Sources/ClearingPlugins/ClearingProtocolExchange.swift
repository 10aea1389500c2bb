import Chain

/// The other half of `cer-clearing/1`, used to talk to external plugins: encoding a request
/// and decoding (strictly, naming the JSON path of any problem) a result.
extension ClearingProtocol {
    /// The request an external plugin receives on stdin or as the POST body.
    public static func encodeRequest(orders: [ClearingOrder], slots: Int, params: JSONValue) -> JSONValue {
        // One EIP-55 checksum (a keccak) per member, not per order.
        var checksummed = [Address: String]()
        for order in orders where checksummed[order.member] == nil {
            checksummed[order.member] = order.member.checksummed
        }
        return [
            "protocol": .string(version), "slots": .int(Int64(slots)), "params": params,
            "orders": .array(
                orders.map {
                    [
                        "id": .string($0.id), "member": .string(checksummed[$0.member] ?? $0.member.checksummed),
                        "slot": .int(Int64($0.slot)),
                        "side": $0.side == .buy ? "buy" : "sell", "quantityWh": .string(String($0.quantityWh)),
                        "limitPrice": .string(String($0.limitPrice)),
                    ]
                }),
        ]
    }

    /// A plugin's result: one `slots` entry per slot in order (`slot` 0, 1, …), `price` a whole
    /// number or null, and `fills` with `orderId`, `quantityWh` and `price`. Numbers may be
    /// decimal strings or JSON integers. Whether the result is acceptable is `ClearingVerifier`'s
    /// business; this only checks its shape.
    public static func decodeResult(_ json: JSONValue, slots: Int) throws(FormatError) -> ClearingResult {
        guard json["protocol"]?.stringValue == version else {
            throw FormatError(path: "protocol", problem: "must be \"\(version)\"")
        }
        guard let slotItems = json["slots"]?.arrayValue else {
            throw FormatError(path: "slots", problem: "a list with one entry per slot is required")
        }
        guard slotItems.count == slots else {
            throw FormatError(path: "slots", problem: "\(slotItems.count) entries for \(slots) slots")
        }
        var slotResults = [SlotClearing]()
        for (index, item) in slotItems.enumerated() {
            let path = "slots[\(index)]"
            guard case .int(let slot)? = item["slot"], slot == index else {
                throw FormatError(path: "\(path).slot", problem: "must be \(index)")
            }
            let price: UInt64? =
                item["price"] == nil || item["price"] == .null
                ? nil : try uint64(item["price"], "\(path).price")
            let volume = try uint64(item["volumeWh"], "\(path).volumeWh")
            slotResults.append(SlotClearing(slot: index, price: price, volumeWh: volume))
        }
        guard let fillItems = json["fills"]?.arrayValue else {
            throw FormatError(path: "fills", problem: "a list is required")
        }
        var fills = [OrderFill]()
        for (index, item) in fillItems.enumerated() {
            let path = "fills[\(index)]"
            guard let id = item["orderId"]?.stringValue, !id.isEmpty else {
                throw FormatError(path: "\(path).orderId", problem: "an order id is required")
            }
            fills.append(
                OrderFill(
                    orderID: id, quantityWh: try uint64(item["quantityWh"], "\(path).quantityWh"),
                    price: try uint64(item["price"], "\(path).price")))
        }
        return ClearingResult(slots: slotResults, fills: fills)
    }
}
