import Chain
import Foundation
import PhaseRunner
import Testing

@Suite struct JournalTests {
    func temporaryJournal() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cer-journal-\(UUID().uuidString)/journal.jsonl")
    }

    @Test func recordsChainAndSurviveReopening() throws {
        let url = temporaryJournal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            let journal = try Journal.open(url)
            try journal.append("header", ["chainId": 1337, "manifest": "0xab"])
            try journal.append("salt", ["member": "anna", "salt": .string([UInt8](repeating: 7, count: 32).hex)])
            try journal.append("tx.signed", ["step": "commit/anna", "nonce": 3])
        }
        let reopened = try Journal.open(url)
        #expect(reopened.records.map(\.type) == ["header", "salt", "tx.signed"])
        #expect(reopened.records.map(\.sequence) == [0, 1, 2])
        #expect(reopened.records[1].previous == reopened.records[0].checksum)
        #expect(reopened.records[2].data["nonce"] == .int(3))
        #expect(reopened.repairedTornLine == nil)
        // Appending continues the chain.
        let next = try reopened.append("tx.mined", ["hash": "0x01"])
        #expect(next.sequence == 3 && next.previous == reopened.records[2].checksum)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    /// Indexed lookups answer what a scan of every record answers, before and after reopening.
    @Test func indexedLookupsEqualScans() throws {
        let url = temporaryJournal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var generator = SystemRandomNumberGenerator()
        let types = ["tx.signed", "tx.mined", "salt", "chunk"]
        let steps = (0..<12).map { "step/\($0)" }
        func check(_ journal: Journal) {
            for type in types + ["absent"] {
                #expect(journal.last(ofType: type)?.sequence == journal.records.last { $0.type == type }?.sequence)
                for field in ["step", "member", "note"] {
                    for value in steps + ["anna", "bob", "x"] {
                        let scanned = journal.records.filter { $0.type == type && $0.data[field]?.stringValue == value }
                        #expect(journal.records(ofType: type, where: field, is: value) == scanned)
                        guard field != "note" else { continue }
                        for start in [0, 1, scanned.count / 2, scanned.count, scanned.count + 3] {
                            #expect(
                                journal.records(ofType: type, where: field, is: value, from: start)
                                    == Array(scanned.dropFirst(start)))
                        }
                    }
                }
            }
        }
        do {
            let journal = try Journal.open(url)
            for n in 0..<300 {
                var data: [String: JSONValue] = ["n": .int(Int64(n))]
                data["step"] = .string(steps.randomElement(using: &generator)!)
                if Bool.random(using: &generator) { data["member"] = .string(["anna", "bob"].randomElement()!) }
                if Bool.random(using: &generator) { data["note"] = "x" }
                try journal.append(types.randomElement(using: &generator)!, .object(data))
            }
            check(journal)
        }
        check(try Journal.open(url))
    }

    @Test func aSecondWriterIsRefused() throws {
        let url = temporaryJournal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let first = try Journal.open(url)
        #expect(throws: JournalError.locked(path: url.path)) { try Journal.open(url) }
        _ = first
    }

    @Test func aTornLastLineIsCut() throws {
        let url = temporaryJournal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            let journal = try Journal.open(url)
            try journal.append("a", ["n": 1])
            try journal.append("b", ["n": 2])
        }
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        handle.write(Data("{\"v\":1,\"seq\":2,\"type\":\"tx.sig".utf8))
        try handle.close()
        let reopened = try Journal.open(url)
        #expect(reopened.records.count == 2)
        #expect(reopened.repairedTornLine?.hasPrefix("{\"v\":1,\"seq\":2") == true)
        try reopened.append("c", ["n": 3])
        #expect(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").count == 3)
    }

    @Test(arguments: ["alter", "drop", "garbage", "reorder"])
    func corruptionIsAnErrorNamingTheLine(_ kind: String) throws {
        let url = temporaryJournal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            let journal = try Journal.open(url)
            for i in 0..<4 { try journal.append("r", ["n": .int(Int64(i))]) }
        }
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        switch kind {
        case "alter": lines[1] = lines[1].replacingOccurrences(of: "\"n\":1", with: "\"n\":9")
        case "drop": lines.remove(at: 1)
        case "garbage": lines[1] = "not json"
        default: lines.swapAt(1, 2)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try Journal.open(url)
            Issue.record("a corrupt journal opened")
        } catch {
            guard case .corrupt(_, let line, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(line == 2)
            #expect(error.description.contains("line 2"))
        }
    }
}
