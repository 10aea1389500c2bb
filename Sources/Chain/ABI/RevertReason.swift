import BigInt

/// What a reverted call returned, decoded.
public enum RevertReason: Equatable, Sendable, CustomStringConvertible {
    /// `revert()` or `require(cond)` with no message: empty data.
    case empty
    /// `Error(string)` from `require(cond, "msg")` / `revert("msg")`.
    case message(String)
    /// `Panic(uint256)` from a failed assert, overflow, division by zero….
    case panic(code: BigUInt)
    /// A custom error known to the ABI, with its decoded arguments.
    case custom(ABICustomError, [ABIValue])
    /// Data that matches nothing known (kept raw).
    case unknown([UInt8])

    static let errorSelector = ABI.selector("Error(string)")
    static let panicSelector = ABI.selector("Panic(uint256)")

    /// Decodes `data`, trying `Error(string)`, `Panic(uint256)`, then `errors` by selector.
    public init(data: [UInt8], errors: [ABICustomError] = []) {
        guard data.count >= 4 else {
            self = data.isEmpty ? .empty : .unknown(data)
            return
        }
        let selector = Array(data.prefix(4))
        let body = Array(data.dropFirst(4))
        if selector == Self.errorSelector, let v = try? ABI.decode(.string, body), let s = v.stringValue {
            self = .message(s)
        } else if selector == Self.panicSelector, let v = try? ABI.decode(.uint(256), body), let c = v.uintValue {
            self = .panic(code: c)
        } else if let error = errors.first(where: { $0.selector == selector }),
            let args = try? ABI.decode(error.inputs.types, body)
        {
            self = .custom(error, args)
        } else {
            self = .unknown(data)
        }
    }

    /// The custom error's name, if this is one.
    public var customErrorName: String? {
        if case .custom(let e, _) = self { return e.name }
        return nil
    }

    /// Solidity's documented meaning of a panic code.
    public static func panicMeaning(_ code: BigUInt) -> String {
        switch code {
        case 0x00: return "generic compiler panic"
        case 0x01: return "assert failed"
        case 0x11: return "arithmetic overflow or underflow"
        case 0x12: return "division or modulo by zero"
        case 0x21: return "invalid enum value"
        case 0x22: return "corrupt storage byte array"
        case 0x31: return "pop on empty array"
        case 0x32: return "array index out of bounds"
        case 0x41: return "out of memory"
        case 0x51: return "call to a zero-initialised function pointer"
        default: return "unknown panic code"
        }
    }

    public var description: String {
        switch self {
        case .empty: return "reverted without data"
        case .message(let m): return "reverted: \(m)"
        case .panic(let code): return "panic 0x\(String(code, radix: 16)) (\(Self.panicMeaning(code)))"
        case .custom(let error, let args):
            return error.name + "("
                + zip(error.inputs, args).map { $0.name.isEmpty ? "\($1)" : "\($0.name)=\($1)" }
                .joined(separator: ", ") + ")"
        case .unknown(let data): return "reverted with unrecognised data \(data.hex)"
        }
    }
}
