import Chain
import ClearingPlugins
import Foundation
import Testing

@Suite struct ClearingProtocolTests {
    static let member = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"

    func request(_ orders: [JSONValue], slots: Int64 = 2) -> JSONValue {
        ["protocol": "cer-clearing/1", "slots": .int(slots), "orders": .array(orders)]
    }

    func order(_ id: String, side: JSONValue = "buy", slot: JSONValue = 0, quantity: JSONValue = "1000") -> JSONValue {
        [
            "id": .string(id), "member": .string(Self.member), "slot": slot, "side": side, "quantityWh": quantity,
            "limitPrice": "150000",
        ]
    }

    @Test func decodesAndEncodesExactIntegers() throws {
        let big = String(UInt64.max)
        let decoded = try ClearingProtocol.decodeRequest(
            request([order("a", quantity: .string(big)), order("b", side: "sell", quantity: 5)]))
        #expect(decoded.orders[0].quantityWh == UInt64.max)
        #expect(decoded.orders[1].quantityWh == 5 && decoded.orders[1].side == .sell)
        let result = ClearingResult(
            slots: [SlotClearing(slot: 0, price: UInt64.max, volumeWh: 7)],
            fills: [OrderFill(orderID: "a", quantityWh: 7, price: 9)])
        let json = ClearingProtocol.encodeResult(result)
        #expect(json["slots"]?.arrayValue?.first?["price"] == .string(big))
        #expect(json["fills"]?.arrayValue?.first?["orderId"] == "a")
    }

    static let malformed: [(String, JSONValue)] = [
        ("protocol", ["protocol": "cer-clearing/9", "slots": 2, "orders": []]),
        (
            "orders[1].id",
            ["protocol": "cer-clearing/1", "slots": 2, "orders": [OrderFactory.make("a"), OrderFactory.make("a")]]
        ),
        (
            "orders[0].side",
            ["protocol": "cer-clearing/1", "slots": 2, "orders": [OrderFactory.make("a", side: "hold")]]
        ),
        ("orders[0].slot", ["protocol": "cer-clearing/1", "slots": 2, "orders": [OrderFactory.make("a", slot: 2)]]),
        (
            "orders[0].quantityWh",
            ["protocol": "cer-clearing/1", "slots": 2, "orders": [OrderFactory.make("a", quantity: "-1")]]
        ),
        ("slots", ["protocol": "cer-clearing/1", "slots": 0, "orders": []]),
    ]

    @Test(arguments: malformed)
    func malformedRequestsNameTheField(_ path: String, _ json: JSONValue) {
        do {
            _ = try ClearingProtocol.decodeRequest(json)
            Issue.record("\(path): accepted")
        } catch { #expect(error.path == path, "\(error)") }
    }

    @Test func unknownMechanismAndBadParamsAreNamed() {
        #expect(throws: ClearingProtocol.FormatError.self) { try BuiltInClearing.make("vickrey", params: [:]) }
        do {
            _ = try BuiltInClearing.make("k-double-auction", params: ["k": "3/2"])
            Issue.record("k = 3/2 accepted")
        } catch { #expect(error.path == "params.k") }
    }

    @Test(
        arguments: [
            ("sdr", ["retail_price": "250"], "params.feed_in_price"),
            ("mid-market-rate", ["feed_in_price": 100], "params.retail_price"),
            ("sdr", ["feed_in_price": "300", "retail_price": "250"], "params.feed_in_price"),
        ] as [(String, JSONValue, String)])
    func communityPricingNeedsGridPrices(_ name: String, _ params: JSONValue, _ path: String) throws {
        do {
            _ = try BuiltInClearing.make(name, params: params)
            Issue.record("\(name) accepted \(params)")
        } catch { #expect(error.path == path, "\(error)") }
        let made = try BuiltInClearing.make(name, params: ["feed_in_price": "100", "retail_price": 250])
        #expect(made is SupplyDemandRatioClearing || made is MidMarketRateClearing)
    }
}

enum OrderFactory {
    static func make(_ id: String, side: JSONValue = "buy", slot: JSONValue = 0, quantity: JSONValue = "1000")
        -> JSONValue
    {
        [
            "id": .string(id), "member": .string(ClearingProtocolTests.member), "slot": slot, "side": side,
            "quantityWh": quantity, "limitPrice": "150000",
        ]
    }
}
