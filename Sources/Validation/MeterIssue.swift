/// One problem found in meter data: an error (the data cannot be used) or a warning (the data
/// was used, and the runner lists what was assumed in its report).
public struct MeterIssue: Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. The raw value is stable, for reports and tests.
    public enum Kind: String, Sendable, Hashable, Codable {
        // File structure
        case notUTF8 = "not-utf8"
        case emptyFile = "empty-file"
        case unterminatedQuote = "unterminated-quote"
        case unknownColumn = "unknown-column"
        case wrongColumnCount = "wrong-column-count"
        case badFormat = "bad-format"
        // Values
        case emptyValue = "empty-value"
        case badNumber = "bad-number"
        case negativeValue = "negative-value"
        case tooPrecise = "too-precise"
        case tooLarge = "too-large"
        case badTimestamp = "bad-timestamp"
        case nonexistentLocalTime = "nonexistent-local-time"
        case offsetMismatch = "offset-mismatch"
        // Aggregation
        case duplicate = "duplicate"
        case equalDuplicate = "equal-duplicate"
        case overlap = "overlap"
        case misaligned = "misaligned"
        case intervalTooLong = "interval-too-long"
        case missingInterval = "missing-interval"
        case unknownPOD = "unknown-pod"
        case outsideDay = "outside-day"
    }

    public var kind: Kind
    /// File, line and field of the offending value; nil for problems of the whole day (a
    /// missing interval has no row).
    public var location: SourceLocation?
    /// The column's header name (or `column N` without a header).
    public var columnName: String?
    /// The POD concerned, when known.
    public var pod: String?
    /// What was expected.
    public var expected: String
    /// What was found (the raw text, or a summary).
    public var found: String?
    /// How to fix it.
    public var hint: String?

    public init(
        _ kind: Kind, at location: SourceLocation? = nil, column columnName: String? = nil, pod: String? = nil,
        expected: String, found: String? = nil, hint: String? = nil
    ) {
        self.kind = kind
        self.location = location
        self.columnName = columnName
        self.pod = pod
        self.expected = expected
        self.found = found
        self.hint = hint
    }

    /// `file:line:column: kind (column "name", POD X): expected …, found "…"; hint`.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += kind.rawValue
        var context = [String]()
        if let columnName { context.append("column \"\(columnName)\"") }
        if let pod { context.append("POD \(pod)") }
        if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
        text += ": expected \(expected)"
        if let found { text += ", found \"\(found)\"" }
        if let hint { text += "; \(hint)" }
        return text
    }
}

/// Meter data that cannot be used: every error found, in file and line order.
public struct MeterDataError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [MeterIssue]

    public init(_ issues: [MeterIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
