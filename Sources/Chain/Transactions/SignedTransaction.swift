import BigInt
import Foundation

/// A signed transaction with its raw encoding, hash and sender.
public struct SignedTransaction: Equatable, Sendable {
    public let transaction: Transaction
    public let signature: Signature
    /// The signer, recovered or known at signing.
    public let sender: Address
    /// The raw bytes for `eth_sendRawTransaction` (RLP for legacy, 0x02 ‖ RLP for type 2).
    public let raw: [UInt8]
    /// Keccak-256 of `raw`: the transaction hash.
    public let hash: [UInt8]

    init(transaction: Transaction, signature: Signature, sender: Address) {
        self.transaction = transaction
        self.signature = signature
        self.sender = sender
        let body = RLP.encode(.list(transaction.signedFields(signature)))
        raw = transaction.type == 0 ? body : [transaction.type] + body
        hash = Keccak256.hash(raw)
    }

    /// `0x`-prefixed hash.
    public var hashHex: String { hash.hex }

    /// Decodes raw bytes (legacy with EIP-155 or pre-EIP-155 v, or type 2) and recovers the sender.
    public init(raw: [UInt8]) throws(TransactionError) {
        guard let first = raw.first else { throw .malformed("empty input") }
        if first >= 0xc0 {
            try self.init(legacy: raw)
        } else if first == 0x02 {
            try self.init(eip1559: raw)
        } else {
            throw .unsupportedType(first)
        }
    }

    private static func fields(_ bytes: [UInt8], count: Int) throws(TransactionError) -> [RLPItem] {
        let item: RLPItem
        do { item = try RLP.decode(bytes) } catch { throw .malformed("\(error)") }
        guard case .list(let fields) = item, fields.count == count else {
            throw .malformed("expected a list of \(count) fields")
        }
        return fields
    }

    private static func to(_ item: RLPItem) throws(TransactionError) -> Address? {
        guard let bytes = item.byteValue else { throw .malformed("`to` must be a byte string") }
        if bytes.isEmpty { return nil }
        guard let address = Address(bytes: bytes) else { throw .malformed("`to` must have 0 or 20 bytes") }
        return address
    }

    private static func scalar(_ item: RLPItem, _ name: String) throws(TransactionError) -> BigUInt {
        do { return try item.bigUInt() } catch { throw .malformed("field \(name): \(error)") }
    }

    private static func signature(r: RLPItem, s: RLPItem, recoveryID: UInt8) throws(TransactionError) -> Signature {
        let rValue = try scalar(r, "r")
        let sValue = try scalar(s, "s")
        guard rValue.bitWidth <= 256, sValue.bitWidth <= 256 else { throw .malformed("r or s exceeds 256 bits") }
        return Signature(r: rValue.paddedBytes(), s: sValue.paddedBytes(), recoveryID: recoveryID)
    }

    private static func u64(_ item: RLPItem, _ name: String) throws(TransactionError) -> UInt64 {
        let value = try scalar(item, name)
        guard value.bitWidth <= 64 else { throw .malformed("field \(name) exceeds 64 bits") }
        return UInt64(value)
    }

    private static func data(_ item: RLPItem, _ name: String) throws(TransactionError) -> [UInt8] {
        guard let bytes = item.byteValue else { throw .malformed("field \(name) must be a byte string") }
        return bytes
    }

    private init(legacy raw: [UInt8]) throws(TransactionError) {
        let f = try Self.fields(raw, count: 9)
        let v = try Self.scalar(f[6], "v")
        let chainID: UInt64
        let recid: UInt8
        if v == 27 || v == 28 {
            throw .malformed("pre-EIP-155 signature (v = \(v)) has no replay protection; not accepted")
        } else if v >= 35 {
            let base = v - 35
            guard (base / 2).bitWidth <= 64 else { throw .malformed("chain id exceeds 64 bits") }
            chainID = UInt64(base / 2)
            recid = UInt8(base % 2)
        } else {
            throw .malformed("invalid v \(v)")
        }
        let tx = Transaction(
            chainID: chainID, nonce: try Self.u64(f[0], "nonce"),
            fees: .legacy(gasPrice: try Self.scalar(f[1], "gasPrice")), gasLimit: try Self.u64(f[2], "gas"),
            to: try Self.to(f[3]), value: try Self.scalar(f[4], "value"), data: try Self.data(f[5], "data"))
        let signature = try Self.signature(r: f[7], s: f[8], recoveryID: recid)
        let signed = try tx.attaching(signature)
        guard signed.raw == raw else { throw .malformed("non-canonical encoding") }
        self = signed
    }

    private init(eip1559 raw: [UInt8]) throws(TransactionError) {
        let f = try Self.fields(Array(raw.dropFirst()), count: 12)
        guard case .list(let entries) = f[8] else { throw .malformed("access list must be a list") }
        var accessList = [AccessListEntry]()
        for entry in entries { accessList.append(try AccessListEntry(rlp: entry)) }
        let parity = try Self.scalar(f[9], "yParity")
        guard parity <= 1 else { throw .malformed("yParity must be 0 or 1") }
        let tx = Transaction(
            chainID: try Self.u64(f[0], "chainId"), nonce: try Self.u64(f[1], "nonce"),
            fees: .eip1559(
                maxPriorityFeePerGas: try Self.scalar(f[2], "maxPriorityFeePerGas"),
                maxFeePerGas: try Self.scalar(f[3], "maxFeePerGas")),
            gasLimit: try Self.u64(f[4], "gas"), to: try Self.to(f[5]), value: try Self.scalar(f[6], "value"),
            data: try Self.data(f[7], "data"), accessList: accessList)
        let signature = try Self.signature(r: f[10], s: f[11], recoveryID: UInt8(parity))
        let signed = try tx.attaching(signature)
        guard signed.raw == raw else { throw .malformed("non-canonical encoding") }
        self = signed
    }
}
