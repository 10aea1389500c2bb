/// Everything that can go wrong with a JSON-RPC request, kept apart so callers can react:
/// transport failures (retryable), HTTP errors, JSON-RPC error objects (with their `data`),
/// `null` results where a value was required, and answers that do not parse.
public enum RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request did not get an HTTP answer (connection refused, reset, DNS, timeout).
    case transport(url: String, method: String, reason: String)
    /// An HTTP status other than 200.
    case http(url: String, method: String, status: Int, body: String)
    /// A JSON-RPC error object from the node.
    case rpc(method: String, code: Int, message: String, data: JSONValue?)
    /// The node answered `null` where a value was required.
    case nullResult(method: String)
    /// The answer is not the JSON-RPC we expected.
    case malformedResponse(method: String, reason: String)

    public var description: String {
        switch self {
        case .transport(let url, let method, let reason): return "\(method) to \(url): no answer (\(reason))"
        case .http(let url, let method, let status, let body):
            return "\(method) to \(url): HTTP \(status)" + (body.isEmpty ? "" : ": \(body.prefix(200))")
        case .rpc(let method, let code, let message, let data):
            return "\(method): node error \(code): \(message)" + (data.map { " data=\($0.jsonText.prefix(300))" } ?? "")
        case .nullResult(let method): return "\(method): the node returned null"
        case .malformedResponse(let method, let reason): return "\(method): malformed answer: \(reason)"
        }
    }

    /// True for failures where retrying the same request may succeed: no answer (refused,
    /// reset, timed out), 429 (rate limited) and HTTP 5xx (a proxy or load balancer in front of
    /// the node, or the node restarting). Node error objects are answers, never transient.
    public var isTransient: Bool {
        switch self {
        case .transport: return true
        case .http(_, _, let status, _): return status == 429 || (500...599).contains(status)
        default: return false
        }
    }

    /// The message of a node error, lowercased ("" for other errors).
    var lowercasedMessage: String { (rpcMessage ?? "").lowercased() }

    /// `eth_sendRawTransaction` answered that the node already holds these bytes: Besu's
    /// "Known transaction" (-32000), geth's "already known". Success for the sender.
    public var isKnownTransaction: Bool {
        let m = lowercasedMessage
        return m.contains("known transaction") || m.contains("already known") || m.contains("already imported")
    }

    /// The transaction's nonce is below the account's (Besu -32001 "Nonce too low"): either ours
    /// was mined already, or another transaction took the nonce.
    public var isNonceTooLow: Bool {
        lowercasedMessage.contains("nonce too low")
    }

    /// The nonce is too far ahead of the account's on-chain nonce (Besu: "Transaction nonce is
    /// too distant from current sender nonce"): wait for blocks, then send the same bytes again.
    public var isNonceTooDistant: Bool { lowercasedMessage.contains("too distant") }

    /// The JSON-RPC error code, if this is a node error.
    public var rpcCode: Int? {
        if case .rpc(_, let code, _, _) = self { return code }
        return nil
    }

    /// The node's message, if this is a node error.
    public var rpcMessage: String? {
        if case .rpc(_, _, let message, _) = self { return message }
        return nil
    }

    /// Revert data carried by an `eth_call`/`eth_estimateGas` error: `error.data` as hex (geth,
    /// Besu, anvil), or `error.data.data` (some providers nest it). nil when the error is not a
    /// revert. Never parsed from the message.
    public var revertData: [UInt8]? {
        guard case .rpc(_, let code, let message, let data) = self else { return nil }
        let lower = message.lowercased()
        guard code == 3 || lower.contains("revert") else { return nil }
        if let hex = data?.stringValue, let bytes = try? Hex.decode(hex) { return bytes }
        if let hex = data?["data"]?.stringValue, let bytes = try? Hex.decode(hex) { return bytes }
        return lower.contains("revert") ? [] : nil
    }
}
