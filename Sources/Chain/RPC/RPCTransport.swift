import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Carries one JSON-RPC request body to a node and returns the response body.
public protocol RPCTransport: Sendable {
    /// A printable name of the endpoint, for error messages.
    var endpoint: String { get }
    /// Sends `body`; `method` is used only to label errors.
    func send(_ body: Data, method: String) async throws(RPCError) -> Data
}

/// JSON-RPC over HTTP(S): HTTP/1.1 on SwiftNIO with keep-alive connections (`NIOHTTPClient`).
public struct HTTPTransport: RPCTransport {
    public let url: URL
    /// Seconds before a request is abandoned (Besu's own limit is 30 s).
    public let timeout: TimeInterval
    /// Extra headers, e.g. `Authorization` for a protected node.
    public let headers: [String: String]
    private let client: Result<NIOHTTPClient, RPCError>

    /// The timeout used when none is given: `$CER_RUN_RPC_TIMEOUT` seconds when set (a positive
    /// number), otherwise 30 s (Besu's own limit). A request still unanswered then is abandoned as
    /// a transport failure, which reads retry and a transaction's broadcast resends (same bytes).
    public static var defaultTimeout: TimeInterval {
        if let text = ProcessInfo.processInfo.environment["CER_RUN_RPC_TIMEOUT"], let seconds = Double(text),
            seconds > 0, seconds.isFinite
        {
            return seconds
        }
        return 30
    }

    public init(url: URL, timeout: TimeInterval = HTTPTransport.defaultTimeout, headers: [String: String] = [:]) {
        self.url = url
        self.timeout = timeout
        self.headers = headers
        var parts = URLComponents()
        parts.scheme = url.scheme
        parts.host = url.host
        parts.port = url.port
        let endpoint = parts.string ?? "<rpc endpoint>"
        do {
            client = .success(try NIOHTTPClient(url: url, timeout: timeout, headers: headers))
        } catch {
            client = .failure(.transport(url: endpoint, method: "-", reason: "TLS set-up failed: \(error)"))
        }
    }

    /// Scheme, host and port only: paths and user info often carry API keys, and this text ends
    /// up in error messages and logs.
    public var endpoint: String {
        var parts = URLComponents()
        parts.scheme = url.scheme
        parts.host = url.host
        parts.port = url.port
        return parts.string ?? "<rpc endpoint>"
    }

    public func send(_ body: Data, method: String) async throws(RPCError) -> Data {
        let response: NIOHTTPClient.Response
        do {
            response = try await client.get().post(body)
        } catch let error as RPCError {
            throw error
        } catch {
            throw .transport(url: endpoint, method: method, reason: "\(error)")
        }
        guard response.status == 200 || Self.isJSONRPCAnswer(response.body) else {
            throw .http(
                url: endpoint, method: method, status: response.status,
                body: String(decoding: response.body.prefix(500), as: UTF8.self))
        }
        return response.body
    }

    /// A JSON-RPC response body (an object with `jsonrpc`, or an array of them) is the node's
    /// answer whatever the HTTP status: some nodes send error objects with 4xx/5xx, and their
    /// code, message and revert data must reach the caller rather than look like an outage.
    static func isJSONRPCAnswer(_ body: Data) -> Bool {
        guard let value = try? JSONValue.parse(body) else { return false }
        switch value {
        case .object(let object): return object["jsonrpc"] != nil && (object["error"] != nil || object["result"] != nil)
        case .array(let items): return !items.isEmpty && items.allSatisfy { $0["jsonrpc"] != nil }
        default: return false
        }
    }
}
