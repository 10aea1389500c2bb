import BigInt
import Chain
import Foundation
import Synchronization
import Testing

/// A scripted transport: each request gets the next canned answer (or error).
final class ScriptedTransport: RPCTransport {
    let endpoint = "scripted://node"
    private let script: Mutex<[@Sendable (JSONValue) throws -> JSONValue]>
    let requests = Mutex<[JSONValue]>([])

    init(_ script: [@Sendable (JSONValue) throws -> JSONValue]) { self.script = Mutex(script) }

    func send(_ body: Data, method: String) async throws(RPCError) -> Data {
        let request = try! JSONValue.parse(body)
        requests.withLock { $0.append(request) }
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        guard let next else { throw .transport(url: endpoint, method: method, reason: "script exhausted") }
        do { return Data(try next(request).jsonText.utf8) } catch let error as RPCError { throw error } catch {
            fatalError("scripts throw RPCError only")
        }
    }
}

func reply(_ result: JSONValue) -> @Sendable (JSONValue) throws -> JSONValue {
    { request in ["jsonrpc": "2.0", "id": request["id"]!, "result": result] }
}

@Suite struct JSONRPCClientTests {
    let fastRetry = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(1), maxDelay: .milliseconds(2))

    @Test func idsAreUniqueAndResultsTyped() async throws {
        let transport = ScriptedTransport([reply("0x539"), reply("0x10")])
        let client = EthClient(rpc: JSONRPCClient(transport: transport))
        #expect(try await client.chainID() == 1337)
        #expect(try await client.blockNumber() == 16)
        let ids = transport.requests.withLock { $0.map { $0["id"]! } }
        #expect(Set(ids).count == 2)
    }

    @Test func nodeErrorsKeepCodeMessageAndData() async {
        let transport = ScriptedTransport([
            { request in
                [
                    "jsonrpc": "2.0", "id": request["id"]!,
                    "error": [
                        "code": 3, "message": "execution reverted",
                        "data": "0x4e487b710000000000000000000000000000000000000000000000000000000000000011",
                    ],
                ]
            }
        ])
        let client = EthClient(rpc: JSONRPCClient(transport: transport, retry: fastRetry))
        do {
            _ = try await client.call(CallRequest(to: .zero, data: []))
            Issue.record("expected an error")
        } catch {
            #expect(error.rpcCode == 3)
            #expect(error.revertData.map { RevertReason(data: $0) } == .panic(code: 0x11))
        }
        // Only one request: node errors are never retried.
        #expect(transport.requests.withLock { $0.count } == 1)
    }

    @Test func nullIsNotAnError() async throws {
        let transport = ScriptedTransport([reply(nil), reply(nil)])
        let client = EthClient(rpc: JSONRPCClient(transport: transport))
        #expect(try await client.receipt([UInt8](repeating: 1, count: 32)) == nil)
        await #expect(throws: RPCError.nullResult(method: "eth_chainId")) { try await client.chainID() }
    }

    @Test func transportErrorsAreRetriedThenSucceed() async throws {
        let transport = ScriptedTransport([
            { _ in throw RPCError.transport(url: "x", method: "eth_chainId", reason: "connection refused") },
            { _ in throw RPCError.http(url: "x", method: "eth_chainId", status: 503, body: "") },
            reply("0x1"),
        ])
        let client = EthClient(rpc: JSONRPCClient(transport: transport, retry: fastRetry))
        #expect(try await client.chainID() == 1)
        #expect(transport.requests.withLock { $0.count } == 3)
    }

    @Test func retriesAreBounded() async {
        let failing: @Sendable (JSONValue) throws -> JSONValue = { _ in
            throw RPCError.transport(url: "x", method: "m", reason: "down")
        }
        let transport = ScriptedTransport(Array(repeating: failing, count: 10))
        let client = JSONRPCClient(transport: transport, retry: fastRetry)
        await #expect(throws: RPCError.self) { try await client.call("eth_chainId") }
        #expect(transport.requests.withLock { $0.count } == 3)
    }

    @Test func http400IsNotRetried() async {
        let transport = ScriptedTransport([
            { _ in throw RPCError.http(url: "x", method: "m", status: 400, body: "bad") }
        ])
        let client = JSONRPCClient(transport: transport, retry: fastRetry)
        await #expect(throws: RPCError.self) { try await client.call("eth_chainId") }
        #expect(transport.requests.withLock { $0.count } == 1)
    }

    @Test func batchesMatchResponsesById() async throws {
        let transport = ScriptedTransport([
            { request in
                let calls = request.arrayValue!
                // Answer in reverse order, one with an error.
                return .array(
                    calls.reversed().map { call in
                        call["method"] == "bad"
                            ? [
                                "jsonrpc": "2.0", "id": call["id"]!,
                                "error": ["code": -32601, "message": "Method not found"],
                            ]
                            : ["jsonrpc": "2.0", "id": call["id"]!, "result": call["method"]!]
                    })
            }
        ])
        let client = JSONRPCClient(transport: transport)
        let results = try await client.batch([RPCCall("a"), RPCCall("bad"), RPCCall("c")])
        #expect(try results[0].get() == "a")
        #expect(throws: RPCError.self) { try results[1].get() }
        #expect(try results[2].get() == "c")
    }

    @Test func malformedAnswersAreReported() async {
        let transport = ScriptedTransport([reply(["not": "a quantity"])])
        let client = EthClient(rpc: JSONRPCClient(transport: transport))
        await #expect(throws: RPCError.self) { try await client.blockNumber() }
    }

    @Test func getLogsIsChunkedAndShrinksOnRangeErrors() async throws {
        let transport = ScriptedTransport([
            { request in  // first chunk 0…9 refused as too large
                [
                    "jsonrpc": "2.0", "id": request["id"]!,
                    "error": ["code": -32005, "message": "Requested range exceeds maximum RPC range limit"],
                ]
            },
            reply([]), reply([]), reply([]),
        ])
        let client = EthClient(rpc: JSONRPCClient(transport: transport))
        let logs = try await client.logs(LogFilter(fromBlock: 0, toBlock: 14), chunkSize: 10)
        #expect(logs.isEmpty)
        let ranges = transport.requests.withLock { requests in
            requests.map {
                "\($0["params"]![0]?["fromBlock"]?.stringValue ?? "")-\($0["params"]!.arrayValue![0]["toBlock"]!.stringValue!)"
            }
        }
        #expect(ranges == ["0x0-0x9", "0x0-0x4", "0x5-0x9", "0xa-0xe"])
    }
}

extension JSONValue {
    fileprivate subscript(index: Int) -> JSONValue? { arrayValue.flatMap { index < $0.count ? $0[index] : nil } }
}
