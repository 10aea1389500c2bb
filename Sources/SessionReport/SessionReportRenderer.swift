import Foundation

/// Renders a ``SessionReportData`` as a self-contained HTML page, as CSV tables and as JSON.
public enum SessionReportRenderer {
    /// Self-contained HTML page: inline CSS and SVG, no scripts, no external assets.
    ///
    /// - Parameters:
    ///   - data: the session's numbers.
    ///   - selectedSlot: the `slot` index whose supply and demand curves are drawn large; by default (or when no
    ///     slot has that index) the slot with the largest traded volume.
    public static func html(_ data: SessionReportData, selectedSlot: Int? = nil) -> String {
        ReportHTML.page(data, selectedSlot: selectedSlot)
    }

    /// The JSON export: pretty-printed, sorted keys, trailing newline. `nil` values are left out.
    public static func json(_ data: SessionReportData) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let bytes = try encoder.encode(data)
        return String(decoding: bytes, as: UTF8.self) + "\n"
    }

    /// CSV exports by table name: `"members"`, `"slots"`, `"hours"`, `"transactions"`, and also `"orders"` (every
    /// bid and offer) and `"totals"` (one row). RFC 4180: comma separated, CRLF line ends, header row, quoted
    /// fields where needed; exact raw values (Wh, token base units), empty fields for missing values.
    public static func csv(_ data: SessionReportData) -> [String: String] {
        ReportCSV.tables(data)
    }
}
