import Foundation
import Manifest
import Validation

/// The manifest's `csv` source: its format, and the files read from disk.
struct CSVMeterFiles {
    let settings: SessionManifest.CSVMeterSource
    let manifestFolder: URL

    /// The parser's format for the manifest's settings.
    var format: MeterCSVFormat {
        func column(_ role: String) -> MeterCSVFormat.Column? {
            switch settings.columns[role] {
            case .name(let name)?: return .name(name)
            case .index(let index)?: return .index(index)
            case nil: return nil
            }
        }
        let separator: MeterCSVFormat.Separator
        switch settings.separator {
        case ";"?: separator = .semicolon
        case ","?: separator = .comma
        case "\t"?: separator = .tab
        default: separator = .auto
        }
        let timestamp: MeterCSVFormat.TimestampColumns
        if let date = column("date"), let time = column("time") {
            timestamp = .dateAndTime(date: date, time: time)
        } else {
            timestamp = .single(column("timestamp") ?? .name("timestamp"))
        }
        let hasWithdrawal = settings.columns["withdrawal"] != nil
        let hasInjection = settings.columns["injection"] != nil
        let mapped = hasWithdrawal || hasInjection
        return MeterCSVFormat(
            separator: separator,
            decimalMark: settings.decimalComma.map { $0 ? .comma : .point } ?? .auto,
            thousandsSeparator: settings.thousandsSeparator, unit: settings.unit == .kwh ? .kWh : .wh,
            skipLines: settings.skipLines, hasHeader: settings.hasHeader, pod: column("pod") ?? .name("pod"),
            timestamp: timestamp, offset: column("offset"),
            dateOrder: settings.dayFirst ? .dayMonthYear : .yearMonthDay,
            timeZone: settings.timeZone.flatMap { TimeZone(identifier: $0) },
            label: settings.label == .end ? .end : .start,
            intervalSeconds: Int64(settings.intervalMinutes * 60),
            withdrawal: mapped ? column("withdrawal") : .name("withdrawal"),
            injection: mapped ? column("injection") : .name("injection"))
    }

    func readings() throws(MeterSourceError) -> [MeterReading] {
        let parser = MeterCSVParser(format: format)
        var all = [MeterReading]()
        var problems = [String]()
        for path in settings.files {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : manifestFolder.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw MeterSourceError(
                    source: path, message: "cannot read the meter file \(url.path)",
                    hint: "the distributor's export for the delivery day must be there before validation",
                    notYetAvailable: !FileManager.default.fileExists(atPath: url.path))
            }
            do { all += try parser.parse(data, file: path) } catch {
                problems += error.issues.map(\.description)
            }
        }
        if !problems.isEmpty {
            throw MeterSourceError(
                source: settings.files.joined(separator: ", "),
                message: "\(problems.count) problem(s) in the meter data:\n  " + problems.joined(separator: "\n  "))
        }
        return all
    }
}
