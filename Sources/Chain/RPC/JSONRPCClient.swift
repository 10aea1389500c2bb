import Foundation
import Synchronization

/// How many times, and how patiently, transient transport failures are retried.
public struct RetryPolicy: Sendable {
    /// Attempts in all, including the first (1 = no retry).
    public var maxAttempts: Int
    /// Delay before the first retry; doubled each time up to `maxDelay`.
    public var initialDelay: Duration
    public var maxDelay: Duration

    /// The default rides out about 15 s without an answer (0.1 + 0.2 + … + 3.2 + 4 + 4 s between
    /// nine attempts): a proxy's 502/503 burst, a dropped connection, or a node restart.
    public init(maxAttempts: Int = 9, initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(4)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)
}

/// One call inside a batch.
public struct RPCCall: Sendable {
    public var method: String
    public var params: [JSONValue]

    public init(_ method: String, _ params: [JSONValue] = []) {
        self.method = method
        self.params = params
    }
}

/// A JSON-RPC 2.0 client: unique ids, batches, and bounded retries with exponential backoff for
/// transient transport failures only — never for an answer the node gave.
public final class JSONRPCClient: Sendable {
    public let transport: any RPCTransport
    public let retry: RetryPolicy
    private let nextID = Atomic<Int64>(1)

    public init(transport: any RPCTransport, retry: RetryPolicy = RetryPolicy()) {
        self.transport = transport
        self.retry = retry
    }

    /// A client for an HTTP URL.
    public convenience init(
        url: URL, timeout: TimeInterval = HTTPTransport.defaultTimeout, retry: RetryPolicy = RetryPolicy()
    ) {
        self.init(transport: HTTPTransport(url: url, timeout: timeout), retry: retry)
    }

    /// Methods that are never retried automatically: a resend after a lost answer may find the
    /// first attempt already mined, which only the caller can check (by transaction hash).
    public static let nonIdempotentMethods: Set<String> = ["eth_sendRawTransaction", "eth_sendTransaction"]

    private func makeID() -> Int64 { nextID.add(1, ordering: .relaxed).oldValue }

    /// Calls `method`; returns its result, which may be `.null`.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws(RPCError) -> JSONValue {
        let id = makeID()
        let body: JSONValue = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .array(params)]
        let answer = try await sendWithRetry(
            body, method: method, retryable: !Self.nonIdempotentMethods.contains(method))
        return try Self.unwrap(answer, id: id, method: method)
    }

    /// Calls `method` and requires a non-null result.
    public func callNonNull(_ method: String, _ params: [JSONValue] = []) async throws(RPCError) -> JSONValue {
        let result = try await call(method, params)
        guard !result.isNull else { throw .nullResult(method: method) }
        return result
    }

    /// Sends `calls` as one batch; results come back in the order of `calls` whatever order the
    /// node answers in. A failure of the whole batch throws; a failure of one call is its result.
    public func batch(_ calls: [RPCCall]) async throws(RPCError) -> [Result<JSONValue, RPCError>] {
        guard !calls.isEmpty else { return [] }
        let ids = calls.map { _ in makeID() }
        let body = JSONValue.array(
            zip(ids, calls).map { id, call in
                ["jsonrpc": "2.0", "id": .int(id), "method": .string(call.method), "params": .array(call.params)]
            })
        let label = "batch of \(calls.count)"
        let answer = try await sendWithRetry(
            body, method: label, retryable: !calls.contains { Self.nonIdempotentMethods.contains($0.method) })
        guard case .array(let responses) = answer else {
            // A node rejecting the whole batch answers with a single error object.
            _ = try Self.unwrap(answer, id: nil, method: label)
            throw .malformedResponse(method: label, reason: "expected an array of responses")
        }
        var byID = [Int64: JSONValue]()
        for response in responses {
            if case .int(let id)? = response["id"] { byID[id] = response }
        }
        return zip(ids, calls).map { id, call in
            guard let response = byID[id] else {
                return .failure(
                    .malformedResponse(method: call.method, reason: "no response with id \(id) in the batch"))
            }
            return Result { () throws(RPCError) in try Self.unwrap(response, id: id, method: call.method) }
        }
    }

    private func sendWithRetry(_ body: JSONValue, method: String, retryable: Bool) async throws(RPCError) -> JSONValue {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch {
            throw .malformedResponse(method: method, reason: "cannot encode request: \(error)")
        }
        var delay = retry.initialDelay
        var attempt = 1
        while true {
            do {
                let started = ContinuousClock.now
                defer { RPCStatistics.record(ContinuousClock.now - started) }
                let answer = try await transport.send(data, method: method)
                do { return try JSONValue.parse(answer) } catch {
                    throw RPCError.malformedResponse(
                        method: method, reason: "not JSON: \(String(decoding: answer.prefix(200), as: UTF8.self))")
                }
            } catch let error as RPCError {
                guard retryable, error.isTransient, attempt < retry.maxAttempts else { throw error }
            } catch {
                throw .malformedResponse(method: method, reason: "\(error)")
            }
            do { try await Task.sleep(for: delay) } catch {
                throw .transport(url: transport.endpoint, method: method, reason: "cancelled")
            }
            delay = min(delay * 2, retry.maxDelay)
            attempt += 1
        }
    }

    static func unwrap(_ response: JSONValue, id: Int64?, method: String) throws(RPCError) -> JSONValue {
        guard case .object(let object) = response else {
            throw .malformedResponse(
                method: method, reason: "expected a JSON object, got \(response.jsonText.prefix(100))")
        }
        if let id, let answered = object["id"], answered != .int(id), answered != .null {
            throw .malformedResponse(method: method, reason: "response id \(answered.jsonText) ≠ \(id)")
        }
        if let error = object["error"], !error.isNull {
            guard case .object(let e) = error else {
                throw .malformedResponse(method: method, reason: "error is not an object")
            }
            let code: Int
            switch e["code"] {
            case .int(let c)?: code = Int(c)
            default: throw .malformedResponse(method: method, reason: "error without an integer code")
            }
            throw .rpc(method: method, code: code, message: e["message"]?.stringValue ?? "", data: e["data"])
        }
        if let id, object["id"] != .int(id) {
            throw .malformedResponse(
                method: method, reason: "response id \(object["id"]?.jsonText ?? "missing") ≠ \(id)")
        }
        guard let result = object["result"] else {
            throw .malformedResponse(method: method, reason: "neither result nor error")
        }
        return result
    }
}
