import BigInt
import Foundation
import Synchronization
import Testing

@testable import Chain

/// A node faked per method: `answer` returns the result (or throws the error) of each request;
/// every request's method and params are kept.
final class FakeNode: RPCTransport {
    let endpoint = "fake://node"
    let calls = Mutex<[(method: String, params: [JSONValue])]>([])
    private let answer: @Sendable (String, [JSONValue], Int) throws(RPCError) -> JSONValue

    /// `answer(method, params, n)`: n counts the earlier requests of the same method.
    init(_ answer: @escaping @Sendable (String, [JSONValue], Int) throws(RPCError) -> JSONValue) {
        self.answer = answer
    }

    func send(_ body: Data, method: String) async throws(RPCError) -> Data {
        let request = try! JSONValue.parse(body)
        let name = request["method"]?.stringValue ?? "?"
        let params = request["params"]?.arrayValue ?? []
        let n = calls.withLock { calls in
            defer { calls.append((name, params)) }
            return calls.filter { $0.method == name }.count
        }
        do {
            let result = try answer(name, params, n)
            return Data(JSONValue.object(["jsonrpc": "2.0", "id": request["id"]!, "result": result]).jsonText.utf8)
        } catch let error {
            guard case .rpc(_, let code, let message, _) = error else { throw error }
            let object: JSONValue = [
                "jsonrpc": "2.0", "id": request["id"]!,
                "error": ["code": .int(Int64(code)), "message": .string(message)],
            ]
            return Data(object.jsonText.utf8)
        }
    }

    func count(_ method: String) -> Int { calls.withLock { $0.filter { $0.method == method }.count } }
    func params(_ method: String) -> [[JSONValue]] {
        calls.withLock { $0.filter { $0.method == method }.map(\.params) }
    }
}

/// How `TransactionSender` treats what a flaky node answers to a send (docs/reliability.md,
/// "Faults on the wire"): the same bytes again after no answer, "Known transaction" as success,
/// "Nonce too low" resolved by our own hash, and a lost transaction re-broadcast while waiting.
@Suite struct BroadcastFaultTests {
    static let key = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")

    static func signed(nonce: UInt64 = 3) throws -> SignedTransaction {
        try Transaction(
            chainID: 1337, nonce: nonce, fees: .legacy(gasPrice: 0), gasLimit: 21_000, to: key.address, value: 1,
            data: []
        ).signed(with: key)
    }

    static func sender(_ node: FakeNode) -> TransactionSender {
        var sender = TransactionSender(
            client: EthClient(
                rpc: JSONRPCClient(
                    transport: node, retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(1)))),
            key: key, chainID: 1337)
        sender.pollInterval = .milliseconds(2)
        sender.rebroadcastInterval = .milliseconds(20)
        sender.rebroadcastMaxInterval = .milliseconds(40)
        // No test here waits for a timeout: a long one keeps a starved test pool (other suites
        // blocking its threads) from turning slowness into a failure.
        sender.receiptTimeout = .seconds(900)
        return sender
    }

    static func receipt(_ hash: [UInt8]) -> JSONValue {
        [
            "transactionHash": .string(hash.hex), "blockNumber": "0x5",
            "blockHash": .string([UInt8](repeating: 1, count: 32).hex),
            "transactionIndex": "0x0", "from": .string(key.address.hex), "to": .string(key.address.hex),
            "status": "0x1",
            "gasUsed": "0x5208", "cumulativeGasUsed": "0x5208", "logs": [],
        ]
    }

    @Test func noAnswerResendsTheSameBytes() async throws {
        let tx = try Self.signed()
        let node = FakeNode { method, _, n throws(RPCError) in
            switch method {
            case "eth_sendRawTransaction":
                if n < 2 { throw .transport(url: "fake", method: method, reason: "connection reset") }
                return .string(tx.hash.hex)
            case "eth_getTransactionByHash": return .null
            default: throw .rpc(method: method, code: -32601, message: "no", data: nil)
            }
        }
        try await Self.sender(node).broadcast(tx)
        // The client does not retry sends itself: broadcast sent the same bytes three times.
        let sends = node.params("eth_sendRawTransaction")
        #expect(sends.count == 3 && Set(sends.map { $0.first }).count == 1)
        #expect(sends.first?.first == .string(tx.raw.hex))
    }

    @Test func anHTTP502AfterTheNodeGotItEndsWhenTheNodeKnowsOurHash() async throws {
        let tx = try Self.signed()
        let node = FakeNode { method, _, _ throws(RPCError) in
            switch method {
            case "eth_sendRawTransaction":
                throw .http(url: "fake", method: method, status: 502, body: "bad gateway")
            case "eth_getTransactionByHash":
                return [
                    "hash": .string(tx.hash.hex), "nonce": "0x3", "from": .string(Self.key.address.hex),
                    "to": .string(Self.key.address.hex), "value": "0x1", "input": "0x", "gas": "0x5208",
                ]
            default: throw .rpc(method: method, code: -32601, message: "no", data: nil)
            }
        }
        try await Self.sender(node).broadcast(tx)
        #expect(node.count("eth_sendRawTransaction") == 1)
    }

    @Test(arguments: ["Known transaction", "already known"])
    func knownTransactionIsSuccess(message: String) async throws {
        let tx = try Self.signed()
        let node = FakeNode { method, _, _ throws(RPCError) in
            throw .rpc(method: method, code: -32000, message: message, data: nil)
        }
        try await Self.sender(node).broadcast(tx)
        #expect(node.count("eth_sendRawTransaction") == 1 && node.count("eth_getTransactionByHash") == 0)
    }

    @Test func nonceTooLowForATransactionTheNodeDoesNotKnowIsTyped() async throws {
        let tx = try Self.signed()
        let node = FakeNode { method, _, _ throws(RPCError) in
            if method == "eth_getTransactionByHash" { return .null }
            throw .rpc(method: method, code: -32001, message: "Nonce too low", data: nil)
        }
        await #expect {
            try await Self.sender(node).broadcast(tx)
        } throws: { error in
            guard case SendError.nonceTooLow(let hash, let nonce) = error else { return false }
            return hash == tx.hash && nonce == 3
        }
        #expect(node.count("eth_sendRawTransaction") == 1)
    }

    @Test func anOtherNodeErrorIsNotRetried() async throws {
        let tx = try Self.signed()
        let node = FakeNode { method, _, _ throws(RPCError) in
            if method == "eth_getTransactionByHash" { return .null }
            throw .rpc(method: method, code: -32000, message: "Replacement transaction underpriced", data: nil)
        }
        await #expect(throws: SendError.self) { try await Self.sender(node).broadcast(tx) }
        #expect(node.count("eth_sendRawTransaction") == 1)
    }

    /// The node answered the send but lost the transaction: waiting for the receipt sends the
    /// same bytes again until it is mined.
    @Test func aLostTransactionIsRebroadcastWhileWaiting() async throws {
        let tx = try Self.signed()
        let mined = Flag()
        let node = FakeNode { method, _, n throws(RPCError) in
            switch method {
            case "eth_sendRawTransaction":
                if n >= 2 { mined.value.withLock { $0 = true } }  // the third copy lands
                return .string(tx.hash.hex)
            case "eth_getTransactionReceipt": return mined.value.withLock { $0 } ? Self.receipt(tx.hash) : .null
            default: return .null
            }
        }
        let sender = Self.sender(node)
        try await sender.broadcast(tx)
        let receipt = try await sender.waitForReceipt(tx)
        #expect(receipt.transactionHash == tx.hash)
        #expect(Set(node.params("eth_sendRawTransaction").map { $0.first }) == [.string(tx.raw.hex)])
        #expect(node.count("eth_sendRawTransaction") == 3)
    }

    /// A resend meets "Nonce too low" and the node does not know our hash: another transaction
    /// holds the nonce, which only the journal and the chain can settle.
    @Test func aResendMeetingNonceTooLowForAnUnknownHashThrows() async throws {
        let tx = try Self.signed()
        let node = FakeNode { method, _, n throws(RPCError) in
            switch method {
            case "eth_sendRawTransaction":
                if n == 0 { return .string(tx.hash.hex) }
                throw .rpc(method: method, code: -32001, message: "Nonce too low", data: nil)
            default: return .null
            }
        }
        let sender = Self.sender(node)
        try await sender.broadcast(tx)
        await #expect {
            _ = try await sender.waitForReceipt(tx)
        } throws: { error in
            if case SendError.nonceTooLow = error { return true }
            return false
        }
    }

    @Test func classification() {
        func http(_ status: Int) -> RPCError { .http(url: "u", method: "m", status: status, body: "") }
        func rpc(_ code: Int, _ message: String) -> RPCError {
            .rpc(method: "m", code: code, message: message, data: nil)
        }
        #expect(http(500).isTransient && http(502).isTransient && http(503).isTransient && http(429).isTransient)
        #expect(!http(400).isTransient && !http(404).isTransient)
        #expect(!rpc(-32000, "Known transaction").isTransient)
        #expect(rpc(-32000, "Known transaction").isKnownTransaction)
        #expect(rpc(-32000, "already known").isKnownTransaction)
        #expect(rpc(-32001, "Nonce too low").isNonceTooLow && !rpc(-32001, "Nonce too low").isKnownTransaction)
        #expect(rpc(-32000, "nonce too low: next nonce 5, tx nonce 3").isNonceTooLow)
        #expect(rpc(-32000, "Transaction nonce is too distant from current sender nonce").isNonceTooDistant)
        #expect(!rpc(-32000, "Replacement transaction underpriced").isNonceTooLow)
    }

    /// A JSON-RPC error object sent with HTTP 4xx/5xx is the node's answer, not an outage.
    @Test func jsonRPCBodiesAreAnswersWhateverTheStatus() {
        #expect(HTTPTransport.isJSONRPCAnswer(Data(#"{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"x"}}"#.utf8)))
        #expect(HTTPTransport.isJSONRPCAnswer(Data(#"[{"jsonrpc":"2.0","id":1,"result":"0x1"}]"#.utf8)))
        #expect(!HTTPTransport.isJSONRPCAnswer(Data("<html>502 Bad Gateway</html>".utf8)))
        #expect(!HTTPTransport.isJSONRPCAnswer(Data(#"{"message":"rate limited"}"#.utf8)))
        #expect(!HTTPTransport.isJSONRPCAnswer(Data()))
    }
}

final class Flag: Sendable {
    let value = Mutex(false)
}
