import Foundation

/// One CSV record: its fields (quotes removed, `""` unescaped, surrounding spaces trimmed) and
/// the physical line it starts on.
struct CSVRecord: Sendable, Hashable {
    var line: Int
    var fields: [String]

    /// True when every field is empty (blank lines and `;;;` lines of spreadsheet exports).
    var isBlank: Bool { fields.allSatisfy(\.isEmpty) }
}

/// Splits CSV bytes into records: UTF-8 with or without BOM, LF, CRLF or CR line ends,
/// RFC 4180 quotes (a quoted field may hold the separator, `""` and line breaks).
struct CSVTokenizer {
    let file: String

    /// The bytes without a UTF-8 BOM, checked to be UTF-8.
    func text(_ bytes: [UInt8]) throws(MeterDataError) -> [UInt8] {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard String(data: Data(body), encoding: .utf8) != nil else {
            throw MeterDataError([
                MeterIssue(
                    .notUTF8, at: SourceLocation(file: file, line: 1), expected: "UTF-8 text",
                    hint: "export the file as UTF-8 (Excel: \"CSV UTF-8\")")
            ])
        }
        return body
    }

    /// The most frequent of `;`, tab, `,` outside quotes on the first non-skipped line.
    func detectSeparator(_ body: [UInt8], skipLines: Int) -> UInt8? {
        let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: ",")]
        var counts = [0, 0, 0]
        var line = 0
        var quoted = false
        var previous: UInt8 = 0
        for byte in body {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted, byte == 0x0A || byte == 0x0D {
                if !(byte == 0x0A && previous == 0x0D) { line += 1 }
                previous = byte
                if line > skipLines, counts.contains(where: { $0 > 0 }) { break }
                continue
            }
            previous = byte
            if !quoted, line >= skipLines, let k = candidates.firstIndex(of: byte) { counts[k] += 1 }
        }
        guard let best = counts.max(), best > 0 else { return nil }
        return candidates[counts.firstIndex(of: best)!]
    }

    /// All records, blank ones included (the caller skips them).
    func records(_ body: [UInt8], separator: UInt8) throws(MeterDataError) -> [CSVRecord] {
        var records = [CSVRecord]()
        var fields = [String]()
        var field = [UInt8]()
        var line = 1
        var recordLine = 1
        var i = 0
        var quoted = false
        var wasQuoted = false
        func finishField() {
            let text = String(decoding: field, as: UTF8.self)
            fields.append(wasQuoted ? text : text.trimmingCharacters(in: .whitespaces))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func finishRecord() {
            finishField()
            records.append(CSVRecord(line: recordLine, fields: fields))
            fields.removeAll(keepingCapacity: true)
        }
        while i < body.count {
            let byte = body[i]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if i + 1 < body.count, body[i + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        i += 2
                        continue
                    }
                    quoted = false
                } else {
                    if byte == 0x0A || (byte == 0x0D && (i + 1 >= body.count || body[i + 1] != 0x0A)) { line += 1 }
                    field.append(byte)
                }
                i += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard field.allSatisfy({ $0 == UInt8(ascii: " ") }) else {
                    throw MeterDataError([
                        MeterIssue(
                            .badFormat, at: SourceLocation(file: file, line: line, column: fields.count + 1),
                            expected: "a quote only at the start of a field",
                            found: String(decoding: field, as: UTF8.self),
                            hint: "quote the whole field and double any quote inside it")
                    ])
                }
                field.removeAll()
                quoted = true
                wasQuoted = true
            case separator:
                finishField()
            case 0x0D, 0x0A:
                if byte == 0x0D, i + 1 < body.count, body[i + 1] == 0x0A { i += 1 }
                finishRecord()
                line += 1
                recordLine = line
            default:
                if wasQuoted, byte != UInt8(ascii: " ") {
                    throw MeterDataError([
                        MeterIssue(
                            .badFormat, at: SourceLocation(file: file, line: line, column: fields.count + 1),
                            expected: "a separator or line end after a closing quote",
                            found: String(UnicodeScalar(byte)), hint: "double any quote inside a quoted field")
                    ])
                }
                if !wasQuoted { field.append(byte) }
            }
            i += 1
        }
        if quoted {
            throw MeterDataError([
                MeterIssue(
                    .unterminatedQuote, at: SourceLocation(file: file, line: recordLine, column: fields.count + 1),
                    expected: "a closing quote", hint: "close the quoted field that starts on this line")
            ])
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { finishRecord() }
        return records
    }
}
