import BigInt
import Foundation

/// EIP-712 typed structured data: type encoding, struct hashing, domain separator and the
/// final digest `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`.
public struct TypedData: Sendable, Equatable {
    /// One member of a struct type.
    public struct Member: Sendable, Equatable, Codable {
        public var name: String
        public var type: String
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// Struct types by name, including `EIP712Domain`.
    public var types: [String: [Member]]
    public var primaryType: String
    public var domain: JSONValue
    public var message: JSONValue

    public init(types: [String: [Member]], primaryType: String, domain: JSONValue, message: JSONValue) {
        self.types = types
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
    }

    /// Errors naming the struct path that failed.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownType(String)
        case missingField(path: String)
        case badValue(path: String, type: String, reason: String)
        case invalidJSON(String)

        public var description: String {
            switch self {
            case .unknownType(let t): return "EIP-712: unknown type \"\(t)\""
            case .missingField(let p): return "EIP-712: missing field \(p)"
            case .badValue(let p, let t, let r): return "EIP-712: \(p) is not a valid \(t): \(r)"
            case .invalidJSON(let why): return "EIP-712: \(why)"
            }
        }
    }

    private struct Document: Decodable {
        var types: [String: [Member]]
        var primaryType: String
        var domain: JSONValue
        var message: JSONValue
    }

    /// Parses the JSON of `eth_signTypedData_v4`.
    public init(json: Data) throws(Failure) {
        do {
            let d = try JSONDecoder().decode(Document.self, from: json)
            self.init(types: d.types, primaryType: d.primaryType, domain: d.domain, message: d.message)
        } catch { throw .invalidJSON("\(error)") }
    }

    /// The struct types `type` references, transitively (without `type` itself), sorted by name.
    func dependencies(of type: String) -> [String] {
        var found = Set<String>()
        var stack = [type]
        while let current = stack.popLast() {
            for member in types[current] ?? [] {
                let base = Self.baseType(member.type)
                if types[base] != nil, base != type, !found.contains(base) {
                    found.insert(base)
                    stack.append(base)
                }
            }
        }
        return found.sorted()
    }

    static func baseType(_ type: String) -> String {
        if let bracket = type.firstIndex(of: "[") { return String(type[..<bracket]) }
        return type
    }

    /// `Mail(Person from,Person to,string contents)Person(string name,address wallet)`.
    public func encodeType(_ type: String) throws(Failure) -> String {
        var out = ""
        for name in [type] + dependencies(of: type) {
            guard let members = types[name] else { throw .unknownType(name) }
            out += name + "(" + members.map { "\($0.type) \($0.name)" }.joined(separator: ",") + ")"
        }
        return out
    }

    /// Keccak-256 of `encodeType`.
    public func typeHash(_ type: String) throws(Failure) -> [UInt8] { Keccak256.hash(try encodeType(type)) }

    /// `typeHash ‖ encodeData(member)…`.
    public func encodeData(_ type: String, _ value: JSONValue, path: String) throws(Failure) -> [UInt8] {
        guard let members = types[type] else { throw .unknownType(type) }
        var out = try typeHash(type)
        for member in members {
            let memberPath = "\(path).\(member.name)"
            guard let field = value[member.name] else {
                throw .missingField(path: memberPath)
            }
            out += try encodeField(member.type, field, path: memberPath)
        }
        return out
    }

    /// `keccak256(encodeData(type, value))`.
    public func hashStruct(_ type: String, _ value: JSONValue) throws(Failure) -> [UInt8] {
        Keccak256.hash(try encodeData(type, value, path: type))
    }

    func encodeField(_ type: String, _ value: JSONValue, path: String) throws(Failure) -> [UInt8] {
        if type.hasSuffix("]") {
            guard let open = type.lastIndex(of: "["), let items = value.arrayValue else {
                throw .badValue(path: path, type: type, reason: "expected an array")
            }
            let inner = String(type[..<open])
            let length = type[type.index(after: open)..<type.index(before: type.endIndex)]
            if !length.isEmpty, Int(length) != items.count {
                throw .badValue(path: path, type: type, reason: "expected \(length) elements, found \(items.count)")
            }
            var concatenated = [UInt8]()
            for (i, item) in items.enumerated() { concatenated += try encodeField(inner, item, path: "\(path)[\(i)]") }
            return Keccak256.hash(concatenated)
        }
        if types[type] != nil { return try hashStruct(type, value) }
        switch type {
        case "string":
            guard let s = value.stringValue else {
                throw .badValue(path: path, type: type, reason: "expected a string")
            }
            return Keccak256.hash(Array(s.utf8))
        case "bytes":
            guard let s = value.stringValue, let b = try? Hex.decode(s) else {
                throw .badValue(path: path, type: type, reason: "expected hex bytes")
            }
            return Keccak256.hash(b)
        default:
            let abiType: ABIType
            do { abiType = try ABIType(parsing: type) } catch { throw .unknownType(type) }
            let abiValue = try Self.atomicValue(abiType, value, path: path)
            do { return try ABI.encode(abiType, abiValue) } catch {
                throw .badValue(path: path, type: type, reason: "\(error)")
            }
        }
    }

    static func atomicValue(_ type: ABIType, _ value: JSONValue, path: String) throws(Failure) -> ABIValue {
        func integer() throws(Failure) -> BigInt {
            switch value {
            case .int(let i): return BigInt(i)
            case .string(let s):
                if s.hasPrefix("0x"), let q = try? Quantity.decode(s) { return BigInt(q) }
                let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
                if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let v = BigInt(s, radix: 10) {
                    return v
                }
            default: break
            }
            throw .badValue(path: path, type: type.description, reason: "expected an integer")
        }
        switch type {
        case .uint:
            let v = try integer()
            guard v.sign == .plus else { throw .badValue(path: path, type: type.description, reason: "negative") }
            return .uint(v.magnitude)
        case .int: return .int(try integer())
        case .bool:
            switch value {
            case .bool(let b): return .bool(b)
            case .string("true"): return .bool(true)
            case .string("false"): return .bool(false)
            default: throw .badValue(path: path, type: "bool", reason: "expected true or false")
            }
        case .address:
            guard let s = value.stringValue, let a = try? Address(s) else {
                throw .badValue(path: path, type: "address", reason: "expected a 20-byte hex address")
            }
            return .address(a)
        case .fixedBytes(let n):
            guard let s = value.stringValue, let b = try? Hex.decode(s), b.count == n else {
                throw .badValue(path: path, type: type.description, reason: "expected \(n) bytes of hex")
            }
            return .fixedBytes(b)
        default:
            throw .badValue(path: path, type: type.description, reason: "not an EIP-712 atomic type")
        }
    }

    /// `hashStruct("EIP712Domain", domain)`.
    public func domainSeparator() throws(Failure) -> [UInt8] { try hashStruct("EIP712Domain", domain) }

    /// The digest to sign.
    public func signingHash() throws(Failure) -> [UInt8] {
        Keccak256.hash([0x19, 0x01] + (try domainSeparator()) + (try hashStruct(primaryType, message)))
    }

    /// The 65-byte `r ‖ s ‖ v` signature (v = 27/28) of the digest.
    public func sign(with key: PrivateKey) throws -> Signature {
        try key.sign(hash: try signingHash())
    }
}
