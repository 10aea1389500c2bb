import Chain
import ClearingPlugins
import Foundation
import Testing

/// Corpus fuzzing of `ClearingProtocol.decodeRequest` (the `cer-clearing/1` JSON that
/// `cer-run clear` reads on stdin): ≥ 1,000 deterministic malformed requests made by mutating
/// a valid one, as text and as JSON values. Each must end in a request or a `FormatError`
/// naming a path. See docs/reliability.md, "Fuzzing".
@Suite struct FuzzClearingProtocolTests {
    static let valid: JSONValue = [
        "protocol": "cer-clearing/1", "slots": 24, "params": ["price_rule": "midpoint"],
        "orders": [
            [
                "id": "a-0", "member": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "slot": 12, "side": "sell",
                "quantityWh": "2500", "limitPrice": 100_000,
            ],
            [
                "id": "b-0", "member": "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "slot": 12, "side": "buy",
                "quantityWh": 1_500, "limitPrice": "18446744073709551615",
            ],
        ],
    ]

    static let hostile: [JSONValue] = [
        .null, true, 0, -1, .int(Int64.max), .int(Int64.min), .double(1.5), .double(-0.0), .double(1e300), "", "x",
        "-1", "18446744073709551616", "٣", "0x10", " 1", [], [:], [[:]], ["id": "a-0"], "cer-clearing/2", 10_001, 24,
        "buy", "sell", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    ]

    @Test func validRequestDecodes() throws {
        let request = try ClearingProtocol.decodeRequest(Self.valid)
        #expect(request.slots == 24 && request.orders.count == 2)
        #expect(request.orders[1].limitPrice == UInt64.max)
    }

    @Test func corpusEndsInRequestOrFormatError() throws {
        var rng = SplitMix64(seed: 0x434C_5201)
        func int(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
        var values = [JSONValue]()
        // Every field of the request and of each order replaced by each hostile value, or removed.
        let top = Self.valid.objectValue!
        for key in top.keys {
            for value in Self.hostile {
                var copy = top
                copy[key] = value
                values.append(.object(copy))
            }
            var copy = top
            copy.removeValue(forKey: key)
            values.append(.object(copy))
        }
        let orders = top["orders"]!.arrayValue!
        for key in orders[0].objectValue!.keys {
            for value in Self.hostile {
                var order = orders[0].objectValue!
                order[key] = value
                var copy = top
                copy["orders"] = .array([.object(order), orders[1]])
                values.append(.object(copy))
            }
        }
        // Duplicated ids and many orders.
        var copy = top
        copy["orders"] = .array(Array(repeating: orders[0], count: 3))
        values.append(.object(copy))
        copy["orders"] = .array(
            (0..<500).map { i in
                var order = orders[i % 2].objectValue!
                order["id"] = .string("o-\(i)")
                order["slot"] = .int(Int64(i % 30))
                return .object(order)
            })
        values.append(.object(copy))
        // One to three random fields (top level or of random orders) changed at once.
        for _ in 0..<600 {
            var request = top
            var list = orders
            for _ in 0...int(2) {
                let value = Self.hostile[int(Self.hostile.count)]
                if int(3) == 0 {
                    request[Array(top.keys.sorted())[int(top.count)]] = value
                } else {
                    let i = int(list.count)
                    var order = list[i].objectValue!
                    order[Array(order.keys.sorted())[int(order.count)]] = value
                    list[i] = .object(order)
                }
            }
            if request["orders"] == top["orders"] { request["orders"] = .array(list) }
            values.append(.object(request))
        }
        // Text mutations of the valid request's JSON.
        let text = Array(Self.valid.jsonText.utf8)
        var texts = [[UInt8]]()
        for _ in 0..<600 {
            var b = text
            for _ in 0...int(3) {
                let p = int(b.count)
                switch int(4) {
                case 0: b[p] ^= 1 << UInt8(int(8))
                case 1: b.insert([0x22, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x30, 0x2d, 0x2e][int(10)], at: p)
                case 2: b.remove(at: p)
                default: b = Array(b.prefix(max(1, p)))
                }
            }
            texts.append(b)
        }
        // Only the texts that still parse as JSON reach the decoder.
        let inputs = values + texts.compactMap { try? JSONValue.parse(Data($0)) }
        #expect(inputs.count >= 1_000)
        var accepted = 0
        for value in inputs {
            do {
                let request = try ClearingProtocol.decodeRequest(value)
                accepted += 1
                #expect((1...10_000).contains(request.slots))
                #expect(request.orders.allSatisfy { $0.slot >= 0 && $0.slot < request.slots && $0.quantityWh > 0 })
                #expect(Set(request.orders.map(\.id)).count == request.orders.count)
            } catch {
                #expect(!error.path.isEmpty && !error.problem.isEmpty)
            }
        }
        #expect(accepted > 0)
    }
}
