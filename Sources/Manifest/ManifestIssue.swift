/// One problem found in a manifest, located precisely enough to fix it without searching.
public struct ManifestIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem has no position (e.g. a missing file).
    public var line: Int
    public var column: Int
    /// Field path such as `participants[2].orders[0].price`.
    public var path: String
    public var message: String
    public var hint: String?

    public init(file: String, line: Int, column: Int, path: String, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: path: message (hint)`, the format editors and CI logs link.
    public var description: String {
        "\(file):\(line):\(column): \(path.isEmpty ? "" : path + ": ")\(message)" + (hint.map { " — \($0)" } ?? "")
    }
}

/// A position in a manifest file (1-based).
public struct SourceLocation: Sendable, Hashable {
    public var line: Int
    public var column: Int
}

/// Every problem of a manifest, found in one pass; thrown when there is at least one.
public struct ManifestErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [ManifestIssue]

    public init(_ issues: [ManifestIssue]) { self.issues = issues }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
            + "\n\(issues.count) problem\(issues.count == 1 ? "" : "s") found; nothing was sent to the chain"
    }
}

/// Collects issues while parsing so that one run reports all of them.
final class IssueCollector {
    let file: String
    /// Template substitutions applied to every scalar, e.g. `{date}` → `2026-11-26`.
    let substitutions: [String: String]
    private(set) var issues = [ManifestIssue]()
    /// Where each value read came from, by field path.
    var locations = [String: SourceLocation]()

    init(file: String, substitutions: [String: String] = [:]) {
        self.file = file
        self.substitutions = substitutions
    }

    func substitute(_ text: String) -> String {
        substitutions.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    func add(_ line: Int, _ column: Int, _ path: String, _ message: String, hint: String? = nil) {
        issues.append(ManifestIssue(file: file, line: line, column: column, path: path, message: message, hint: hint))
    }
}
