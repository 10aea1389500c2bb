import BigInt
import Foundation

extension SessionManifest {
    /// The `validation` section: where meter data comes from and the rules that turn fills and
    /// readings into validated deliveries and penalties (docs/manifest.md, docs/validation.md).
    public struct ValidationSettings: Sendable, Hashable {
        public var source: MeterSource
        /// What a missing reading means: an error, or zero with a warning in the report.
        public var missing: MissingPolicy
        /// Shortfall not charged, per fill group: an absolute band in Wh…
        public var toleranceWh: UInt64
        /// …plus a band in thousandths of the member's filled quantity in the slot.
        public var tolerancePerMille: UInt64
        /// Token base units per kWh of chargeable shortfall.
        public var sellerPenaltyPerKWh: UInt64
        public var buyerPenaltyPerKWh: UInt64
        /// Whose shortfall is charged: only what the member's own meter failed to show
        /// (`own-meter`), or everything not validated (`validated`).
        public var attribution: Attribution

        public enum Attribution: String, Sendable, Hashable { case ownMeter = "own-meter", validated }
        public enum MissingPolicy: String, Sendable, Hashable { case fail, zero }
    }

    /// A meter data source.
    public enum MeterSource: Sendable, Hashable {
        case csv(CSVMeterSource)
        case http(HTTPMeterSource)
        case postgres(PostgresMeterSource)
    }

    /// One or more CSV files (paths relative to the manifest, `{date}` substituted).
    public struct CSVMeterSource: Sendable, Hashable {
        public var files: [String]
        /// Field separator; nil: detected from the first line read (`;`, tab or `,`).
        public var separator: Character?
        /// Decimal comma (`1,5`); nil: comma unless the separator is `,`.
        public var decimalComma: Bool?
        /// Digit-group separator accepted in values (e.g. `.` with a decimal comma); nil: none.
        public var thousandsSeparator: Character?
        public var unit: EnergyUnit
        /// Lines before the header (portal preambles).
        public var skipLines: Int
        public var hasHeader: Bool
        /// Columns by role — `pod`, `timestamp` or `date` + `time`, `offset`, `withdrawal`,
        /// `injection` — each a header name or a 1-based position.
        public var columns: [String: CSVColumn]
        /// Whether dates read `dd/MM/yyyy` (true) or `yyyy-MM-dd`.
        public var dayFirst: Bool
        /// `UTC`, an IANA zone for timestamps without offset (default: the session's), or nil
        /// (`offset_required`): every timestamp must carry its offset.
        public var timeZone: String?
        /// Whether a timestamp labels the start or the end of its interval.
        public var label: IntervalLabel
        /// 15 or 60.
        public var intervalMinutes: Int
    }

    /// A CSV column by header name or 1-based position.
    public enum CSVColumn: Sendable, Hashable {
        case name(String)
        case index(Int)
    }

    public enum EnergyUnit: String, Sendable, Hashable { case wh = "Wh", kwh = "kWh" }
    public enum IntervalLabel: String, Sendable, Hashable { case start, end }

    /// GET one JSON document per POD and day (docs/validation.md has its shape).
    public struct HTTPMeterSource: Sendable, Hashable {
        /// With `{pod}` and `{date}` placeholders.
        public var urlTemplate: String
        /// Environment variable holding a bearer token.
        public var tokenEnv: String?
        public var timeoutSeconds: Int
        public var retries: Int
    }

    /// A SQL query against PostgreSQL; `$1` day start, `$2` day end (timestamptz), `$3` PODs (text[]).
    public struct PostgresMeterSource: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var database: String
        public var user: String
        /// Environment variable holding the password (none: trust/peer authentication).
        public var passwordEnv: String?
        public var query: String
        public var timeoutSeconds: Int
        /// `require` (TLS with a verified certificate), `prefer` (TLS when the server offers it),
        /// `disable`. Default: `disable` on loopback, `require` elsewhere.
        public var tls: TLSMode

        public enum TLSMode: String, Sendable, Hashable { case require, prefer, disable }
    }
}

extension ManifestParser {
    static let csvRoles = ["pod", "timestamp", "date", "time", "offset", "withdrawal", "injection"]

    static func parseValidation(_ f: YAMLField, session: SessionManifest.Session?) -> SessionManifest
        .ValidationSettings?
    {
        guard f.isPresent else { return nil }
        f.checkKeys(["source", "missing", "tolerance", "penalty_per_kwh", "attribution"])
        let attribution = f["attribution"].choice(["own-meter", "validated"], required: false) ?? "own-meter"
        let source = parseMeterSource(f["source"], session: session)
        let missing = f["missing"].choice(["fail", "zero"], required: false) ?? "fail"
        let tolerance = f["tolerance"]
        tolerance.checkKeys(["wh", "per_mille"])
        let toleranceWh = tolerance["wh"].isPresent ? tolerance["wh"].integer(range: 0...1_000_000_000) : 0
        let perMille = tolerance["per_mille"].isPresent ? tolerance["per_mille"].integer(range: 0...1000) : 0
        let penalty = f["penalty_per_kwh"]
        penalty.checkKeys(["seller", "buyer"])
        let decimals = session?.tokenDecimals
        let limit = BigUInt(UInt64.max)
        let seller = penalty["seller"].isPresent ? amount(penalty["seller"], decimals: decimals, limit: limit) : 0
        let buyer = penalty["buyer"].isPresent ? amount(penalty["buyer"], decimals: decimals, limit: limit) : 0
        guard let source, let policy = SessionManifest.ValidationSettings.MissingPolicy(rawValue: missing),
            let toleranceWh, let perMille, let seller, let buyer,
            let attribution = SessionManifest.ValidationSettings.Attribution(rawValue: attribution)
        else { return nil }
        return .init(
            source: source, missing: policy, toleranceWh: UInt64(toleranceWh), tolerancePerMille: UInt64(perMille),
            sellerPenaltyPerKWh: UInt64(seller), buyerPenaltyPerKWh: UInt64(buyer), attribution: attribution)
    }

    static func parseMeterSource(_ f: YAMLField, session: SessionManifest.Session?) -> SessionManifest.MeterSource? {
        guard f.isPresent else {
            f.fail("missing", hint: "`source: {csv: {files: [meters/{date}.csv]}}`, `http:` or `postgres:`")
            return nil
        }
        f.checkKeys(["csv", "http", "postgres"])
        let kinds = ["csv", "http", "postgres"].filter { f[$0].isPresent }
        guard kinds.count == 1 else {
            f.fail(
                kinds.isEmpty ? "no source" : "several sources: \(kinds.joined(separator: ", "))",
                hint: "exactly one of csv, http, postgres")
            return nil
        }
        switch kinds[0] {
        case "csv": return parseCSVSource(f["csv"], session: session).map { .csv($0) }
        case "http": return parseHTTPSource(f["http"]).map { .http($0) }
        default: return parsePostgresSource(f["postgres"]).map { .postgres($0) }
        }
    }

    static func parseCSVSource(_ f: YAMLField, session: SessionManifest.Session?) -> SessionManifest.CSVMeterSource? {
        f.checkKeys([
            "files", "separator", "decimal", "thousands", "unit", "skip_lines", "header", "columns", "date_order",
            "time_zone", "label", "interval_minutes",
        ])
        var files = [String]()
        if case .sequence? = f["files"].node {
            files = f["files"].elements().compactMap { $0.string() }
            if files.isEmpty { f["files"].fail("no files listed", hint: "e.g. [meters/{date}.csv]") }
        } else if let one = f["files"].string(hint: "a file or a list of files, e.g. meters/{date}.csv") {
            files = [one]
        }
        func character(_ field: YAMLField, _ allowed: [String: Character]) -> Character?? {
            guard let text = field.string(required: false) else { return .some(nil) }
            guard let value = allowed[text] else {
                field.fail(
                    "\"\(text)\" is not allowed", hint: "one of: \(allowed.keys.sorted().joined(separator: ", "))")
                return nil
            }
            return .some(value)
        }
        let separator = character(f["separator"], [";": ";", ",": ",", "tab": "\t"])
        let thousands = character(f["thousands"], [".": ".", ",": ",", "'": "'", "space": " "])
        let decimal = f["decimal"].choice(["comma", "point"], required: false)
        let unit = f["unit"].choice(["Wh", "kWh"], required: false) ?? "Wh"
        let skip = f["skip_lines"].isPresent ? f["skip_lines"].integer(range: 0...100) : 0
        let header = f["header"].bool(required: false) ?? true
        let columnsField = f["columns"]
        columnsField.checkKeys(csvRoles)
        var columns = [String: SessionManifest.CSVColumn]()
        for role in csvRoles where columnsField[role].isPresent {
            guard let text = columnsField[role].string() else { continue }
            if let index = Int(text), String(index) == text {
                if index < 1 { columnsField[role].fail("column numbers start at 1") }
                columns[role] = .index(index)
            } else {
                if !header { columnsField[role].fail("a column name needs `header: true`", hint: "use its number") }
                columns[role] = .name(text)
            }
        }
        if columns["timestamp"] != nil && (columns["date"] != nil || columns["time"] != nil) {
            columnsField.fail("`timestamp` and `date`/`time` exclude each other", hint: "one timestamp column, or two")
        }
        if (columns["date"] == nil) != (columns["time"] == nil) {
            columnsField.fail("`date` and `time` go together")
        }
        if columns["withdrawal"] == nil && columns["injection"] == nil && columnsField.isPresent {
            columnsField.fail("neither `withdrawal` nor `injection` is mapped")
        }
        let order = f["date_order"].choice(["ymd", "dmy"], required: false) ?? "ymd"
        var zone: String? = f["time_zone"].string(required: false) ?? session?.timeZone ?? "UTC"
        if zone == "offset_required" {
            zone = nil
        } else if let name = zone, name != "UTC", TimeZone(identifier: name) == nil {
            f["time_zone"].fail(
                "unknown time zone \"\(name)\"", hint: "UTC, an IANA name such as Europe/Rome, or offset_required")
        }
        let label = f["label"].choice(["start", "end"], required: false) ?? "start"
        let interval = f["interval_minutes"].isPresent ? f["interval_minutes"].integer(range: 1...60) : 60
        if let interval, interval != 15, interval != 60 {
            f["interval_minutes"].fail("\(interval) is not 15 or 60")
        }
        guard !files.isEmpty, let separator, let thousands, let skip, let interval,
            let unit = SessionManifest.EnergyUnit(rawValue: unit),
            let label = SessionManifest.IntervalLabel(rawValue: label)
        else { return nil }
        return .init(
            files: files, separator: separator, decimalComma: decimal.map { $0 == "comma" },
            thousandsSeparator: thousands, unit: unit, skipLines: skip, hasHeader: header, columns: columns,
            dayFirst: order == "dmy", timeZone: zone, label: label, intervalMinutes: interval)
    }

    static func parseHTTPSource(_ f: YAMLField) -> SessionManifest.HTTPMeterSource? {
        f.checkKeys(["url", "token_env", "timeout_seconds", "retries"])
        let url = f["url"].string(hint: "e.g. https://meters.example/api/{pod}/{date}")
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            f["url"].fail("\"\(url)\" is not an http(s) URL")
        }
        if let url, !url.contains("{pod}") {
            f["url"].fail("the URL has no {pod} placeholder", hint: "one document per POD and day")
        }
        let token = f["token_env"].string(required: false)
        if token != nil, let url, url.hasPrefix("http://"),
            let host = URL(
                string: url.replacingOccurrences(of: "{pod}", with: "p").replacingOccurrences(
                    of: "{date}", with: "d"))?.host,
            !["localhost", "127.0.0.1", "::1"].contains(host)
        {
            f["url"].fail(
                "a bearer token would travel in clear text to \(host)",
                hint: "use https:// (plain http only on loopback)")
        }
        let timeout = f["timeout_seconds"].isPresent ? f["timeout_seconds"].integer(range: 1...600) : 30
        let retries = f["retries"].isPresent ? f["retries"].integer(range: 0...10) : 2
        guard let url, let timeout, let retries else { return nil }
        return .init(urlTemplate: url, tokenEnv: token, timeoutSeconds: timeout, retries: retries)
    }

    static func parsePostgresSource(_ f: YAMLField) -> SessionManifest.PostgresMeterSource? {
        f.checkKeys(["host", "port", "database", "user", "password_env", "query", "timeout_seconds", "tls"])
        let host = f["host"].string(required: false) ?? "localhost"
        let port = f["port"].isPresent ? f["port"].integer(range: 1...65535) : 5432
        let database = f["database"].string(hint: "the database name")
        let user = f["user"].string(hint: "the role to connect as")
        let passwordEnv = f["password_env"].string(required: false)
        let query = f["query"].string(
            hint: "SELECT pod, interval_start, interval_minutes, withdrawal_wh, injection_wh … with $1, $2, $3")
        if let query, !query.contains("$3") {
            f["query"].fail(
                "the query does not use $3 (the POD list)",
                hint: "$1 day start, $2 day end (timestamptz), $3 PODs (text[])")
        }
        let timeout = f["timeout_seconds"].isPresent ? f["timeout_seconds"].integer(range: 1...600) : 30
        let loopback = ["localhost", "127.0.0.1", "::1"].contains(host)
        let tls =
            f["tls"].choice(["require", "prefer", "disable"], required: false) ?? (loopback ? "disable" : "require")
        guard let port, let database, let user, let query, let timeout,
            let mode = SessionManifest.PostgresMeterSource.TLSMode(rawValue: tls)
        else { return nil }
        return .init(
            host: host, port: port, database: database, user: user, passwordEnv: passwordEnv, query: query,
            timeoutSeconds: timeout, tls: mode)
    }
}
