import Foundation

/// How a meter CSV export is laid out. Every choice is explicit or detected by a documented
/// rule; nothing is guessed per value. See docs/validation.md.
public struct MeterCSVFormat: Sendable {
    /// Field separator.
    public enum Separator: Sendable, Hashable {
        /// The most frequent of `;`, tab and `,` outside quotes in the first line read (the
        /// header, or the first data row); ties in that order.
        case auto
        case semicolon
        case comma
        case tab

        var byte: UInt8? {
            switch self {
            case .auto: return nil
            case .semicolon: return UInt8(ascii: ";")
            case .comma: return UInt8(ascii: ",")
            case .tab: return UInt8(ascii: "\t")
            }
        }
    }

    /// Decimal mark of the energy values.
    public enum DecimalMark: Sendable, Hashable {
        /// `,` when the separator is `;` or tab (Italian exports), `.` when it is `,`.
        case auto
        case point
        case comma
    }

    /// Unit of the energy columns. kWh values are converted exactly to Wh: at most three
    /// non-zero decimals, never rounded.
    public enum EnergyUnit: String, Sendable, Hashable {
        case wh = "Wh"
        case kWh = "kWh"
    }

    /// A column, by header name (trimmed, case-insensitive) or by 1-based position.
    public enum Column: Sendable, Hashable, CustomStringConvertible {
        case name(String)
        case index(Int)

        public var description: String {
            switch self {
            case .name(let name): return "\"\(name)\""
            case .index(let index): return "column \(index)"
            }
        }
    }

    /// Where the timestamp is.
    public enum TimestampColumns: Sendable, Hashable {
        /// One column with date and time (`2026-10-25 02:15`, `25/10/2026 02:15`,
        /// `2026-10-25T01:15:00Z`).
        case single(Column)
        /// A date column and a time column.
        case dateAndTime(date: Column, time: Column)
        /// A date column and the interval's 1-based number within the local day, as in Italian
        /// hourly data (`ora` 1–24; 1–23 on the March day, 1–25 on the October day; quarter
        /// hours 1–96, 92 or 100). Needs `timeZone`; `label` does not apply.
        case dateAndNumber(date: Column, number: Column)
    }

    /// Order of the date fields.
    public enum DateOrder: Sendable, Hashable {
        /// `yyyy-MM-dd`.
        case yearMonthDay
        /// `dd/MM/yyyy` (also `dd-MM-yyyy`, `dd.MM.yyyy`).
        case dayMonthYear
    }

    /// Whether a row's timestamp is the start or the end of its interval. Many Italian
    /// distributors label by the end: `00:15` is 00:00–00:15.
    public enum IntervalLabel: Sendable, Hashable {
        case start
        case end
    }

    public var separator: Separator
    public var decimalMark: DecimalMark
    /// Digit-group separator accepted in energy values (e.g. `.` with a decimal comma); nil
    /// (the default) rejects any: `1.234` with a decimal comma is an error, not 1234.
    public var thousandsSeparator: Character?
    public var unit: EnergyUnit
    /// Lines skipped before the header (preambles of some portals).
    public var skipLines: Int
    /// Whether the first (non-skipped) line names the columns. Needed to map columns by name.
    public var hasHeader: Bool
    public var pod: Column
    public var timestamp: TimestampColumns
    /// A column holding the UTC offset of each row (`+01:00`, `+02:00`, `Z`); optional.
    public var offset: Column?
    public var dateOrder: DateOrder
    /// Time zone of timestamps written without an offset. nil: every timestamp must carry one.
    public var timeZone: TimeZone?
    public var label: IntervalLabel
    /// Length of every interval in the file: 900 or 3600 seconds.
    public var intervalSeconds: Int64
    /// Withdrawal (prelievo) column; nil when the export has none (every withdrawal is 0).
    public var withdrawal: Column?
    /// Injection (immissione) column; nil when the export has none (every injection is 0).
    public var injection: Column?

    public init(
        separator: Separator = .auto, decimalMark: DecimalMark = .auto, thousandsSeparator: Character? = nil,
        unit: EnergyUnit = .wh, skipLines: Int = 0, hasHeader: Bool = true, pod: Column = .name("pod"),
        timestamp: TimestampColumns = .single(.name("timestamp")), offset: Column? = nil,
        dateOrder: DateOrder = .yearMonthDay, timeZone: TimeZone? = nil, label: IntervalLabel = .start,
        intervalSeconds: Int64 = 3600, withdrawal: Column? = .name("withdrawal"),
        injection: Column? = .name("injection")
    ) {
        self.separator = separator
        self.decimalMark = decimalMark
        self.thousandsSeparator = thousandsSeparator
        self.unit = unit
        self.skipLines = skipLines
        self.hasHeader = hasHeader
        self.pod = pod
        self.timestamp = timestamp
        self.offset = offset
        self.dateOrder = dateOrder
        self.timeZone = timeZone
        self.label = label
        self.intervalSeconds = intervalSeconds
        self.withdrawal = withdrawal
        self.injection = injection
    }

    /// The decimal mark in effect for a file with `separator`.
    func effectiveDecimalMark(separator byte: UInt8) -> UInt8 {
        switch decimalMark {
        case .point: return UInt8(ascii: ".")
        case .comma: return UInt8(ascii: ",")
        case .auto: return byte == UInt8(ascii: ",") ? UInt8(ascii: ".") : UInt8(ascii: ",")
        }
    }
}
