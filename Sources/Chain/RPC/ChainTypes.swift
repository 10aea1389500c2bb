import BigInt

/// A block selector for JSON-RPC reads.
public enum BlockTag: Sendable, Equatable, CustomStringConvertible {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)

    public var json: JSONValue { .string(description) }

    public var description: String {
        switch self {
        case .latest: return "latest"
        case .pending: return "pending"
        case .earliest: return "earliest"
        case .safe: return "safe"
        case .finalized: return "finalized"
        case .number(let n): return Quantity.encode(n)
        }
    }
}

/// An event log as returned by receipts and `eth_getLogs`.
public struct Log: Sendable, Equatable {
    public var address: Address
    public var topics: [[UInt8]]
    public var data: [UInt8]
    public var blockNumber: UInt64?
    public var blockHash: [UInt8]?
    public var transactionHash: [UInt8]?
    public var transactionIndex: UInt64?
    public var logIndex: UInt64?
    /// True when the log was removed by a reorganisation.
    public var removed: Bool

    init(json: JSONValue, method: String) throws(RPCError) {
        let f = try JSONFields(json, method: method, context: "log")
        address = try f.address("address")
        topics = try f.array("topics").map { (t) throws(RPCError) -> [UInt8] in
            guard let s = t.stringValue, let b = try? Hex.decode(s), b.count == 32 else {
                throw f.fail("topics", "each topic must be 32 bytes of hex")
            }
            return b
        }
        data = try f.bytes("data")
        blockNumber = try f.optionalU64("blockNumber")
        blockHash = try f.optionalHash("blockHash")
        transactionHash = try f.optionalHash("transactionHash")
        transactionIndex = try f.optionalU64("transactionIndex")
        logIndex = try f.optionalU64("logIndex")
        removed = f.object["removed"] == .bool(true)
    }
}

/// A transaction receipt.
public struct Receipt: Sendable, Equatable {
    public var transactionHash: [UInt8]
    public var blockNumber: UInt64
    public var blockHash: [UInt8]
    public var transactionIndex: UInt64
    public var from: Address
    public var to: Address?
    /// True when execution succeeded (status 0x1).
    public var succeeded: Bool
    public var gasUsed: UInt64
    public var cumulativeGasUsed: UInt64
    public var effectiveGasPrice: BigUInt?
    public var contractAddress: Address?
    public var logs: [Log]
    public var type: UInt64

    /// The stand-in for a transaction that is only planned (`cer-run plan`), never sent:
    /// no hash, block 0, no logs, no contract address.
    public static func planned(from: Address, to: Address?) -> Receipt {
        Receipt(from: from, to: to)
    }

    private init(from: Address, to: Address?) {
        transactionHash = []
        blockNumber = 0
        blockHash = []
        transactionIndex = 0
        self.from = from
        self.to = to
        succeeded = true
        gasUsed = 0
        cumulativeGasUsed = 0
        effectiveGasPrice = nil
        contractAddress = nil
        logs = []
        type = 0
    }

    init(json: JSONValue, method: String) throws(RPCError) {
        let f = try JSONFields(json, method: method, context: "receipt")
        transactionHash = try f.hash("transactionHash")
        blockNumber = try f.u64("blockNumber")
        blockHash = try f.hash("blockHash")
        transactionIndex = try f.u64("transactionIndex")
        from = try f.address("from")
        to = try f.optionalAddress("to")
        succeeded = try f.u64("status") == 1
        gasUsed = try f.u64("gasUsed")
        cumulativeGasUsed = try f.u64("cumulativeGasUsed")
        effectiveGasPrice = try f.optionalQuantity("effectiveGasPrice")
        contractAddress = try f.optionalAddress("contractAddress")
        logs = try f.array("logs").map { (l) throws(RPCError) in try Log(json: l, method: method) }
        type = try f.optionalU64("type") ?? 0
    }
}

/// A transaction as returned by `eth_getTransactionByHash`.
public struct TransactionInfo: Sendable, Equatable {
    public var hash: [UInt8]
    public var nonce: UInt64
    public var from: Address
    public var to: Address?
    public var value: BigUInt
    public var input: [UInt8]
    public var gas: UInt64
    public var type: UInt64
    /// nil while pending.
    public var blockNumber: UInt64?

    init(json: JSONValue, method: String) throws(RPCError) {
        let f = try JSONFields(json, method: method, context: "transaction")
        hash = try f.hash("hash")
        nonce = try f.u64("nonce")
        from = try f.address("from")
        to = try f.optionalAddress("to")
        value = try f.quantity("value")
        input = try f.bytes("input")
        gas = try f.u64("gas")
        type = try f.optionalU64("type") ?? 0
        blockNumber = try f.optionalU64("blockNumber")
    }
}

/// A block header (transactions as hashes).
public struct Block: Sendable, Equatable {
    public var number: UInt64
    public var hash: [UInt8]
    public var parentHash: [UInt8]
    /// Seconds since the Unix epoch: the chain's clock, the only one deadlines are read from.
    public var timestamp: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    /// nil before London.
    public var baseFeePerGas: BigUInt?
    public var transactionHashes: [[UInt8]]

    init(json: JSONValue, method: String) throws(RPCError) {
        let f = try JSONFields(json, method: method, context: "block")
        number = try f.u64("number")
        hash = try f.hash("hash")
        parentHash = try f.hash("parentHash")
        timestamp = try f.u64("timestamp")
        gasLimit = try f.u64("gasLimit")
        gasUsed = try f.u64("gasUsed")
        baseFeePerGas = try f.optionalQuantity("baseFeePerGas")
        transactionHashes = try (f.object["transactions"]?.arrayValue ?? []).compactMap { tx in
            if let s = tx.stringValue { return try? Hex.decode(s) }
            if let s = tx["hash"]?.stringValue { return try? Hex.decode(s) }
            return nil
        }
    }
}

/// `eth_feeHistory`'s answer.
public struct FeeHistory: Sendable, Equatable {
    public var oldestBlock: UInt64
    /// One more entry than blocks: the next block's base fee comes last.
    public var baseFeePerGas: [BigUInt]
    public var gasUsedRatio: [Double]
    /// Per block, the requested percentiles of priority fees.
    public var reward: [[BigUInt]]

    init(json: JSONValue, method: String) throws(RPCError) {
        let f = try JSONFields(json, method: method, context: "feeHistory")
        oldestBlock = try f.u64("oldestBlock")
        baseFeePerGas = try f.array("baseFeePerGas").map { (v) throws(RPCError) -> BigUInt in
            guard let s = v.stringValue, let q = try? Quantity.decode(s) else {
                throw f.fail("baseFeePerGas", "not a quantity")
            }
            return q
        }
        gasUsedRatio = try f.array("gasUsedRatio").map { (v) throws(RPCError) -> Double in
            switch v {
            case .double(let d): return d
            case .int(let i): return Double(i)
            default: throw f.fail("gasUsedRatio", "not a number")
            }
        }
        reward = try (f.object["reward"]?.arrayValue ?? []).map { (row) throws(RPCError) -> [BigUInt] in
            try (row.arrayValue ?? []).map { (v) throws(RPCError) -> BigUInt in
                guard let s = v.stringValue, let q = try? Quantity.decode(s) else {
                    throw f.fail("reward", "not a quantity")
                }
                return q
            }
        }
    }
}

/// The parameters of `eth_call` / `eth_estimateGas`.
public struct CallRequest: Sendable, Equatable {
    public var from: Address?
    /// nil to simulate a contract creation.
    public var to: Address?
    public var data: [UInt8]
    public var value: BigUInt?
    public var gas: UInt64?

    public init(from: Address? = nil, to: Address?, data: [UInt8], value: BigUInt? = nil, gas: UInt64? = nil) {
        self.from = from
        self.to = to
        self.data = data
        self.value = value
        self.gas = gas
    }

    /// The call object of `eth_call` and `eth_estimateGas`.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["data": .string(data.hex), "input": .string(data.hex)]
        if let from { o["from"] = .string(from.hex) }
        if let to { o["to"] = .string(to.hex) }
        if let value { o["value"] = .string(Quantity.encode(value)) }
        if let gas { o["gas"] = .string(Quantity.encode(gas)) }
        return .object(o)
    }
}

/// A log filter for `eth_getLogs`.
public struct LogFilter: Sendable, Equatable {
    public var fromBlock: UInt64
    /// nil for the current head (resolved once, when the query starts).
    public var toBlock: UInt64?
    public var addresses: [Address]
    /// Per position: nil matches anything; otherwise any of the listed topics.
    public var topics: [[[UInt8]]?]

    public init(fromBlock: UInt64 = 0, toBlock: UInt64? = nil, addresses: [Address] = [], topics: [[[UInt8]]?] = []) {
        self.fromBlock = fromBlock
        self.toBlock = toBlock
        self.addresses = addresses
        self.topics = topics
    }

    func json(from: UInt64, to: UInt64) -> JSONValue {
        var o: [String: JSONValue] = [
            "fromBlock": .string(Quantity.encode(from)), "toBlock": .string(Quantity.encode(to)),
        ]
        if addresses.count == 1 {
            o["address"] = .string(addresses[0].hex)
        } else if !addresses.isEmpty {
            o["address"] = .array(addresses.map { .string($0.hex) })
        }
        if !topics.isEmpty {
            o["topics"] = .array(
                topics.map { alternatives in
                    guard let alternatives else { return .null }
                    return alternatives.count == 1
                        ? .string(alternatives[0].hex) : .array(alternatives.map { .string($0.hex) })
                })
        }
        return .object(o)
    }
}
