import Yams

/// A YAML node with its field path, reading typed values and recording problems (with the
/// node's line and column) instead of stopping at the first.
struct YAMLField {
    let node: Node?
    let path: String
    /// Position of the node, or of its parent when the field is missing.
    let line: Int
    let column: Int
    /// Position of this field's key (or of the node when it has none): where problems about
    /// missing members of this field point.
    let keyLine: Int
    let keyColumn: Int
    let issues: IssueCollector

    init(node: Node?, path: String, line: Int, column: Int, issues: IssueCollector, keyMark: Mark? = nil) {
        self.node = node
        self.path = path
        self.issues = issues
        if let mark = node?.mark {
            self.line = mark.line
            self.column = mark.column
        } else {
            self.line = line
            self.column = column
        }
        self.keyLine = keyMark?.line ?? self.line
        self.keyColumn = keyMark?.column ?? self.column
    }

    var isPresent: Bool {
        guard let node else { return false }
        if case .scalar(let s) = node, s.tag == .init(.null) || (s.string.isEmpty && s.style == .plain) { return false }
        return true
    }

    func fail(_ message: String, hint: String? = nil) { issues.add(line, column, path, message, hint: hint) }

    /// Member `key` of a mapping. A missing member is located at this field's key.
    subscript(_ key: String) -> YAMLField {
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        guard case .mapping(let mapping)? = node, let pair = mapping.first(where: { $0.key.string == key }) else {
            return YAMLField(node: nil, path: childPath, line: keyLine, column: keyColumn, issues: issues)
        }
        return YAMLField(
            node: pair.value, path: childPath, line: keyLine, column: keyColumn, issues: issues, keyMark: pair.key.mark)
    }

    /// The mapping's keys with their positions, for unknown-key checks.
    var keys: [(String, Int, Int)] {
        guard case .mapping(let mapping)? = node else { return [] }
        return mapping.map { ($0.key.string ?? "", $0.key.mark?.line ?? line, $0.key.mark?.column ?? column) }
    }

    /// Reports keys outside `allowed`, suggesting the closest allowed one.
    func checkKeys(_ allowed: [String]) {
        guard isPresent else { return }
        guard case .mapping = node else {
            fail("expected a mapping (key: value lines)")
            return
        }
        for (key, line, column) in keys where !allowed.contains(key) {
            let suggestion = allowed.min { editDistance($0, key) < editDistance($1, key) }
            let hint = suggestion.flatMap { editDistance($0, key) <= 3 ? "did you mean `\($0)`?" : nil }
            issues.add(
                line, column, path.isEmpty ? key : "\(path).\(key)", "unknown field",
                hint: hint ?? "allowed here: \(allowed.joined(separator: ", "))")
        }
    }

    /// The elements of a sequence (empty, with an issue, when it is not one).
    func elements(required: Bool = true) -> [YAMLField] {
        guard isPresent else {
            if required { fail("missing", hint: "add a list") }
            return []
        }
        guard case .sequence(let sequence)? = node else {
            fail("expected a list (lines starting with `- `)")
            return []
        }
        return sequence.enumerated().map {
            YAMLField(node: $1, path: "\(path)[\($0)]", line: line, column: column, issues: issues)
        }
    }

    /// Scalar text; nil (with an issue when required) if missing or not a scalar.
    func string(required: Bool = true, hint: String? = nil) -> String? {
        guard isPresent else {
            if required { fail("missing", hint: hint) }
            return nil
        }
        guard case .scalar(let scalar)? = node else {
            fail("expected a single value, found a \(kind)", hint: hint)
            return nil
        }
        issues.locations[path] = SourceLocation(line: line, column: column)
        return issues.substitute(scalar.string)
    }

    /// A non-negative integer written without sign, decimals or exponent.
    func integer(required: Bool = true, range: ClosedRange<Int>? = nil, hint: String? = nil) -> Int? {
        guard let text = string(required: required, hint: hint) else { return nil }
        let digits = text.replacingOccurrences(of: "_", with: "")
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
            fail("expected a whole number, found \"\(text)\"", hint: hint)
            return nil
        }
        if let range, !range.contains(value) {
            fail("\(value) is out of range \(range.lowerBound)…\(range.upperBound)", hint: hint)
            return nil
        }
        return value
    }

    func bool(required: Bool = true) -> Bool? {
        guard let text = string(required: required) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail("expected true or false, found \"\(text)\"")
            return nil
        }
    }

    /// One of `choices`.
    func choice(_ choices: [String], required: Bool = true) -> String? {
        guard let text = string(required: required, hint: "one of: \(choices.joined(separator: ", "))") else {
            return nil
        }
        guard choices.contains(text) else {
            fail("\"\(text)\" is not allowed", hint: "one of: \(choices.joined(separator: ", "))")
            return nil
        }
        return text
    }

    var kind: String {
        switch node {
        case .mapping?: return "mapping"
        case .sequence?: return "list"
        case .alias?: return "alias"
        default: return "value"
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
