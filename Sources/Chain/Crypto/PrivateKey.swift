import CSecp256k1

/// Errors from key handling and signing.
public enum KeyError: Error, Equatable, CustomStringConvertible {
    case invalidPrivateKey
    case invalidSignature(String)
    case invalidHashLength(Int)
    case recoveryFailed

    public var description: String {
        switch self {
        case .invalidPrivateKey:
            return "invalid secp256k1 private key (must be 32 bytes, non-zero, below the curve order)"
        case .invalidSignature(let why): return "invalid signature: \(why)"
        case .invalidHashLength(let n): return "a message hash has 32 bytes, got \(n)"
        case .recoveryFailed: return "could not recover a public key from the signature"
        }
    }
}

/// A secp256k1 private key. Its bytes are never printed: `description`, `debugDescription` and
/// reflection show only the derived address.
public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let secret: [UInt8]
    /// The account address derived from this key.
    public let address: Address
    /// The uncompressed public key without its 0x04 prefix (64 bytes).
    public let publicKey: [UInt8]

    /// Wraps 32 secret bytes after checking they form a valid key.
    public init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32, secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, bytes) == 1 else {
            throw .invalidPrivateKey
        }
        secret = bytes
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &pubkey, bytes) == 1 else {
            throw .invalidPrivateKey
        }
        var out = [UInt8](repeating: 0, count: 65)
        var length = 65
        secp256k1_ec_pubkey_serialize(
            Secp256k1Context.shared.pointer, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        publicKey = Array(out[1...])
        address = Address(unchecked: Array(Keccak256.hash(publicKey).suffix(20)))
    }

    /// Parses 64 hex digits (with or without 0x).
    public init(hex: String) throws(KeyError) {
        guard let bytes = try? Hex.decode(hex, count: 32) else { throw .invalidPrivateKey }
        try self.init(bytes: bytes)
    }

    /// A fresh key from the system's secure random generator.
    public static func random() -> PrivateKey {
        var rng = SystemRandomNumberGenerator()
        while true {
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
            if let key = try? PrivateKey(bytes: bytes) { return key }
        }
    }

    /// The secret bytes, for keystore encryption only.
    public var secretBytes: [UInt8] { secret }

    /// Signs a 32-byte hash. libsecp256k1 always produces a low-s signature (s ≤ n/2); this is
    /// checked again before returning.
    public func sign(hash: [UInt8]) throws(KeyError) -> Signature {
        guard hash.count == 32 else { throw .invalidHashLength(hash.count) }
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard
            secp256k1_ecdsa_sign_recoverable(Secp256k1Context.shared.pointer, &signature, hash, secret, nil, nil)
                == 1
        else { throw .invalidPrivateKey }
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(
            Secp256k1Context.shared.pointer, &compact, &recid, &signature)
        let result = Signature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryID: UInt8(recid))
        guard result.isLowS else { throw .invalidSignature("libsecp256k1 returned a high-s signature") }
        return result
    }

    public var description: String { "PrivateKey(address: \(address.checksummed))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["address": address]) }
}
