import Crypto
import CryptoExtras
import Foundation

/// Errors from reading or writing Web3 Secret Storage (keystore v3) files. None of them carries
/// key material.
public enum KeystoreError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidJSON(path: String, reason: String)
    case unsupported(path: String, what: String)
    case wrongPassword(path: String)
    case addressMismatch(path: String, declared: String, actual: String)
    case kdfFailed(String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "keystore \(p): cannot read (\(r))"
        case .invalidJSON(let p, let r): return "keystore \(p): not a keystore v3 file: \(r)"
        case .unsupported(let p, let w): return "keystore \(p): unsupported \(w)"
        case .wrongPassword(let p):
            return
                "keystore \(p): wrong password (the MAC does not match); check the password file or environment variable"
        case .addressMismatch(let p, let d, let a):
            return "keystore \(p): declares address \(d) but the key is for \(a)"
        case .kdfFailed(let r): return "keystore key derivation failed: \(r)"
        }
    }
}

/// Key-derivation settings for new keystore files.
public enum KeystoreKDF: Sendable, Equatable {
    /// scrypt with cost n (a power of two), block size r, parallelism p.
    case scrypt(n: Int, r: Int, p: Int)
    /// PBKDF2-HMAC-SHA256 with c iterations.
    case pbkdf2(iterations: Int)

    /// geth's "standard" scrypt parameters (n = 2^18, r = 8, p = 1).
    public static let standard = KeystoreKDF.scrypt(n: 262_144, r: 8, p: 1)
    /// geth's "light" scrypt parameters (n = 2^12, r = 8, p = 6), for tests and dev keys.
    public static let light = KeystoreKDF.scrypt(n: 4_096, r: 8, p: 6)
}

/// Web3 Secret Storage v3: scrypt or PBKDF2 key derivation, AES-128-CTR, Keccak-256 MAC.
/// Compatible with files written by geth, Besu, ethers and web3.
public enum Keystore {
    /// Decrypts a keystore file.
    public static func decrypt(file url: URL, password: String) throws(KeystoreError) -> PrivateKey {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
        return try decrypt(json: data, password: password, label: url.path)
    }

    /// Decrypts keystore JSON. `label` names the source in errors.
    public static func decrypt(json: Data, password: String, label: String = "<json>") throws(KeystoreError)
        -> PrivateKey
    {
        let root: JSONValue
        do { root = try JSONValue.parse(json) } catch { throw .invalidJSON(path: label, reason: "\(error)") }
        guard root["version"] == .int(3) else { throw .unsupported(path: label, what: "version (expected 3)") }
        guard let crypto = root["crypto"] ?? root["Crypto"] else {
            throw .invalidJSON(path: label, reason: "missing \"crypto\"")
        }
        func hex(_ value: JSONValue?, _ name: String) throws(KeystoreError) -> [UInt8] {
            guard let s = value?.stringValue, let b = try? Hex.decode(s) else {
                throw .invalidJSON(path: label, reason: "\(name) must be hex")
            }
            return b
        }
        func int(_ value: JSONValue?, _ name: String) throws(KeystoreError) -> Int {
            guard case .int(let i)? = value, i > 0, i <= Int64(Int32.max) else {
                throw .invalidJSON(path: label, reason: "\(name) must be a positive integer")
            }
            return Int(i)
        }
        guard crypto["cipher"]?.stringValue == "aes-128-ctr" else {
            throw .unsupported(
                path: label, what: "cipher \(crypto["cipher"]?.jsonText ?? "missing") (expected aes-128-ctr)")
        }
        let iv = try hex(crypto["cipherparams"]?["iv"], "cipherparams.iv")
        let ciphertext = try hex(crypto["ciphertext"], "ciphertext")
        let mac = try hex(crypto["mac"], "mac")
        guard let params = crypto["kdfparams"] else { throw .invalidJSON(path: label, reason: "missing kdfparams") }
        let salt = try hex(params["salt"], "kdfparams.salt")
        let dklen = try int(params["dklen"], "kdfparams.dklen")
        guard dklen >= 32 else { throw .unsupported(path: label, what: "dklen \(dklen) (need ≥ 32)") }
        let kdf: KeystoreKDF
        switch crypto["kdf"]?.stringValue {
        case "scrypt":
            kdf = .scrypt(n: try int(params["n"], "n"), r: try int(params["r"], "r"), p: try int(params["p"], "p"))
        case "pbkdf2":
            guard params["prf"]?.stringValue == "hmac-sha256" else {
                throw .unsupported(
                    path: label, what: "prf \(params["prf"]?.jsonText ?? "missing") (expected hmac-sha256)")
            }
            kdf = .pbkdf2(iterations: try int(params["c"], "c"))
        default:
            throw .unsupported(path: label, what: "kdf \(crypto["kdf"]?.jsonText ?? "missing")")
        }
        let derived = try deriveKey(password: password, salt: salt, kdf: kdf, length: dklen)
        guard Keccak256.hash(derived[16..<32] + ciphertext) == mac else { throw .wrongPassword(path: label) }
        let secret: [UInt8]
        do {
            secret = Array(
                try AES._CTR.decrypt(
                    ciphertext, using: SymmetricKey(data: derived[0..<16]), nonce: try AES._CTR.Nonce(nonceBytes: iv)))
        } catch { throw .invalidJSON(path: label, reason: "cannot decrypt: \(error)") }
        let key: PrivateKey
        do { key = try PrivateKey(bytes: secret) } catch {
            throw .invalidJSON(path: label, reason: "decrypted bytes are not a valid key")
        }
        if let declaredValue = root["address"], !declaredValue.isNull {
            let text = declaredValue.stringValue?.lowercased() ?? ""
            guard let address = try? Address("0x" + (text.hasPrefix("0x") ? String(text.dropFirst(2)) : text)) else {
                throw .invalidJSON(path: label, reason: "\"address\" is not a 20-byte hex address")
            }
            if address != key.address {
                throw .addressMismatch(path: label, declared: address.checksummed, actual: key.address.checksummed)
            }
        }
        return key
    }

    /// Encrypts `key` into keystore v3 JSON (pretty-printed, keys sorted).
    public static func encrypt(
        _ key: PrivateKey, password: String, kdf: KeystoreKDF = .standard, salt: [UInt8]? = nil, iv: [UInt8]? = nil,
        id: UUID = UUID()
    ) throws(KeystoreError) -> Data {
        let salt = salt ?? randomBytes(32)
        let iv = iv ?? randomBytes(16)
        let derived = try deriveKey(password: password, salt: salt, kdf: kdf, length: 32)
        let ciphertext: [UInt8]
        do {
            ciphertext = Array(
                try AES._CTR.encrypt(
                    key.secretBytes, using: SymmetricKey(data: derived[0..<16]),
                    nonce: try AES._CTR.Nonce(nonceBytes: iv)))
        } catch { throw .kdfFailed("AES-CTR: \(error)") }
        let mac = Keccak256.hash(derived[16..<32] + ciphertext)
        var kdfParams: [String: JSONValue] = ["dklen": 32, "salt": .string(Hex.encode(salt, prefix: false))]
        let kdfName: String
        switch kdf {
        case .scrypt(let n, let r, let p):
            kdfName = "scrypt"
            kdfParams["n"] = .int(Int64(n))
            kdfParams["r"] = .int(Int64(r))
            kdfParams["p"] = .int(Int64(p))
        case .pbkdf2(let c):
            kdfName = "pbkdf2"
            kdfParams["c"] = .int(Int64(c))
            kdfParams["prf"] = "hmac-sha256"
        }
        let document: JSONValue = [
            "version": 3,
            "id": .string(id.uuidString.lowercased()),
            "address": .string(Hex.encode(key.address.bytes, prefix: false)),
            "crypto": [
                "cipher": "aes-128-ctr",
                "cipherparams": ["iv": .string(Hex.encode(iv, prefix: false))],
                "ciphertext": .string(Hex.encode(ciphertext, prefix: false)),
                "kdf": .string(kdfName),
                "kdfparams": .object(kdfParams),
                "mac": .string(Hex.encode(mac, prefix: false)),
            ],
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { return try encoder.encode(document) } catch { throw .kdfFailed("JSON: \(error)") }
    }

    static func deriveKey(password: String, salt: [UInt8], kdf: KeystoreKDF, length: Int) throws(KeystoreError)
        -> [UInt8]
    {
        let passwordBytes = Array(password.utf8)
        let key: SymmetricKey
        do {
            switch kdf {
            case .scrypt(let n, let r, let p):
                guard n > 1, n & (n - 1) == 0, r <= 1024, p <= 1024, n <= 1 << 24 else {
                    throw KeystoreError.unsupported(path: "", what: "scrypt parameters n=\(n) r=\(r) p=\(p)")
                }
                // BoringSSL enforces RFC 7914's N < 2^(16·r); other files go through our own ROMix.
                if 16 * r < Int.bitWidth - 1, n >= 1 << (16 * r) {
                    return try Scrypt.derive(password: passwordBytes, salt: salt, n: n, r: r, p: p, length: length)
                }
                key = try KDF.Scrypt.deriveKey(
                    from: passwordBytes, salt: salt, outputByteCount: length, rounds: n, blockSize: r, parallelism: p)
            case .pbkdf2(let c):
                key = try KDF.Insecure.PBKDF2.deriveKey(
                    from: passwordBytes, salt: salt, using: .sha256, outputByteCount: length, unsafeUncheckedRounds: c)
            }
        } catch let error as KeystoreError {
            throw error
        } catch { throw .kdfFailed("\(error)") }
        return key.withUnsafeBytes { Array($0) }
    }

    /// Our own scrypt (used when BoringSSL refuses the parameters), exposed for its RFC 7914 test.
    public static func scryptForTesting(password: String, salt: [UInt8], n: Int, r: Int, p: Int, length: Int) throws
        -> [UInt8]
    {
        try Scrypt.derive(password: Array(password.utf8), salt: salt, n: n, r: r, p: p, length: length)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }
}
