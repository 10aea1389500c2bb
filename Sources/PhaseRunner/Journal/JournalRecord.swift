import Chain
import Foundation

/// One line of the write-ahead journal. Its checksum covers every other field, and `prev` is
/// the previous record's checksum, so the journal is a hash chain: a changed, dropped or
/// reordered line is detected.
public struct JournalRecord: Sendable, Equatable {
    /// Format version of the record.
    public var version: Int
    /// 0-based position in the journal.
    public var sequence: Int
    public var type: String
    /// Checksum of the previous record (32 zero bytes for the first).
    public var previous: [UInt8]
    /// Record payload: strings, integers, bools, arrays and objects (no floating point).
    public var data: JSONValue
    /// keccak-256 of the canonical JSON of every other field.
    public var checksum: [UInt8]

    static let currentVersion = 1

    init(sequence: Int, type: String, previous: [UInt8], data: JSONValue) {
        self.version = Self.currentVersion
        self.sequence = sequence
        self.type = type
        self.previous = previous
        self.data = data
        self.checksum = []
        self.checksum = Keccak256.hash(Array(unsignedJSON.jsonText.utf8))
    }

    var unsignedJSON: JSONValue {
        [
            "v": .int(Int64(version)), "seq": .int(Int64(sequence)), "type": .string(type),
            "prev": .string(previous.hex), "data": data,
        ]
    }

    /// The line written to the file (without the newline).
    var line: String {
        guard case .object(var object) = unsignedJSON else { return "" }
        object["sum"] = .string(checksum.hex)
        return JSONValue.object(object).jsonText
    }

    /// Parses and verifies one line; the error says what is wrong with it.
    init(line: String) throws(JournalError.LineProblem) {
        guard let value = try? JSONValue.parse(Data(line.utf8)), case .object(var object) = value else {
            throw .notJSON
        }
        guard case .string(let sumText)? = object.removeValue(forKey: "sum"),
            let sum = try? Hex.decode(sumText, count: 32)
        else { throw .missing("sum") }
        guard case .int(let v)? = object["v"] else { throw .missing("v") }
        guard case .int(let seq)? = object["seq"] else { throw .missing("seq") }
        guard case .string(let type)? = object["type"] else { throw .missing("type") }
        guard case .string(let prevText)? = object["prev"], let prev = try? Hex.decode(prevText, count: 32) else {
            throw .missing("prev")
        }
        guard let data = object["data"] else { throw .missing("data") }
        guard Keccak256.hash(Array(JSONValue.object(object).jsonText.utf8)) == sum else { throw .badChecksum }
        self.version = Int(v)
        self.sequence = Int(seq)
        self.type = type
        self.previous = prev
        self.data = data
        self.checksum = sum
    }
}

/// Errors reading or writing a journal; each names the file and, for bad content, the line.
public enum JournalError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with one line.
    public enum LineProblem: Error, Equatable, CustomStringConvertible {
        case notJSON
        case missing(String)
        case badChecksum
        case wrongSequence(expected: Int, found: Int)
        case brokenChain
        case unsupportedVersion(Int)

        public var description: String {
            switch self {
            case .notJSON: return "not a JSON object"
            case .missing(let field): return "field \"\(field)\" missing or malformed"
            case .badChecksum: return "checksum does not match its content (the line was altered)"
            case .wrongSequence(let e, let f):
                return "sequence \(f) where \(e) was expected (a line was dropped or moved)"
            case .brokenChain: return "does not chain to the previous line's checksum (a line was dropped or altered)"
            case .unsupportedVersion(let v): return "record version \(v) is not supported by this cer-run"
            }
        }
    }

    case io(path: String, reason: String)
    case locked(path: String)
    case corrupt(path: String, line: Int, problem: LineProblem)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "journal \(path): \(reason)"
        case .locked(let path):
            return
                "journal \(path) is in use by another cer-run (one run per session at a time); wait for it or stop it"
        case .corrupt(let path, let line, let problem):
            return
                "journal \(path) line \(line): \(problem); nothing was sent. Restore the file from a backup, or move it away to start over (the chain keeps what was sent)"
        }
    }
}
