import BigInt
import Foundation

/// Typed Ethereum JSON-RPC methods over a `JSONRPCClient`.
public struct EthClient: Sendable {
    public let rpc: JSONRPCClient

    public init(rpc: JSONRPCClient) { self.rpc = rpc }

    /// A client for an HTTP endpoint.
    public init(url: URL, timeout: TimeInterval = HTTPTransport.defaultTimeout, retry: RetryPolicy = RetryPolicy()) {
        self.rpc = JSONRPCClient(url: url, timeout: timeout, retry: retry)
    }

    private func quantity(_ method: String, _ params: [JSONValue] = []) async throws(RPCError) -> BigUInt {
        let result = try await rpc.callNonNull(method, params)
        guard let s = result.stringValue else {
            throw .malformedResponse(method: method, reason: "expected a quantity, got \(result.jsonText.prefix(80))")
        }
        do { return try Quantity.decode(s) } catch { throw .malformedResponse(method: method, reason: "\(error)") }
    }

    private func u64(_ method: String, _ params: [JSONValue] = []) async throws(RPCError) -> UInt64 {
        let v = try await quantity(method, params)
        guard v.bitWidth <= 64 else { throw .malformedResponse(method: method, reason: "\(v) exceeds 64 bits") }
        return UInt64(v)
    }

    private func bytes(_ method: String, _ params: [JSONValue]) async throws(RPCError) -> [UInt8] {
        let result = try await rpc.callNonNull(method, params)
        guard let s = result.stringValue, let b = try? Hex.decode(s) else {
            throw .malformedResponse(method: method, reason: "expected hex data, got \(result.jsonText.prefix(80))")
        }
        return b
    }

    /// `eth_chainId`.
    public func chainID() async throws(RPCError) -> UInt64 { try await u64("eth_chainId") }

    /// `eth_blockNumber`.
    public func blockNumber() async throws(RPCError) -> UInt64 { try await u64("eth_blockNumber") }

    /// `eth_getBalance`.
    public func balance(of address: Address, at block: BlockTag = .latest) async throws(RPCError) -> BigUInt {
        try await quantity("eth_getBalance", [.string(address.hex), block.json])
    }

    /// `eth_getTransactionCount`: the next nonce at `block` (`.pending` includes pooled transactions).
    public func transactionCount(of address: Address, at block: BlockTag = .latest) async throws(RPCError) -> UInt64 {
        try await u64("eth_getTransactionCount", [.string(address.hex), block.json])
    }

    /// `eth_getCode`: empty for an account without code.
    public func code(at address: Address, block: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try await bytes("eth_getCode", [.string(address.hex), block.json])
    }

    /// `eth_call`. A revert throws `RPCError.rpc` whose `revertData` holds the returned bytes.
    public func call(_ request: CallRequest, at block: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try await bytes("eth_call", [request.json, block.json])
    }

    /// `eth_estimateGas`.
    public func estimateGas(_ request: CallRequest) async throws(RPCError) -> UInt64 {
        try await u64("eth_estimateGas", [request.json])
    }

    /// `eth_sendRawTransaction`; returns the hash the node reports.
    public func sendRawTransaction(_ raw: [UInt8]) async throws(RPCError) -> [UInt8] {
        try await bytes("eth_sendRawTransaction", [.string(raw.hex)])
    }

    /// `eth_getTransactionReceipt`; nil while the transaction is not mined (or unknown).
    public func receipt(_ hash: [UInt8]) async throws(RPCError) -> Receipt? {
        let method = "eth_getTransactionReceipt"
        let result = try await rpc.call(method, [.string(hash.hex)])
        return result.isNull ? nil : try Receipt(json: result, method: method)
    }

    /// `eth_getTransactionByHash`; nil when the node does not know it.
    public func transaction(_ hash: [UInt8]) async throws(RPCError) -> TransactionInfo? {
        let method = "eth_getTransactionByHash"
        let result = try await rpc.call(method, [.string(hash.hex)])
        return result.isNull ? nil : try TransactionInfo(json: result, method: method)
    }

    /// `eth_getBlockByNumber` with transaction hashes only; nil for a block not yet produced.
    public func block(_ tag: BlockTag = .latest) async throws(RPCError) -> Block? {
        let method = "eth_getBlockByNumber"
        let result = try await rpc.call(method, [tag.json, false])
        return result.isNull ? nil : try Block(json: result, method: method)
    }

    /// `eth_gasPrice`.
    public func gasPrice() async throws(RPCError) -> BigUInt { try await quantity("eth_gasPrice") }

    /// `eth_maxPriorityFeePerGas`.
    public func maxPriorityFeePerGas() async throws(RPCError) -> BigUInt {
        try await quantity("eth_maxPriorityFeePerGas")
    }

    /// `eth_feeHistory` over `blockCount` blocks ending at `newest`.
    public func feeHistory(blockCount: Int, newest: BlockTag = .latest, percentiles: [Int] = []) async throws(RPCError)
        -> FeeHistory
    {
        let method = "eth_feeHistory"
        let result = try await rpc.callNonNull(
            method, [.string(Quantity.encode(blockCount)), newest.json, .array(percentiles.map { .int(Int64($0)) })])
        return try FeeHistory(json: result, method: method)
    }

    /// `eth_getLogs` over `filter`'s range in chunks of at most `chunkSize` blocks (Besu refuses
    /// ranges over 5,000 by default). A chunk the node refuses as too large is halved and retried.
    public func logs(_ filter: LogFilter, chunkSize: UInt64 = 5_000) async throws(RPCError) -> [Log] {
        let method = "eth_getLogs"
        let head: UInt64
        if let to = filter.toBlock { head = to } else { head = try await blockNumber() }
        guard filter.fromBlock <= head else { return [] }
        var logs = [Log]()
        var start = filter.fromBlock
        var size = max(1, chunkSize)
        while start <= head {
            let end = head - start < size ? head : start + (size - 1)
            let result: JSONValue
            do {
                result = try await rpc.callNonNull(method, [filter.json(from: start, to: end)])
            } catch let error where Self.isRangeTooLarge(error) && size > 1 {
                size = max(1, size / 2)
                continue
            }
            guard let items = result.arrayValue else {
                throw .malformedResponse(method: method, reason: "expected an array of logs")
            }
            for item in items { logs.append(try Log(json: item, method: method)) }
            if end == head { break }
            start = end + 1
        }
        return logs
    }

    static func isRangeTooLarge(_ error: RPCError) -> Bool {
        guard case .rpc(_, let code, let message, _) = error else { return false }
        let lower = message.lowercased()
        return code == -32005 || lower.contains("range") || lower.contains("too many")
            || lower.contains("limit exceeded")
    }
}
