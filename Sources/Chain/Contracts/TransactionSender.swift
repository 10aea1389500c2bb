import BigInt
import Foundation

/// How a sender prices its transactions.
public enum FeePolicy: Sendable, Equatable {
    /// Legacy type-0 transactions at the node's `eth_gasPrice` (0 on free-gas Besu networks).
    case legacyNodePrice
    /// Legacy transactions at a fixed gas price.
    case legacy(gasPrice: BigUInt)
    /// EIP-1559 with the tip from `eth_maxPriorityFeePerGas` and a cap of 2 × base fee + tip.
    case eip1559Auto
    /// EIP-1559 with fixed values (both 0 on a zero-base-fee Besu network).
    case eip1559(maxPriorityFeePerGas: BigUInt, maxFeePerGas: BigUInt)
}

/// Errors from sending a transaction, with its hash once it was signed.
public enum SendError: Error, CustomStringConvertible {
    case rpc(RPCError)
    case signing(TransactionError)
    case encoding(ABIError)
    /// The transaction was mined but failed; the reason is decoded from a replayed `eth_call`.
    case reverted(hash: [UInt8], receipt: Receipt, reason: RevertReason?)
    /// `eth_estimateGas` (or the dry run) reverted: nothing was sent.
    case wouldRevert(RevertReason)
    /// No receipt after waiting.
    case timedOut(hash: [UInt8], waited: Duration)
    /// The node answered "Nonce too low" and does not know our transaction: another
    /// transaction holds `nonce` (or ours was mined and the node's index lags). The journaled
    /// sender resolves it from the chain; nothing was signed anew.
    case nonceTooLow(hash: [UInt8], nonce: UInt64)

    public var description: String {
        switch self {
        case .rpc(let e): return "\(e)"
        case .signing(let e): return "\(e)"
        case .encoding(let e): return "\(e)"
        case .reverted(let hash, let receipt, let reason):
            return "transaction \(hash.hex) reverted in block \(receipt.blockNumber)" + (reason.map { ": \($0)" } ?? "")
        case .wouldRevert(let reason): return "not sent: the call would revert: \(reason)"
        case .timedOut(let hash, let waited): return "transaction \(hash.hex): no receipt after \(waited)"
        case .nonceTooLow(let hash, let nonce):
            return
                "transaction \(hash.hex): the node says nonce \(nonce) is used, and it does not know this transaction"
        }
    }
}

/// Signs transactions locally with one key and sends them raw. This is the simple, unjournaled
/// path for tools, demos and tests: the phase runner adds the write-ahead journal on top.
public struct TransactionSender: Sendable {
    public let client: EthClient
    public let key: PrivateKey
    public let chainID: UInt64
    public var fees: FeePolicy
    /// Multiplier (in percent) applied to `eth_estimateGas`.
    public var gasMarginPercent: UInt64 = 125
    /// Interval between receipt polls.
    public var pollInterval: Duration = .milliseconds(100)
    /// Longest wait for a receipt.
    public var receiptTimeout: Duration = .seconds(120)
    /// Sends of the same bytes while the node gives no answer (transport failure, HTTP 5xx,
    /// timeout) or says the nonce is too distant, with backoff from 100 ms doubling to 4 s.
    public var broadcastAttempts: Int = 8
    /// A transaction without a receipt this long after its broadcast is sent again, same bytes
    /// (a pool that evicted or never kept it); the wait doubles after each resend up to
    /// `rebroadcastMaxInterval`. Always safe: the node answers "Known transaction", mines it,
    /// or — once mined — "Nonce too low".
    public var rebroadcastInterval: Duration = .seconds(1)
    public var rebroadcastMaxInterval: Duration = .seconds(16)

    public init(client: EthClient, key: PrivateKey, chainID: UInt64, fees: FeePolicy = .eip1559Auto) {
        self.client = client
        self.key = key
        self.chainID = chainID
        self.fees = fees
    }

    /// The sender's address.
    public var address: Address { key.address }

    /// Resolves the fee policy into concrete fee fields.
    public func resolveFees() async throws(RPCError) -> TransactionFees {
        switch fees {
        case .legacyNodePrice: return .legacy(gasPrice: try await client.gasPrice())
        case .legacy(let price): return .legacy(gasPrice: price)
        case .eip1559(let tip, let cap): return .eip1559(maxPriorityFeePerGas: tip, maxFeePerGas: cap)
        case .eip1559Auto:
            guard let base = try await client.block(.latest)?.baseFeePerGas else {
                // A chain without a base fee (pre-London genesis) refuses type-2 transactions.
                return .legacy(gasPrice: try await client.gasPrice())
            }
            let tip = try await client.maxPriorityFeePerGas()
            return .eip1559(maxPriorityFeePerGas: tip, maxFeePerGas: base * 2 + tip)
        }
    }

    /// Builds and signs a transaction: nonce from the node's `pending` count unless given, gas
    /// from `eth_estimateGas` plus the margin unless given. An estimate that reverts throws
    /// `wouldRevert` with the decoded reason (decoded against `abi` when given).
    public func prepare(
        to: Address?, data: [UInt8], value: BigUInt = 0, gasLimit: UInt64? = nil, nonce: UInt64? = nil,
        abi: ContractABI? = nil
    ) async throws(SendError) -> SignedTransaction {
        do {
            let txNonce: UInt64
            if let nonce {
                txNonce = nonce
            } else {
                txNonce = try await client.transactionCount(of: address, at: .pending)
            }
            let gas: UInt64
            if let gasLimit {
                gas = gasLimit
            } else {
                do {
                    let estimate = try await client.estimateGas(
                        CallRequest(from: address, to: to, data: data, value: value))
                    let (scaled, overflow) = estimate.multipliedReportingOverflow(by: gasMarginPercent)
                    let blockLimit = try await client.block(.latest)?.gasLimit ?? UInt64.max
                    gas = overflow ? blockLimit : min(scaled / 100, blockLimit)
                } catch let error {
                    if let revert = error.revertData {
                        throw SendError.wouldRevert(RevertReason(data: revert, errors: abi?.errors ?? []))
                    }
                    throw SendError.rpc(error)
                }
            }
            let tx = Transaction(
                chainID: chainID, nonce: txNonce, fees: try await resolveFees(), gasLimit: gas, to: to, value: value,
                data: data)
            do { return try tx.signed(with: key) } catch { throw SendError.signing(error) }
        } catch let error as SendError {
            throw error
        } catch let error as RPCError {
            throw .rpc(error)
        } catch {
            throw .rpc(.malformedResponse(method: "prepare", reason: "\(error)"))
        }
    }

    /// Broadcasts raw bytes until the node has them. "Known transaction"/"already known" count
    /// as success, and so does any failure after which the node knows our hash (the send went
    /// through but its answer was lost, or the transaction was mined meanwhile and a resend met
    /// "Nonce too low"). No answer (transport failure, HTTP 5xx, timeout) and "too distant" are
    /// retried with the **same bytes** (never a new signature) up to `broadcastAttempts` times.
    /// "Nonce too low" for a transaction the node does not know throws `nonceTooLow`.
    public func broadcast(_ signed: SignedTransaction) async throws(SendError) {
        var delay = Duration.milliseconds(100)
        var attempt = 1
        while true {
            let failure: RPCError
            do {
                let hash = try await client.sendRawTransaction(signed.raw)
                guard hash == signed.hash else {
                    throw SendError.rpc(
                        .malformedResponse(
                            method: "eth_sendRawTransaction",
                            reason: "the node answered hash \(hash.hex) for transaction \(signed.hash.hex)"))
                }
                return
            } catch let error as RPCError {
                failure = error
            } catch let error as SendError {
                throw error
            } catch {
                throw .rpc(.malformedResponse(method: "eth_sendRawTransaction", reason: "\(error)"))
            }
            if failure.isKnownTransaction { return }
            if await isKnown(signed.hash) { return }
            if failure.isNonceTooLow { throw .nonceTooLow(hash: signed.hash, nonce: signed.transaction.nonce) }
            guard failure.isTransient || failure.isNonceTooDistant, attempt < broadcastAttempts else {
                throw .rpc(failure)
            }
            do { try await Task.sleep(for: delay) } catch { throw .rpc(failure) }
            delay = min(delay * 2, .seconds(4))
            attempt += 1
        }
    }

    /// True when the node knows the transaction (pooled or mined); false also when it cannot say.
    func isKnown(_ hash: [UInt8]) async -> Bool {
        if let known = try? await client.transaction(hash), known.hash == hash { return true }
        return false
    }

    /// Polls for the receipt until `receiptTimeout`.
    public func waitForReceipt(_ hash: [UInt8]) async throws(SendError) -> Receipt {
        try await pollReceipt(hash, resending: nil)
    }

    /// Polls for the receipt of `signed` until `receiptTimeout`, sending its same bytes again
    /// after `rebroadcastInterval` (doubling) without a receipt: a node that accepted it but lost
    /// it (evicted from the pool, or an answer faked by something in between) gets it again.
    /// Throws `nonceTooLow` when a resend meets "Nonce too low", the node does not know our
    /// hash, and the next poll still finds no receipt.
    public func waitForReceipt(_ signed: SignedTransaction) async throws(SendError) -> Receipt {
        try await pollReceipt(signed.hash, resending: signed)
    }

    private func pollReceipt(_ hash: [UInt8], resending signed: SignedTransaction?) async throws(SendError) -> Receipt {
        let clock = ContinuousClock()
        let start = clock.now
        var interval = rebroadcastInterval
        var nextResend = start + interval
        var nonceTaken = false
        while true {
            do {
                if let receipt = try await client.receipt(hash) { return receipt }
                if nonceTaken, let signed {
                    throw SendError.nonceTooLow(hash: hash, nonce: signed.transaction.nonce)
                }
            } catch let error as RPCError {
                guard error.isTransient else { throw .rpc(error) }  // else keep polling
            } catch let error as SendError {
                throw error
            } catch {
                throw .rpc(.malformedResponse(method: "eth_getTransactionReceipt", reason: "\(error)"))
            }
            if clock.now - start > receiptTimeout { throw .timedOut(hash: hash, waited: clock.now - start) }
            if let signed, clock.now >= nextResend {
                do { _ = try await client.sendRawTransaction(signed.raw) } catch let error {
                    // Mined meanwhile (its receipt shows on the next poll) or another
                    // transaction holds the nonce: the next poll decides.
                    if error.isNonceTooLow, await !isKnown(hash) { nonceTaken = true }
                }
                interval = min(interval * 2, rebroadcastMaxInterval)
                nextResend = clock.now + interval
                continue
            }
            do { try await Task.sleep(for: pollInterval) } catch {
                throw .timedOut(hash: hash, waited: clock.now - start)
            }
        }
    }

    /// Prepares, broadcasts and waits; a failed receipt throws `reverted` with the reason found
    /// by replaying the call at the block before.
    @discardableResult
    public func send(
        to: Address?, data: [UInt8], value: BigUInt = 0, gasLimit: UInt64? = nil, abi: ContractABI? = nil
    ) async throws(SendError) -> Receipt {
        let signed = try await prepare(to: to, data: data, value: value, gasLimit: gasLimit, abi: abi)
        try await broadcast(signed)
        let receipt = try await waitForReceipt(signed)
        guard receipt.succeeded else {
            throw .reverted(
                hash: signed.hash, receipt: receipt,
                reason: await revertReason(of: receipt, to: to, data: data, value: value, abi: abi))
        }
        return receipt
    }

    /// Why a mined transaction failed: its call replayed at the block before, decoded against
    /// `abi`. nil when the replay does not revert (the state it depended on has changed).
    public func revertReason(of receipt: Receipt, to: Address?, data: [UInt8], value: BigUInt, abi: ContractABI?)
        async -> RevertReason?
    {
        let block: BlockTag = receipt.blockNumber > 0 ? .number(receipt.blockNumber - 1) : .latest
        do {
            _ = try await client.call(CallRequest(from: address, to: to, data: data, value: value), at: block)
        } catch let error {
            if let revert = error.revertData { return RevertReason(data: revert, errors: abi?.errors ?? []) }
        }
        return nil
    }

    /// Deploys `artifact` with constructor arguments; returns the bound contract and the receipt.
    public func deploy(_ artifact: ContractArtifact, arguments: [ABIValue] = []) async throws(SendError) -> (
        Contract, Receipt
    ) {
        let data: [UInt8]
        do { data = try artifact.deploymentData(arguments) } catch { throw .encoding(error) }
        let receipt = try await send(to: nil, data: data, abi: artifact.abi)
        guard let address = receipt.contractAddress else {
            throw .rpc(
                .malformedResponse(
                    method: "eth_getTransactionReceipt", reason: "deployment receipt without contractAddress"))
        }
        return (Contract(address: address, abi: artifact.abi, client: client), receipt)
    }

    /// Sends a state-changing call to `contract.function(arguments)`.
    @discardableResult
    public func transact(_ contract: Contract, _ function: String, _ arguments: [ABIValue] = [], value: BigUInt = 0)
        async throws(SendError) -> Receipt
    {
        let data: [UInt8]
        do { data = try contract.abi.function(function).encodeCall(arguments) } catch { throw .encoding(error) }
        return try await send(to: contract.address, data: data, value: value, abi: contract.abi)
    }
}
