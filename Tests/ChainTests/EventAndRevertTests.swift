import BigInt
import Chain
import Foundation
import Testing

@Suite struct EventAndRevertTests {
    static let abiJSON = """
        [
          {"type":"event","name":"Transfer","anonymous":false,"inputs":[
            {"name":"from","type":"address","indexed":true},
            {"name":"to","type":"address","indexed":true},
            {"name":"value","type":"uint256","indexed":false}]},
          {"type":"event","name":"Noted","anonymous":false,"inputs":[
            {"name":"label","type":"string","indexed":true},
            {"name":"order","type":"tuple","indexed":false,"components":[
              {"name":"slot","type":"uint16"},{"name":"qty","type":"uint64"}]},
            {"name":"memo","type":"string","indexed":false}]},
          {"type":"event","name":"Anon","anonymous":true,"inputs":[
            {"name":"who","type":"address","indexed":true},{"name":"n","type":"uint8","indexed":false}]},
          {"type":"error","name":"PriceAboveLimit","inputs":[
            {"name":"orderId","type":"uint256"},{"name":"price","type":"uint256"},{"name":"limit","type":"uint256"}]},
          {"type":"function","name":"fills","stateMutability":"view","inputs":[{"name":"session","type":"uint256"}],
           "outputs":[{"name":"","type":"tuple[]","components":[{"name":"id","type":"uint256"},{"name":"ok","type":"bool"}]}]},
          {"type":"constructor","inputs":[{"name":"owner","type":"address"}],"stateMutability":"nonpayable"}
        ]
        """

    let abi = try! ContractABI(json: Data(abiJSON.utf8))

    @Test func parsesAllEntryKinds() throws {
        #expect(abi.events.count == 3)
        #expect(abi.errors.count == 1)
        #expect(abi.constructor?.inputs.count == 1)
        let fills = try abi.function("fills")
        #expect(fills.outputs[0].type == .array(.tuple([.uint(256), .bool])))
        #expect(fills.outputs[0].components.map(\.name) == ["id", "ok"])
        #expect(try abi.event("Noted").signature == "Noted(string,(uint16,uint64),string)")
    }

    @Test func decodesTransferLog() throws {
        let from = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let to = try Address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
        let topics = [
            h("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
            [UInt8](repeating: 0, count: 12) + from.bytes, [UInt8](repeating: 0, count: 12) + to.bytes,
        ]
        let data = try ABI.encode(.uint(256), .unsigned(1_000_000))
        let decoded = try #require(try abi.decodeLog(topics: topics, data: data))
        #expect(decoded.event.name == "Transfer")
        #expect(decoded["from"] == .value(.address(from)))
        #expect(decoded["to"] == .value(.address(to)))
        #expect(decoded["value"] == .value(.unsigned(1_000_000)))
    }

    @Test func indexedDynamicParametersAreHashes() throws {
        let event = try abi.event("Noted")
        let labelHash = Keccak256.hash("adhesion")
        let data = try ABI.encode(
            [.tuple([.uint(16), .uint(64)]), .string], [.tuple([.unsigned(7), .unsigned(1500)]), .string("ok")])
        let decoded = try event.decode(topics: [event.topic, labelHash], data: data)
        #expect(decoded["label"] == .indexedHash(labelHash))
        #expect(decoded["order"] == .value(.tuple([.unsigned(7), .unsigned(1500)])))
        #expect(try ABIEvent.topic(for: .string("adhesion"), type: .string) == labelHash)
    }

    @Test func anonymousEventsHaveNoSignatureTopic() throws {
        let event = try abi.event("Anon")
        let who = [UInt8](repeating: 0, count: 12) + [UInt8](repeating: 0x11, count: 20)
        let decoded = try event.decode(topics: [who], data: try ABI.encode(.uint(8), .unsigned(3)))
        #expect(decoded["n"] == .value(.unsigned(3)))
        #expect(try abi.decodeLog(topics: [who], data: []) == nil)
        #expect(throws: ABIError.self) { try event.decode(topics: [], data: []) }
    }

    @Test func revertDecoding() throws {
        // require(false, "Not enough Ether provided.") — the example of the Solidity docs.
        let message = h(
            "0x08c379a0 0000000000000000000000000000000000000000000000000000000000000020 000000000000000000000000000000000000000000000000000000000000001a 4e6f7420656e6f7567682045746865722070726f76696465642e000000000000"
        )
        #expect(abi.decodeRevert(message) == .message("Not enough Ether provided."))
        let panic = h("0x4e487b71") + (try ABI.encode(.uint(256), .unsigned(0x11)))
        #expect(abi.decodeRevert(panic) == .panic(code: 0x11))
        #expect(abi.decodeRevert(panic).description.contains("overflow"))
        let error = try abi.error("PriceAboveLimit")
        let custom = try error.encode([.unsigned(4), .unsigned(250), .unsigned(200)])
        let decoded = abi.decodeRevert(custom)
        #expect(decoded.customErrorName == "PriceAboveLimit")
        #expect(decoded.description == "PriceAboveLimit(orderId=4, price=250, limit=200)")
        #expect(abi.decodeRevert([]) == .empty)
        #expect(abi.decodeRevert(h("0xdeadbeef")) == .unknown(h("0xdeadbeef")))
    }
}
