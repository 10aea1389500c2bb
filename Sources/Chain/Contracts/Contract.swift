/// Errors from reading a contract.
public enum ContractCallError: Error, CustomStringConvertible {
    case rpc(RPCError)
    case encoding(ABIError)
    case reverted(RevertReason)

    public var description: String {
        switch self {
        case .rpc(let e): return "\(e)"
        case .encoding(let e): return "\(e)"
        case .reverted(let r): return "\(r)"
        }
    }
}

/// A deployed contract: its address, ABI and a client to read it.
public struct Contract: Sendable {
    public let address: Address
    public let abi: ContractABI
    public let client: EthClient

    public init(address: Address, abi: ContractABI, client: EthClient) {
        self.address = address
        self.abi = abi
        self.client = client
    }

    /// Calls a function with `eth_call` and decodes its outputs; a revert is decoded against the ABI.
    public func call(
        _ function: String, _ arguments: [ABIValue] = [], from: Address? = nil, at block: BlockTag = .latest
    )
        async throws(ContractCallError) -> [ABIValue]
    {
        let fn: ABIFunction
        let data: [UInt8]
        do {
            fn = try abi.function(function)
            data = try fn.encodeCall(arguments)
        } catch { throw .encoding(error) }
        let output: [UInt8]
        do {
            output = try await client.call(CallRequest(from: from, to: address, data: data), at: block)
        } catch let error {
            if let revert = error.revertData { throw .reverted(abi.decodeRevert(revert)) }
            throw .rpc(error)
        }
        do { return try fn.decodeOutput(output) } catch { throw .encoding(error) }
    }

    /// `function(arguments)` for each argument list, as JSON-RPC batches of `batchSize`
    /// `eth_call`s (one round trip per batch), decoded, in order; the first failed call throws.
    public func callEach(_ function: String, _ argumentLists: [[ABIValue]], batchSize: Int = 500) async throws
        -> [[ABIValue]]
    {
        let fn = try abi.function(function)
        var decoded = [[ABIValue]]()
        decoded.reserveCapacity(argumentLists.count)
        for start in stride(from: 0, to: argumentLists.count, by: batchSize) {
            let calls = try argumentLists[start..<min(argumentLists.count, start + batchSize)].map { arguments in
                RPCCall("eth_call", [CallRequest(to: address, data: try fn.encodeCall(arguments)).json, "latest"])
            }
            for result in try await client.rpc.batch(calls) {
                let value = try result.get()
                guard let text = value.stringValue, let bytes = try? Hex.decode(text) else {
                    throw ContractCallError.rpc(.malformedResponse(method: function, reason: "answer \(value)"))
                }
                decoded.append(try fn.decodeOutput(bytes))
            }
        }
        return decoded
    }

    /// Decodes the logs this contract emitted in a receipt (unknown events are skipped).
    public func events(in receipt: Receipt) -> [DecodedEvent] {
        receipt.logs.filter { $0.address == address }.compactMap { log in
            try? abi.decodeLog(topics: log.topics, data: log.data)
        }
    }

    /// Fetches and decodes this contract's `event` logs in a block range (chunked).
    public func logs(_ event: String, fromBlock: UInt64 = 0, toBlock: UInt64? = nil) async throws(ContractCallError)
        -> [(DecodedEvent, Log)]
    {
        let abiEvent: ABIEvent
        do { abiEvent = try abi.event(event) } catch { throw .encoding(error) }
        let logs: [Log]
        do {
            logs = try await client.logs(
                LogFilter(fromBlock: fromBlock, toBlock: toBlock, addresses: [address], topics: [[abiEvent.topic]]))
        } catch { throw .rpc(error) }
        var out = [(DecodedEvent, Log)]()
        for log in logs {
            do { out.append((try abiEvent.decode(topics: log.topics, data: log.data), log)) } catch {
                throw .encoding(error)
            }
        }
        return out
    }
}
