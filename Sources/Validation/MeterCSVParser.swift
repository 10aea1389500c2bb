import Foundation

/// Reads meter readings from CSV exports (see `MeterCSVFormat` and docs/validation.md). Pure:
/// it takes the file's bytes and its name (for messages) and does no I/O.
public struct MeterCSVParser: Sendable {
    public var format: MeterCSVFormat

    public init(format: MeterCSVFormat) {
        self.format = format
    }

    /// Parses `text` (a file's contents) named `file` in messages.
    public func parse(_ text: String, file: String) throws(MeterDataError) -> [MeterReading] {
        try parse(Array(text.utf8), file: file)
    }

    /// Parses `data` (a file's contents) named `file` in messages.
    public func parse(_ data: Data, file: String) throws(MeterDataError) -> [MeterReading] {
        try parse([UInt8](data), file: file)
    }

    /// Parses `bytes` (a file's contents) named `file` in messages. Every row is read; all
    /// problems found are thrown together, in line order.
    public func parse(_ bytes: [UInt8], file: String) throws(MeterDataError) -> [MeterReading] {
        guard format.intervalSeconds == 900 || format.intervalSeconds == 3600 else {
            throw MeterDataError([
                MeterIssue(
                    .badFormat, expected: "intervalSeconds 900 or 3600", found: "\(format.intervalSeconds)")
            ])
        }
        let tokenizer = CSVTokenizer(file: file)
        let body = try tokenizer.text(bytes)
        guard body.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            throw MeterDataError([
                MeterIssue(.emptyFile, at: SourceLocation(file: file, line: 1), expected: "a header and meter rows")
            ])
        }
        guard let separator = format.separator.byte ?? tokenizer.detectSeparator(body, skipLines: format.skipLines)
        else {
            throw MeterDataError([
                MeterIssue(
                    .badFormat, at: SourceLocation(file: file, line: format.skipLines + 1),
                    expected: "fields separated by ';', tab or ','", hint: "set the separator of the format")
            ])
        }
        let records = try tokenizer.records(body, separator: separator).filter {
            $0.line > format.skipLines && !$0.isBlank
        }
        guard let first = records.first else {
            throw MeterDataError([
                MeterIssue(.emptyFile, at: SourceLocation(file: file, line: 1), expected: "a header and meter rows")
            ])
        }
        let header = format.hasHeader ? first.fields : nil
        let columns = try ColumnMap(
            format: format, header: header, width: first.fields.count, file: file, line: first.line)
        var reader = RowReader(
            format: format, columns: columns, file: file,
            decimalMark: format.effectiveDecimalMark(separator: separator),
            thousands: format.thousandsSeparator?.asciiValue)
        var readings = [MeterReading]()
        var issues = [MeterIssue]()
        for record in records.dropFirst(format.hasHeader ? 1 : 0) {
            do throws(MeterIssue) {
                readings.append(try reader.read(record))
            } catch {
                issues.append(error)
            }
        }
        guard issues.isEmpty else { throw MeterDataError(issues) }
        return readings
    }
}

extension MeterIssue: Error {}

/// The format's columns resolved to 0-based field indices and display names.
struct ColumnMap {
    var width: Int
    var names: [String]
    var pod: Int
    var date: Int
    var time: Int?
    var number: Int?
    var offset: Int?
    var withdrawal: Int?
    var injection: Int?

    init(format: MeterCSVFormat, header: [String]?, width: Int, file: String, line: Int) throws(MeterDataError) {
        self.width = width
        names = (0..<width).map { header?[$0].isEmpty == false ? header![$0] : "column \($0 + 1)" }
        var issues = [MeterIssue]()
        func resolve(_ column: MeterCSVFormat.Column, _ role: String) -> Int {
            switch column {
            case .name(let name):
                let key = name.trimmingCharacters(in: .whitespaces).lowercased()
                if let header, let index = header.firstIndex(where: { $0.lowercased() == key }) { return index }
                issues.append(
                    MeterIssue(
                        .unknownColumn, at: SourceLocation(file: file, line: line), column: name,
                        expected: "a \(role) column named \"\(name)\"",
                        found: header.map { $0.joined(separator: ", ") } ?? "no header",
                        hint: header == nil
                            ? "the format has hasHeader = false: map columns by index"
                            : "map the column by one of the header names above, or by index"))
            case .index(let index):
                if (1...width).contains(index) { return index - 1 }
                issues.append(
                    MeterIssue(
                        .unknownColumn, at: SourceLocation(file: file, line: line), column: "column \(index)",
                        expected: "a \(role) column between 1 and \(width)", found: "\(index)",
                        hint: "the first line has \(width) fields; check the separator and the column index"))
            }
            return -1
        }
        pod = resolve(format.pod, "POD")
        switch format.timestamp {
        case .single(let column):
            date = resolve(column, "timestamp")
        case .dateAndTime(let dateColumn, let timeColumn):
            date = resolve(dateColumn, "date")
            time = resolve(timeColumn, "time")
        case .dateAndNumber(let dateColumn, let numberColumn):
            date = resolve(dateColumn, "date")
            number = resolve(numberColumn, "interval number")
            if format.timeZone == nil {
                issues.append(
                    MeterIssue(
                        .badFormat, expected: "a timeZone for numbered intervals",
                        hint: "interval numbers count from local midnight"))
            }
        }
        offset = format.offset.map { resolve($0, "UTC offset") }
        withdrawal = format.withdrawal.map { resolve($0, "withdrawal") }
        injection = format.injection.map { resolve($0, "injection") }
        if withdrawal == nil, injection == nil {
            issues.append(
                MeterIssue(.badFormat, expected: "a withdrawal or an injection column", hint: "map at least one"))
        }
        guard issues.isEmpty else { throw MeterDataError(issues) }
    }
}

/// Reads one data row into a reading; remembers which ambiguous local times each POD has seen.
struct RowReader {
    let format: MeterCSVFormat
    let columns: ColumnMap
    let file: String
    let decimalMark: UInt8
    let thousands: UInt8?
    let zone: ZoneResolver?
    /// Occurrences so far of each (POD, ambiguous wall-clock time).
    var seen = [String: [Int64: Int]]()

    init(format: MeterCSVFormat, columns: ColumnMap, file: String, decimalMark: UInt8, thousands: UInt8?) {
        self.format = format
        self.columns = columns
        self.file = file
        self.decimalMark = decimalMark
        self.thousands = thousands
        self.zone = format.timeZone.map(ZoneResolver.init)
    }

    func issue(_ problem: FieldProblem, _ record: CSVRecord, _ index: Int) -> MeterIssue {
        MeterIssue(
            problem.kind, at: SourceLocation(file: file, line: record.line, column: index + 1),
            column: columns.names[index], pod: record.fields[columns.pod].isEmpty ? nil : record.fields[columns.pod],
            expected: problem.expected, found: record.fields[index], hint: problem.hint)
    }

    mutating func read(_ record: CSVRecord) throws(MeterIssue) -> MeterReading {
        guard record.fields.count == columns.width else {
            throw MeterIssue(
                .wrongColumnCount, at: SourceLocation(file: file, line: record.line),
                expected: "\(columns.width) fields", found: "\(record.fields.count) fields",
                hint: "check the separator and quotes on this line")
        }
        let pod = record.fields[columns.pod]
        guard !pod.isEmpty else {
            throw issue(FieldProblem(.emptyValue, expected: "a POD code"), record, columns.pod)
        }
        func energy(_ index: Int?) throws(MeterIssue) -> UInt64 {
            guard let index else { return 0 }
            do throws(FieldProblem) {
                return try EnergyValue.parse(
                    record.fields[index], unit: format.unit, decimalMark: decimalMark, thousands: thousands)
            } catch { throw issue(error, record, index) }
        }
        let start =
            columns.number != nil
            ? try numberedStart(record)
            : try instant(record, pod: pod) - (format.label == .end ? format.intervalSeconds : 0)
        return MeterReading(
            pod: pod, start: start, lengthSeconds: format.intervalSeconds, withdrawalWh: try energy(columns.withdrawal),
            injectionWh: try energy(columns.injection), location: SourceLocation(file: file, line: record.line))
    }

    /// Start of the row's numbered interval: local midnight + (number − 1) intervals.
    func numberedStart(_ record: CSVRecord) throws(MeterIssue) -> Int64 {
        guard let zone, let numberIndex = columns.number else { preconditionFailure("checked by ColumnMap") }
        let midnight: WrittenTimestamp
        do throws(FieldProblem) {
            midnight = try MeterTimestamp.parse(
                date: record.fields[columns.date], time: "00:00", order: format.dateOrder)
        } catch { throw issue(error, record, columns.date) }
        guard let start = zone.instants(civil: midnight.civil).first,
            let end = zone.instants(civil: midnight.civil + 86_400).first
        else {
            throw issue(
                FieldProblem(.nonexistentLocalTime, expected: "a day starting at local midnight"), record, columns.date)
        }
        let count = (end - start) / format.intervalSeconds
        let text = record.fields[numberIndex]
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int64(text), (1...count).contains(number)
        else {
            throw issue(
                FieldProblem(
                    .badTimestamp,
                    expected: "an interval number from 1 to \(count) (the local day has \((end - start) / 3600) hours)",
                    hint: "numbered intervals count from local midnight; check the date and the interval length"),
                record, numberIndex)
        }
        return start + (number - 1) * format.intervalSeconds
    }

    /// The UTC instant of the row's label.
    mutating func instant(_ record: CSVRecord, pod: String) throws(MeterIssue) -> Int64 {
        var written: WrittenTimestamp
        do throws(FieldProblem) {
            written = try MeterTimestamp.parse(
                date: record.fields[columns.date], time: columns.time.map { record.fields[$0] },
                order: format.dateOrder)
        } catch {
            // With separate columns, blame the date when it does not parse with a plain time.
            var blamed = columns.date
            if let time = columns.time,
                (try? MeterTimestamp.parse(date: record.fields[columns.date], time: "00:00", order: format.dateOrder))
                    != nil
            {
                blamed = time
            }
            throw issue(error, record, blamed)
        }
        if let index = columns.offset {
            guard let offset = MeterTimestamp.parseOffset(record.fields[index]) else {
                throw issue(FieldProblem(.badTimestamp, expected: "a UTC offset: Z or ±hh:mm"), record, index)
            }
            written.offsetSeconds = offset
        }
        let column = columns.offset ?? columns.date
        if let offset = written.offsetSeconds {
            let instant = written.civil - offset
            if let zone, zone.offset(at: instant) != offset {
                throw issue(
                    FieldProblem(
                        .offsetMismatch, expected: "the offset \(zone.timeZone.identifier) has at that time",
                        hint: "the zone's offset at \(MeterTimestamp.format(instant)) UTC is "
                            + "\(zone.offset(at: instant) / 60) minutes"), record, column)
            }
            return instant
        }
        guard let zone else {
            throw issue(
                FieldProblem(
                    .badTimestamp, expected: "a timestamp with a UTC offset (Z or ±hh:mm)",
                    hint: "set the format's timeZone for local timestamps"), record, columns.date)
        }
        let instants = zone.instants(civil: written.civil)
        switch instants.count {
        case 0:
            throw issue(
                FieldProblem(
                    .nonexistentLocalTime,
                    expected: "a local time that exists in \(zone.timeZone.identifier)",
                    hint: "clocks jump forward on this day (a 23-hour day): this hour does not exist; "
                        + "check the interval labelling (start or end) and the export"), record, columns.time ?? column)
        case 1:
            return instants[0]
        default:
            // The repeated autumn hour: the first row showing this wall-clock time for this POD is
            // the earlier instant, any later one the later instant.
            let count = seen[pod, default: [:]][written.civil, default: 0]
            seen[pod, default: [:]][written.civil] = count + 1
            return count == 0 ? instants[0] : instants[instants.count - 1]
        }
    }
}
