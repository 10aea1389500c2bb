import Chain
import Foundation
import PhaseRunner
import Testing

/// Corpus fuzzing of the journal reader (`Journal.readOnly`, `Journal.open`): ≥ 1,000
/// deterministic malformed journal files made by mutating a valid one (bytes, altered,
/// dropped, duplicated and reordered lines, bad checksums, broken `prev` chains, torn last
/// lines, non-JSON, floats, huge integers, deep nesting, BOMs, CRLF, NULs) and forged lines
/// with correct checksums. Each must end in records or a `JournalError`; a trap would end the
/// test process. See docs/reliability.md, "Fuzzing".
@Suite struct FuzzJournalTests {
    /// A valid journal's bytes (five records with varied payloads).
    static func seed() throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cer-fuzz-seed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("journal.jsonl")
        do {
            let journal = try Journal.open(url)
            try journal.append("header", ["chainId": 1337, "manifest": "0xab", "members": ["anna", "bruno"]])
            try journal.append("salt", ["member": "anna", "salt": .string([UInt8](repeating: 7, count: 32).hex)])
            try journal.append("tx.signed", ["step": "commit/anna", "nonce": 3, "raw": "0x02f8", "ok": true])
            try journal.append("tx.mined", ["hash": "0x01", "status": 1, "note": "é😀 \"quoted\" \\ /", "none": nil])
            try journal.append("done", ["nested": ["a": ["b": [1, 2, ["c": -9_223_372_036_854_775_808]]]]])
        }
        return [UInt8](try Data(contentsOf: url))
    }

    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map(Array.init)
    }

    /// A record line with a correct checksum for the given fields.
    static func forged(v: JSONValue = 1, seq: JSONValue, type: String = "x", prev: String, data: JSONValue = [:])
        -> [UInt8]
    {
        var object: [String: JSONValue] = [
            "v": v, "seq": seq, "type": .string(type), "prev": .string(prev), "data": data,
        ]
        let sum = Keccak256.hash(Array(JSONValue.object(object).jsonText.utf8))
        object["sum"] = .string(sum.hex)
        return Array(JSONValue.object(object).jsonText.utf8)
    }

    @Test func corpusEndsInRecordsOrTypedError() throws {
        let seed = try Self.seed()
        let seedLines = Self.lines(seed).dropLast()  // the file ends with a newline
        #expect(seedLines.count == 5)
        var m = JournalMutator(seed: 0x4A52_4E01)
        var corpus = [[UInt8]]()
        for _ in 0..<500 { corpus.append(m.mutateBytes(seed)) }
        for _ in 0..<500 { corpus.append(m.mutateLines(Array(seedLines))) }
        corpus += structured(Array(seedLines), &m)
        #expect(corpus.count >= 1_000)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cer-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("journal.jsonl")
        var accepted = 0
        for (index, input) in corpus.enumerated() {
            try Data(input).write(to: url)
            let lineCount = input.count { $0 == 0x0a } + 1
            let readOnly: Result<[JournalRecord], JournalError>
            do { readOnly = .success(try Journal.readOnly(url)) } catch { readOnly = .failure(error) }
            switch readOnly {
            case .success(let records):
                accepted += 1
                // Accepted records form a chain from zero, in order.
                for (i, record) in records.enumerated() {
                    #expect(record.sequence == i)
                    #expect(record.previous == (i == 0 ? [UInt8](repeating: 0, count: 32) : records[i - 1].checksum))
                }
            case .failure(.corrupt(let path, let line, _)):
                #expect(path == url.path)
                #expect(line >= 1 && line <= lineCount)
            case .failure(let error):
                Issue.record("unexpected \(error) for input \(index)")
            }
            // Opening (which cuts a torn last line) agrees with the read-only view, for a
            // fifth of the inputs.
            guard index % 5 == 0 else { continue }
            let opened: Result<[JournalRecord], JournalError>
            do { opened = .success(try Journal.open(url).records) } catch { opened = .failure(error) }
            #expect(opened == readOnly, "input \(index)")
        }
        #expect(accepted > 0 && accepted < corpus.count)
    }

    /// Any single byte changed inside line k (not making a newline, and not merely changing
    /// the case of a hex digit or of `0x`) is rejected with an error naming line k.
    @Test func aMutatedLineIsRejectedWithItsNumber() throws {
        let seed = try Self.seed()
        let lines = Array(Self.lines(seed).dropLast())
        var m = JournalMutator(seed: 0x4A52_4E02)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cer-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("journal.jsonl")
        var tried = 0
        while tried < 150 {
            let k = m.int(lines.count)
            var line = lines[k]
            let p = m.int(line.count)
            let old = line[p]
            let new = UInt8(0x20 + m.int(0x5f))  // printable ASCII
            let isHex = { (b: UInt8) in
                (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
            }
            // `Hex.decode` reads `sum` case-insensitively (and `0X`): such edits are not corruption.
            guard new != old, !(isHex(old) && isHex(new) && (old | 0x20) == (new | 0x20)), !(old == 0x78 && new == 0x58)
            else { continue }
            line[p] = new
            var file = lines
            file[k] = line
            try Data(file.joined(separator: [0x0a]) + [0x0a]).write(to: url)
            tried += 1
            do {
                let records = try Journal.readOnly(url)
                Issue.record(
                    "accepted line \(k + 1) changed to \(String(decoding: line, as: UTF8.self)): \(records.count)")
            } catch {
                guard case .corrupt(_, let reported, _) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(reported == k + 1, "\(error)")
            }
        }
    }

    // MARK: Generators

    func structured(_ lines: [[UInt8]], _ m: inout JournalMutator) -> [[UInt8]] {
        var out = [[UInt8]]()
        let zero = "0x" + String(repeating: "0", count: 64)
        func file(_ lines: [[UInt8]], newline: Bool = true) -> [UInt8] {
            lines.joined(separator: [0x0a]) + (newline ? [0x0a] : [])
        }
        // Forged first lines with correct checksums but wrong fields.
        let badFields: [(JSONValue, JSONValue, String)] = [
            (2, 0, zero), (0, 0, zero), (1, 1, zero), (1, -1, zero), (1, 0, "0x" + String(repeating: "1", count: 64)),
            (1, 0, "0x00"), (1, 0, "zz"), (.double(1.5), 0, zero), (1, .double(0.0), zero), (1, "0", zero),
            (.int(Int64.max), 0, zero), (1, .int(Int64.min), zero), (1, .int(Int64.max), zero),
        ]
        for (v, seq, prev) in badFields {
            out.append(file([Self.forged(v: v, seq: seq, prev: prev)]))
            out.append(file(lines + [Self.forged(v: v, seq: seq, prev: prev)]))
        }
        // A forged, correctly summed line appended with a wrong prev or sequence.
        for _ in 0..<40 {
            let seq = JSONValue.int(Int64(lines.count + m.int(3) - 1))
            let prev = m.int(2) == 0 ? zero : "0x" + (0..<32).map { _ in String(format: "%02x", m.int(256)) }.joined()
            out.append(file(lines + [Self.forged(seq: seq, prev: prev, data: ["n": .int(Int64(m.int(1000)))])]))
        }
        // Torn last lines: every prefix of the last line, without its newline.
        let last = lines[lines.count - 1]
        for length in stride(from: 0, to: last.count, by: 3) {
            out.append(file(Array(lines.dropLast()) + [Array(last.prefix(length))], newline: false))
        }
        // Whole-file oddities.
        let text: [String] = [
            "", "\n", "\n\n", "{}\n", "[]\n", "null\n", "\"x\"\n", "1\n", "1.5\n", "{\"v\":1}\n", "\u{FEFF}\n",
            "{\"sum\":\"0x\"}\n",
            "{" + String(repeating: "\"a\":{", count: 600) + String(repeating: "}", count: 601) + "\n",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "\n",
            "{\"v\":1e400,\"seq\":0}\n", "{\"v\":99999999999999999999999,\"seq\":0}\n", "\u{0}\n",
            "{\"v\":1,\"v\":2}\n",
        ]
        out += text.map { Array($0.utf8) }
        out.append([UInt8](repeating: 0x0a, count: 500))
        out.append([0xEF, 0xBB, 0xBF] + file(lines))
        out.append(
            Array(String(decoding: file(lines), as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8))
        out.append([0xff, 0xfe, 0x0a])
        return out
    }
}

/// Seeded mutations of journal files.
struct JournalMutator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }

    static let tokens = [
        "1.0", "1e0", "-0", "0.5", "1e400", "99999999999999999999", "null", "true", "\"\"", "{}", "[]", "\\u0000",
        "\\ud800", "\"", ",", ":", "}", "{", "\u{0}", "é", "0x", "0X", "\r",
    ].map { Array($0.utf8) }

    mutating func mutateBytes(_ seed: [UInt8]) -> [UInt8] {
        var b = seed
        for _ in 0...int(3) {
            guard !b.isEmpty else { break }
            let p = int(b.count)
            switch int(7) {
            case 0: b[p] ^= 1 << UInt8(int(8))
            case 1: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: p)
            case 2: b.remove(at: p)
            case 3: b = Array(b.prefix(p))
            case 4: b.insert(contentsOf: Self.tokens[int(Self.tokens.count)], at: p)
            case 5: b.insert(contentsOf: b[p..<min(b.count, p + int(80))], at: int(b.count))
            default: b[p] = [0x00, 0x0a, 0x0d, 0x22, 0x5c, 0x7b, 0x7d, 0x2c, 0x30, 0x39, 0xff][int(11)]
            }
        }
        return b
    }

    /// Lines dropped, duplicated, swapped, truncated (torn), merged or replaced by non-JSON.
    mutating func mutateLines(_ seedLines: [[UInt8]]) -> [UInt8] {
        var lines = seedLines
        var newline = true
        for _ in 0...int(2) {
            guard !lines.isEmpty else { break }
            let i = int(lines.count)
            switch int(8) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: i)
            case 2: lines.swapAt(i, int(lines.count))
            case 3:
                lines[i] = Array(lines[i].prefix(int(lines[i].count)))
                if i == lines.count - 1 { newline = false }
            case 4: lines[i] = Array("not json".utf8)
            case 5: lines.insert([], at: i)
            case 6:
                // A value changed inside the line: the checksum no longer matches.
                let text = String(decoding: lines[i], as: UTF8.self)
                lines[i] = Array(
                    text.replacingOccurrences(of: "\"seq\":\(i)", with: "\"seq\":\(i).0")
                        .replacingOccurrences(of: "\"v\":1", with: "\"v\":1.0").replacingOccurrences(
                            of: "1337", with: "1338"
                        ).utf8)
            default: newline = false
            }
        }
        return lines.joined(separator: [0x0a]) + (newline ? [0x0a] : [])
    }
}
