/// Errors from ABI type parsing, encoding and decoding. Each names the path of the offending value
/// (e.g. `arg 2 → [3] → .1`).
public enum ABIError: Error, Equatable, CustomStringConvertible {
    case invalidType(String, String)
    case typeMismatch(path: String, expected: String, found: String)
    case outOfRange(path: String, type: String, value: String)
    case wrongCount(path: String, expected: Int, found: Int)
    case truncated(path: String, offset: Int, needed: Int, available: Int)
    case badOffset(path: String, offset: String)
    case invalidBool(path: String)
    case dirtyPadding(path: String, type: String)
    case invalidUTF8(path: String)
    case unknownSelector([UInt8])
    case unknownName(String)
    case invalidJSON(String)

    public var description: String {
        switch self {
        case .invalidType(let text, let why): return "invalid ABI type \"\(text)\": \(why)"
        case .typeMismatch(let p, let e, let f): return "ABI \(p): expected \(e), found \(f)"
        case .outOfRange(let p, let t, let v): return "ABI \(p): value \(v) does not fit \(t)"
        case .wrongCount(let p, let e, let f): return "ABI \(p): expected \(e) values, found \(f)"
        case .truncated(let p, let o, let n, let a):
            return "ABI \(p): data truncated at offset \(o) (need \(n) bytes, \(a) available)"
        case .badOffset(let p, let o): return "ABI \(p): offset or length \(o) points outside the data"
        case .invalidBool(let p): return "ABI \(p): bool must be 0 or 1"
        case .dirtyPadding(let p, let t): return "ABI \(p): \(t) has non-zero padding bits"
        case .invalidUTF8(let p): return "ABI \(p): string is not valid UTF-8"
        case .unknownSelector(let s): return "ABI: no function or error with selector \(s.hex)"
        case .unknownName(let n): return "ABI: no entry named \(n)"
        case .invalidJSON(let why): return "ABI JSON: \(why)"
        }
    }
}
