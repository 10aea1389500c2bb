import Chain
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The write-ahead journal of a session run: append-only JSON lines, each fsynced before the
/// action it records is taken, held under an exclusive lock so two runs of one session cannot
/// interleave. See docs/journal.md.
public final class Journal: @unchecked Sendable {
    public let url: URL
    private let descriptor: Int32
    private let lock = NSLock()
    private var lastChecksum: [UInt8]
    private var nextSequence: Int
    /// Every record, in order (those read at open and those appended since).
    public private(set) var records: [JournalRecord]
    /// Set when a torn last line (a crash mid-write) was cut at open.
    public let repairedTornLine: String?
    /// A planning copy (`cer-run plan`): appends stay in memory, nothing is written or locked.
    public let isPlanning: Bool
    /// Positions in `records` by type, and by type and value of an indexed field: lookups cost
    /// the number of matching records, not the journal's length (a 1,000-member run journals
    /// tens of thousands of records and looks one up before every step).
    private var byType: [String: [Int]] = [:]
    private var byField: [FieldKey: [Int]] = [:]

    /// The data fields `records(ofType:where:is:)` finds without scanning.
    public static let indexedFields = ["step", "member", "hash", "sender"]

    private struct FieldKey: Hashable {
        var type: String
        var field: String
        var value: String
    }

    private init(
        url: URL, descriptor: Int32, records: [JournalRecord], repairedTornLine: String?, isPlanning: Bool = false
    ) {
        self.url = url
        self.isPlanning = isPlanning
        self.descriptor = descriptor
        self.records = records
        self.lastChecksum = records.last?.checksum ?? [UInt8](repeating: 0, count: 32)
        self.nextSequence = records.count
        self.repairedTornLine = repairedTornLine
        for (position, record) in records.enumerated() { index(record, at: position) }
    }

    private func index(_ record: JournalRecord, at position: Int) {
        byType[record.type, default: []].append(position)
        for field in Self.indexedFields {
            if let value = record.data[field]?.stringValue {
                byField[FieldKey(type: record.type, field: field, value: value), default: []].append(position)
            }
        }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The journal as it is (empty when there is none), for planning: records appended to it
    /// stay in memory; the file is neither created, locked nor written.
    public static func planning(_ url: URL) throws(JournalError) -> Journal {
        let records = FileManager.default.fileExists(atPath: url.path) ? try readOnly(url) : []
        return Journal(url: url, descriptor: -1, records: records, repairedTornLine: nil, isPlanning: true)
    }

    /// Opens (creating if needed, with its folder) and locks the journal, reads and verifies
    /// every record. A last line without its newline is a write cut short by a crash: it is
    /// removed (and reported in `repairedTornLine`); any other bad line is an error naming it.
    public static func open(_ url: URL) throws(JournalError) -> Journal {
        let fm = FileManager.default
        let folder = url.deletingLastPathComponent()
        let path = url.path
        if !fm.fileExists(atPath: folder.path) {
            do { try fm.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw .io(path: path, reason: "cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
        let existed = fm.fileExists(atPath: path)
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            throw .locked(path: path)
        }
        if !existed { fsyncDirectory(folder) }
        do {
            let (records, torn) = try read(fd: fd, path: path)
            return Journal(url: url, descriptor: fd, records: records, repairedTornLine: torn)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Reads and verifies a journal without locking or repairing it (for `status` and audits);
    /// a torn last line is ignored.
    public static func readOnly(_ url: URL) throws(JournalError) -> [JournalRecord] {
        let fd = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: url.path, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(fd) }
        return try read(fd: fd, path: url.path, repair: false).0
    }

    private static func read(fd: Int32, path: String, repair: Bool = true) throws(JournalError) -> (
        [JournalRecord], String?
    ) {
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        lseek(fd, 0, SEEK_SET)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 { throw .io(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        var records = [JournalRecord]()
        var torn: String?
        var start = 0
        var lineNumber = 0
        var previous = [UInt8](repeating: 0, count: 32)
        while start < bytes.count {
            lineNumber += 1
            guard let end = bytes[start...].firstIndex(of: 0x0a) else {
                // No newline: the last write was cut short. Cut it off.
                torn = String(decoding: bytes[start...], as: UTF8.self)
                guard repair else { break }
                guard ftruncate(fd, off_t(start)) == 0, fsync(fd) == 0 else {
                    throw .io(path: path, reason: "cannot cut the torn last line: \(String(cString: strerror(errno)))")
                }
                break
            }
            let line = String(decoding: bytes[start..<end], as: UTF8.self)
            let record: JournalRecord
            do { record = try JournalRecord(line: line) } catch {
                throw .corrupt(path: path, line: lineNumber, problem: error)
            }
            guard record.version == JournalRecord.currentVersion else {
                throw .corrupt(path: path, line: lineNumber, problem: .unsupportedVersion(record.version))
            }
            guard record.sequence == records.count else {
                throw .corrupt(
                    path: path, line: lineNumber,
                    problem: .wrongSequence(expected: records.count, found: record.sequence))
            }
            guard record.previous == previous else {
                throw .corrupt(path: path, line: lineNumber, problem: .brokenChain)
            }
            records.append(record)
            previous = record.checksum
            start = end + 1
        }
        return (records, torn)
    }

    /// Appends a record and fsyncs it before returning: once this returns, the record survives
    /// a crash or power loss.
    @discardableResult
    public func append(_ type: String, _ data: JSONValue) throws(JournalError) -> JournalRecord {
        lock.lock()
        defer { lock.unlock() }
        let record = JournalRecord(sequence: nextSequence, type: type, previous: lastChecksum, data: data)
        if isPlanning {
            index(record, at: records.count)
            records.append(record)
            lastChecksum = record.checksum
            nextSequence += 1
            return record
        }
        let bytes = Array((record.line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBufferPointer { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: url.path, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            written += n
        }
        guard fsync(descriptor) == 0 else {
            throw .io(path: url.path, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
        index(record, at: records.count)
        records.append(record)
        lastChecksum = record.checksum
        nextSequence += 1
        CrashHook.recordAppended(record.sequence)
        return record
    }

    /// Records of one type, in order.
    public func records(ofType type: String) -> [JournalRecord] {
        lock.lock()
        defer { lock.unlock() }
        return (byType[type] ?? []).map { records[$0] }
    }

    /// Records of one type whose string field `field` (one of `indexedFields`) is `value`, in
    /// order.
    public func records(ofType type: String, where field: String, is value: String) -> [JournalRecord] {
        lock.lock()
        defer { lock.unlock() }
        guard Self.indexedFields.contains(field) else {
            return (byType[type] ?? []).map { records[$0] }.filter { $0.data[field]?.stringValue == value }
        }
        return (byField[FieldKey(type: type, field: field, value: value)] ?? []).map { records[$0] }
    }

    /// The matches of `records(ofType:where:is:)` from the `start`-th on: a caller folding
    /// over a growing set of records (a sender's nonces) reads each record once instead of
    /// every match on every call.
    public func records(ofType type: String, where field: String, is value: String, from start: Int)
        -> [JournalRecord]
    {
        lock.lock()
        defer { lock.unlock() }
        precondition(Self.indexedFields.contains(field), "\(field) is not an indexed field")
        let positions = byField[FieldKey(type: type, field: field, value: value)] ?? []
        guard start < positions.count else { return [] }
        return positions[max(0, start)...].map { records[$0] }
    }

    /// The latest record of `type`, if any.
    public func last(ofType type: String) -> JournalRecord? {
        lock.lock()
        defer { lock.unlock() }
        return byType[type]?.last.map { records[$0] }
    }

    private static func fsyncDirectory(_ folder: URL) {
        let fd = Glibc.open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            Glibc.close(fd)
        }
    }
}
