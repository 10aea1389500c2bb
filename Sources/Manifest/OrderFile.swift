import Foundation
import Market
import Yams

/// A member's order file for one session, in the manifest's order format, read by
/// `cer-run member commit`. Two forms:
///
/// - YAML: a list of `{slot, side, kwh, price}` (or `wh` instead of `kwh`), or a mapping with
///   that list under `orders:`.
/// - CSV (`.csv`): a header naming the columns `slot,side,kwh,price` (or `wh`) in any order,
///   then one order per line; empty lines and lines starting with `#` are skipped.
///
/// Quantities have at most 3 decimals in kWh (whole Wh); prices are token amounts per kWh with at
/// most the token's decimals. Every problem is reported at once, with its line.
public enum OrderFile {
    /// Reads and parses `path` (CSV when it ends in `.csv`, YAML otherwise).
    public static func load(path: String, slots: Int, tokenDecimals: Int) throws(ManifestErrors) -> [MarketOrder] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ManifestErrors([
                ManifestIssue(
                    file: path, line: 0, column: 0, path: "", message: "cannot read the order file",
                    hint: "check the path; it must be UTF-8 text")
            ])
        }
        return try parse(text, file: path, slots: slots, tokenDecimals: tokenDecimals)
    }

    /// Parses orders for a session of `slots` slots priced in a token of `tokenDecimals`.
    public static func parse(_ text: String, file: String, slots: Int, tokenDecimals: Int) throws(ManifestErrors)
        -> [MarketOrder]
    {
        let isCSV = file.lowercased().hasSuffix(".csv")
        let (yaml, cellColumns) = isCSV ? try csvAsYAML(text, file: file) : (text, [:])
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let error as YamlError {
            throw ManifestErrors([ManifestParser.yamlIssue(error, file: file)])
        } catch {
            throw ManifestErrors([ManifestIssue(file: file, line: 1, column: 1, path: "", message: "\(error)")])
        }
        guard let root else {
            throw ManifestErrors([
                ManifestIssue(file: file, line: 1, column: 1, path: "", message: "no orders in the file")
            ])
        }
        let issues = IssueCollector(file: file)
        var list = YAMLField(node: root, path: "", line: 1, column: 1, issues: issues)
        if case .mapping = root {
            list.checkKeys(["orders"])
            list = list["orders"]
        }
        let orders = ManifestParser.parseOrders(
            list, slots: slots, tokenDecimals: tokenDecimals, day: "in this session", role: nil)
        if issues.issues.isEmpty && orders.isEmpty {
            list.fail("no orders", hint: "at least one {slot, side, kwh, price}")
        }
        guard issues.issues.isEmpty else {
            let located = isCSV ? issues.issues.map { csvLocated($0, cellColumns) } : issues.issues
            throw ManifestErrors(located.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return orders
    }

    /// Points an issue about `[i].field` at the CSV cell: its column in the line, the field name.
    static func csvLocated(_ issue: ManifestIssue, _ cellColumns: [Int: [String: Int]]) -> ManifestIssue {
        var issue = issue
        guard issue.path.hasPrefix("["), let close = issue.path.firstIndex(of: "]") else { return issue }
        let rest = issue.path[issue.path.index(after: close)...]
        let field = rest.hasPrefix(".") ? String(rest.dropFirst()) : ""
        issue.path = field
        issue.column = cellColumns[issue.line]?[field] ?? 1
        return issue
    }

    /// Turns the CSV into a YAML list with one flow mapping per CSV line, on the same line, so
    /// that the shared order checks report CSV line numbers; also returns, per line, the column
    /// where each field's cell starts.
    static func csvAsYAML(_ text: String, file: String) throws(ManifestErrors) -> (String, [Int: [String: Int]]) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var header: [String]?
        var out = [String]()
        var cellColumns = [Int: [String: Int]]()
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") {
                out.append("")
                continue
            }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let columns = header else {
                let known: Set<String> = ["slot", "side", "kwh", "wh", "price"]
                if let unknown = cells.first(where: { !known.contains($0) }) {
                    throw ManifestErrors([
                        ManifestIssue(
                            file: file, line: index + 1, column: 1, path: "header",
                            message: "unknown column \"\(unknown)\"", hint: "the header is slot,side,kwh,price")
                    ])
                }
                header = cells
                out.append("")
                continue
            }
            guard cells.count == columns.count else {
                throw ManifestErrors([
                    ManifestIssue(
                        file: file, line: index + 1, column: 1, path: "",
                        message: "\(cells.count) values where the header has \(columns.count)",
                        hint: "one value per column: \(columns.joined(separator: ","))")
                ])
            }
            var start = 1 + raw.prefix { $0 == " " || $0 == "\t" }.count
            var starts = [String: Int]()
            for (column, piece) in zip(
                columns,
                raw.trimmingCharacters(in: .whitespaces).split(separator: ",", omittingEmptySubsequences: false))
            {
                starts[column] = start + piece.prefix { $0 == " " || $0 == "\t" }.count
                start += piece.count + 1
            }
            cellColumns[index + 1] = starts
            let fields = zip(columns, cells).map { column, value in
                let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                    of: "\"", with: "\\\"")
                return "\(column): \"\(escaped)\""
            }
            out.append("- {" + fields.joined(separator: ", ") + "}")
        }
        guard header != nil, out.contains(where: { $0.hasPrefix("- ") }) else {
            throw ManifestErrors([
                ManifestIssue(
                    file: file, line: 1, column: 1, path: "", message: "no orders in the file",
                    hint: "a header slot,side,kwh,price and one order per line")
            ])
        }
        return (out.joined(separator: "\n") + "\n", cellColumns)
    }
}
