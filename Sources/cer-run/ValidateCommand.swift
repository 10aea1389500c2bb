import ArgumentParser
import Chain
import Foundation
import Manifest

/// `cer-run validate`: lints a session manifest and shows what it resolves to.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a session manifest: every problem with file:line:column, exit 2 if any.")

    @Argument(help: "The manifest (YAML).")
    var file: String

    @Option(help: "Delivery date substituted for {date} (YYYY-MM-DD).")
    var date: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        var day: DeliveryCalendar.Day?
        if let date {
            guard let parsed = DeliveryCalendar.Day(date) else { throw InputError("--date \(date) is not YYYY-MM-DD") }
            day = parsed
        }
        let manifest: SessionManifest
        do { manifest = try ManifestLoader.load(path: file, date: day) } catch {
            if output.json {
                let issues: [JSONValue] = error.issues.map { issue in
                    [
                        "file": .string(issue.file), "line": .int(Int64(issue.line)),
                        "column": .int(Int64(issue.column)), "path": .string(issue.path),
                        "message": .string(issue.message), "hint": issue.hint.map { .string($0) } ?? .null,
                    ]
                }
                say(JSONValue.object(["valid": false, "issues": .array(issues)]).jsonText)
                throw ExitCode(2)
            }
            throw InputError(error.description)
        }
        if output.json {
            let s = manifest.session
            say(
                JSONValue.object([
                    "valid": true, "sessionId": .string(s.id), "deliveryDay": .string("\(s.deliveryDay)"),
                    "slots": .int(Int64(s.slots)), "deliveryStart": .int(s.deliveryStart),
                    "commitDeadline": .int(manifest.deadlines.commit),
                    "revealDeadline": .int(manifest.deadlines.reveal),
                    "participants": .int(Int64(manifest.participants.count)),
                    "manifestHash": .string(manifest.canonicalHash.hex),
                ]).jsonText)
            return
        }
        let zone = TimeZone(identifier: manifest.session.timeZone)!
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm ZZZZZ"
        func local(_ t: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t))) }
        let s = manifest.session
        say("\(file): OK")
        say("  session \(s.id) — \(s.community)")
        say(
            "  delivery \(s.deliveryDay) in \(s.timeZone): \(s.slots) slots of \(s.slotMinutes) min"
                + " from \(local(s.deliveryStart))")
        say("  commit until \(local(manifest.deadlines.commit)), reveal until \(local(manifest.deadlines.reveal))")
        let agents = manifest.participants.filter { $0.key != nil }.count
        let orders = manifest.participants.reduce(0) { $0 + $1.orders.count }
        say("  \(manifest.participants.count) participants (\(agents) in agent mode), \(orders) inline orders")
        say("  clearing: \(manifest.clearing.plugin); settlement: \(manifest.settlement.mode.rawValue)")
        say("  manifest hash \(manifest.canonicalHash.hex)")
    }
}
