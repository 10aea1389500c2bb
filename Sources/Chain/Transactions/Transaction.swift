import BigInt
import Foundation

/// Errors from building, signing or decoding transactions.
public enum TransactionError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsupportedType(UInt8)
    case signature(KeyError)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed transaction: \(why)"
        case .unsupportedType(let t): return "unsupported transaction type 0x\(String(t, radix: 16))"
        case .signature(let e): return "transaction signature: \(e)"
        }
    }
}

/// The fee fields of a transaction: a legacy gas price, or EIP-1559 fee caps.
public enum TransactionFees: Equatable, Sendable {
    /// Legacy (type 0) pricing; signed with EIP-155 replay protection.
    case legacy(gasPrice: BigUInt)
    /// EIP-1559 (type 2) pricing.
    case eip1559(maxPriorityFeePerGas: BigUInt, maxFeePerGas: BigUInt)
}

/// An unsigned transaction, legacy (EIP-155) or EIP-1559.
public struct Transaction: Equatable, Sendable {
    public var chainID: UInt64
    public var nonce: UInt64
    public var fees: TransactionFees
    public var gasLimit: UInt64
    /// nil for contract creation.
    public var to: Address?
    public var value: BigUInt
    public var data: [UInt8]
    /// EIP-2930 access list (type 2 only).
    public var accessList: [AccessListEntry]

    public init(
        chainID: UInt64, nonce: UInt64, fees: TransactionFees, gasLimit: UInt64, to: Address?,
        value: BigUInt = 0, data: [UInt8] = [], accessList: [AccessListEntry] = []
    ) {
        self.chainID = chainID
        self.nonce = nonce
        self.fees = fees
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    /// The EIP-2718 type byte: 0 for legacy, 2 for EIP-1559.
    public var type: UInt8 {
        if case .legacy = fees { return 0 }
        return 2
    }

    private var toItem: RLPItem { .bytes(to?.bytes ?? []) }

    private var payloadFields: [RLPItem] {
        switch fees {
        case .legacy(let gasPrice):
            return [.uint(nonce), .uint(gasPrice), .uint(gasLimit), toItem, .uint(value), .bytes(data)]
        case .eip1559(let tip, let maxFee):
            return [
                .uint(chainID), .uint(nonce), .uint(tip), .uint(maxFee), .uint(gasLimit), toItem, .uint(value),
                .bytes(data), .list(accessList.map(\.rlp)),
            ]
        }
    }

    /// The bytes whose Keccak-256 is signed.
    public var signingPayload: [UInt8] {
        switch fees {
        case .legacy:
            return RLP.encode(.list(payloadFields + [.uint(chainID), .uint(0), .uint(0)]))
        case .eip1559:
            return [0x02] + RLP.encode(.list(payloadFields))
        }
    }

    /// Keccak-256 of the signing payload.
    public var signingHash: [UInt8] { Keccak256.hash(signingPayload) }

    /// Signs with `key` and returns the raw transaction, ready for `eth_sendRawTransaction`.
    public func signed(with key: PrivateKey) throws(TransactionError) -> SignedTransaction {
        let signature: Signature
        do { signature = try key.sign(hash: signingHash) } catch { throw .signature(error) }
        return SignedTransaction(transaction: self, signature: signature, sender: key.address)
    }

    /// Attaches an existing signature (e.g. from a hardware signer); the sender is recovered.
    public func attaching(_ signature: Signature) throws(TransactionError) -> SignedTransaction {
        let sender: Address
        do { sender = try signature.recoverAddress(hash: signingHash) } catch { throw .signature(error) }
        return SignedTransaction(transaction: self, signature: signature, sender: sender)
    }

    /// The EIP-155 `v` of a legacy signature: recovery id + 35 + 2·chainId (does not fit a byte).
    public static func eip155V(recoveryID: UInt8, chainID: UInt64) -> BigUInt {
        BigUInt(recoveryID) + 35 + 2 * BigUInt(chainID)
    }

    func signedFields(_ signature: Signature) -> [RLPItem] {
        let r = RLPItem.uint(BigUInt(Data(signature.r)))
        let s = RLPItem.uint(BigUInt(Data(signature.s)))
        switch fees {
        case .legacy:
            return payloadFields + [.uint(Self.eip155V(recoveryID: signature.recoveryID, chainID: chainID)), r, s]
        case .eip1559:
            return payloadFields + [.uint(signature.recoveryID), r, s]
        }
    }
}
