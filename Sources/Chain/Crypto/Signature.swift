import BigInt
import CSecp256k1
import Foundation

/// A recoverable ECDSA signature over secp256k1.
public struct Signature: Hashable, Sendable {
    /// 32-byte big-endian r.
    public let r: [UInt8]
    /// 32-byte big-endian s.
    public let s: [UInt8]
    /// The recovery id, 0 or 1 (the y-parity of R).
    public let recoveryID: UInt8

    /// The curve order n.
    public static let curveOrder = BigUInt(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", radix: 16)!
    /// n / 2: signatures with s above it are rejected (EIP-2).
    public static let halfCurveOrder = curveOrder / 2

    /// Builds a signature from its parts. r and s are left-padded to 32 bytes.
    public init(r: [UInt8], s: [UInt8], recoveryID: UInt8) {
        precondition(recoveryID <= 3, "a secp256k1 recovery id is 0…3")
        self.r = [UInt8](repeating: 0, count: max(0, 32 - r.count)) + r.suffix(32)
        self.s = [UInt8](repeating: 0, count: max(0, 32 - s.count)) + s.suffix(32)
        self.recoveryID = recoveryID
    }

    /// Parses the 65-byte `r ‖ s ‖ v` form, with v either 0/1 or 27/28.
    public init(rsv bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 65 else { throw .invalidSignature("expected 65 bytes, got \(bytes.count)") }
        let v = bytes[64]
        let recid: UInt8
        switch v {
        case 0, 1: recid = v
        case 27, 28: recid = v - 27
        default: throw .invalidSignature("v must be 0, 1, 27 or 28, got \(v)")
        }
        self.init(r: Array(bytes[0..<32]), s: Array(bytes[32..<64]), recoveryID: recid)
    }

    /// `r ‖ s ‖ v` with v = 27 + recovery id (the form `ecrecover` and EIP-712 tooling use).
    public var rsv: [UInt8] { r + s + [recoveryID + 27] }

    /// True when s ≤ n/2.
    public var isLowS: Bool { BigUInt(Data(s)) <= Self.halfCurveOrder }

    /// Recovers the signer's address from a 32-byte hash. Rejects high-s signatures and r or s
    /// outside [1, n-1].
    public func recoverAddress(hash: [UInt8]) throws(KeyError) -> Address {
        guard hash.count == 32 else { throw .invalidHashLength(hash.count) }
        guard recoveryID <= 1 else { throw .invalidSignature("recovery id must be 0 or 1") }
        let rValue = BigUInt(Data(r))
        let sValue = BigUInt(Data(s))
        guard rValue > 0, rValue < Self.curveOrder, sValue > 0 else {
            throw .invalidSignature("r or s out of range")
        }
        guard isLowS else { throw .invalidSignature("s is in the upper half of the curve order (EIP-2)") }
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard
            secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, r + s, Int32(recoveryID))
                == 1
        else { throw .invalidSignature("cannot parse r and s") }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &pubkey, &signature, hash) == 1 else { throw .recoveryFailed }
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        secp256k1_ec_pubkey_serialize(context, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return Address(unchecked: Array(Keccak256.hash(out[1...]).suffix(20)))
    }
}

/// Recovers the address that signed `hash`, like the EVM's `ecrecover` precompile but strict
/// about low-s.
public func ecrecover(hash: [UInt8], signature: Signature) throws(KeyError) -> Address {
    try signature.recoverAddress(hash: hash)
}
