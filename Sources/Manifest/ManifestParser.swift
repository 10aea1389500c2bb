import BigInt
import Chain
import Foundation
import Market
import Yams

/// Parses and validates a manifest's text (no I/O: referenced files are checked by
/// `ManifestLoader`). Reports every problem it finds, each with file:line:column and field path.
public enum ManifestParser {
    /// Parses `text`; `date` replaces `{date}` wherever it appears in a value.
    public static func parse(_ text: String, file: String, date: DeliveryCalendar.Day? = nil) throws(ManifestErrors)
        -> SessionManifest
    {
        let issues = IssueCollector(file: file, substitutions: date.map { ["{date}": $0.description] } ?? [:])
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ManifestErrors([
                    ManifestIssue(file: file, line: 1, column: 1, path: "", message: "the file is empty")
                ])
            }
            root = node
        } catch let error as ManifestErrors {
            throw error
        } catch let error as YamlError {
            throw ManifestErrors([yamlIssue(error, file: file)])
        } catch {
            throw ManifestErrors([ManifestIssue(file: file, line: 1, column: 1, path: "", message: "\(error)")])
        }
        // Aliases let a few lines stand for an exponentially large tree ("billion laughs"),
        // which the JSON conversion below would walk: refuse trees far larger than the text.
        var budget = 2 * text.utf8.count + 1_000
        guard !exceedsBudget(root, &budget) else {
            throw ManifestErrors([
                ManifestIssue(
                    file: file, line: 1, column: 1, path: "",
                    message: "the YAML expands to more values than the file could hold without aliases",
                    hint: "do not repeat large anchors with aliases (*name)")
            ])
        }
        let top = YAMLField(node: root, path: "", line: 1, column: 1, issues: issues)
        let manifest = build(top, issues: issues, root: root)
        guard issues.issues.isEmpty, let manifest else {
            throw ManifestErrors(issues.issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
        }
        return manifest
    }

    /// Counts `node` and its descendants (aliased subtrees once per use) against `budget`;
    /// stops as soon as it is spent.
    static func exceedsBudget(_ node: Node, _ budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return true }
        switch node {
        case .mapping(let mapping):
            for pair in mapping where exceedsBudget(pair.key, &budget) || exceedsBudget(pair.value, &budget) {
                return true
            }
        case .sequence(let sequence):
            for child in sequence where exceedsBudget(child, &budget) { return true }
        case .scalar, .alias:
            break
        }
        return false
    }

    /// `session.timezone` of a manifest, read without validating anything else.
    public static func timeZone(in text: String) -> TimeZone? {
        guard let root = try? Yams.compose(yaml: text), case .mapping(let top) = root,
            let session = top.first(where: { $0.key.string == "session" })?.value, case .mapping(let fields) = session,
            let name = fields.first(where: { $0.key.string == "timezone" })?.value.string
        else { return nil }
        return TimeZone(identifier: name)
    }

    static func yamlIssue(_ error: YamlError, file: String) -> ManifestIssue {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ManifestIssue(
                file: file, line: mark.line, column: mark.column, path: "", message: "YAML syntax: \(problem)",
                hint: "check indentation and quoting on this line")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ManifestIssue(
                file: file, line: context.mark.line, column: context.mark.column, path: "",
                message: "duplicated key\(duplicates.count == 1 ? "" : "s"): \(duplicates.joined(separator: ", "))",
                hint: "each key may appear once per mapping")
        default:
            return ManifestIssue(file: file, line: 1, column: 1, path: "", message: "YAML: \(error)")
        }
    }

    static let topKeys = [
        "version", "session", "chain", "contracts", "operator", "deadlines", "participants", "clearing", "validation",
        "settlement", "batching",
    ]

    static func build(_ top: YAMLField, issues: IssueCollector, root: Node) -> SessionManifest? {
        top.checkKeys(topKeys)
        let version = top["version"].integer(hint: "write `version: 1`")
        if let version, version != 1 {
            top["version"].fail("unsupported version \(version)", hint: "this cer-run reads version 1")
        }
        let session = parseSession(top["session"])
        let chain = parseChain(top["chain"], session: session)
        let isDev: Bool
        if case .dev? = chain { isDev = true } else { isDev = false }
        let contracts = parseContracts(top["contracts"])
        let operatorKey = parseKey(top["operator"], isDev: isDev, required: true)
        let deadlines = session.flatMap { parseDeadlines(top["deadlines"], session: $0) }
        let participants = parseParticipants(top["participants"], session: session, isDev: isDev)
        let clearing = parsePlugin(top["clearing"])
        top["settlement"].checkKeys(["mode", "withdraw"])
        let mode = top["settlement"]["mode"].choice(["batch", "direct"], required: false) ?? "batch"
        let withdraw = top["settlement"]["withdraw"].bool(required: false) ?? false
        top["batching"].checkKeys(["submission", "max_gas"])
        let submission = top["batching"]["submission"].choice(["direct", "relayed"], required: false) ?? "direct"
        let maxGas = top["batching"]["max_gas"].integer(
            required: false, range: 100_000...1_000_000_000,
            hint: "a gas cap per chunk transaction, e.g. 15000000 (half a 30M-gas Besu block)")
        let validation = parseValidation(top["validation"], session: session)
        let validationOK = !top["validation"].isPresent || validation != nil
        guard let version, let session, let chain, let contracts, let operatorKey = operatorKey, let deadlines,
            let participants, let clearing, validationOK,
            let settlementMode = SessionManifest.SettlementSettings.Mode(rawValue: mode),
            let submissionMode = SessionManifest.BatchingSettings.Submission(rawValue: submission)
        else { return nil }
        var manifest = SessionManifest(
            version: version, session: session, chain: chain, contracts: contracts, operatorKey: operatorKey,
            deadlines: deadlines, participants: participants, clearing: clearing, validation: validation,
            settlement: .init(mode: settlementMode, withdraw: withdraw),
            canonicalJSON: json(root, issues: issues), locations: issues.locations)
        manifest.batching = .init(
            submission: submissionMode,
            maxGas: maxGas.map(UInt64.init) ?? SessionManifest.BatchingSettings.defaultMaxGas)
        return manifest
    }

    /// The node as JSON with every scalar as (substituted) text and null as null: the canonical
    /// form hashed for the chain.
    static func json(_ node: Node, issues: IssueCollector) -> JSONValue {
        switch node {
        case .scalar(let s):
            if s.tag == .init(.null) || (s.string.isEmpty && s.style == .plain) || s.string == "~" { return .null }
            return .string(issues.substitute(s.string))
        case .mapping(let m):
            return .object(
                Dictionary(m.map { (issues.substitute($0.key.string ?? ""), json($0.value, issues: issues)) }) { a, _ in
                    a
                })
        case .sequence(let s):
            return .array(s.map { json($0, issues: issues) })
        case .alias:
            return .null
        }
    }
}
