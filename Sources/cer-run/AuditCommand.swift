import ArgumentParser
import Chain
import Foundation
import Manifest
import PhaseRunner

/// `cer-run audit`: any member checks a session from the chain and its manifest, without keys.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check a session on chain against its manifest: parameters, clearing, invariants, validation.",
        discussion: """
            Reads the session over JSON-RPC (no key), checks the manifest's hash and parameters, \
            recomputes the clearing with the manifest's plugin and compares every fill and price, \
            checks the chain's invariants and, with --meters or --validate, recomputes the \
            validation. See docs/audit.md. Exit codes: 0 clean, 1 divergences found, 2 bad input.
            """)

    @Option(help: "JSON-RPC endpoint of a node of the chain.")
    var rpc: String = "http://127.0.0.1:8545"

    @Option(help: "The Marketplace contract.")
    var marketplace: String

    @Option(help: "The session id on chain.")
    var session: UInt64

    @Option(help: "The session manifest the operator published.")
    var manifest: String

    @Option(help: "Delivery date for {date} (YYYY-MM-DD; default: the session's delivery day on chain).")
    var date: String?

    @Option(help: "A meter CSV file to validate against (repeatable; format of the manifest's csv source).")
    var meters: [String] = []

    @Flag(name: .customLong("validate"), help: "Recompute the validation from the manifest's own meter source.")
    var validateFromSource = false

    @Option(help: "First block to read logs from.")
    var fromBlock: UInt64 = 0

    @Flag(help: "Run the manifest's exec:/http: clearing plugin (it runs a program or calls a service).")
    var allowExternalPlugin = false

    @Flag(help: "One JSON object on standard output.")
    var json = false

    func validate() throws {
        if let date, DeliveryCalendar.Day(date) == nil { throw ValidationError("--date \(date) is not YYYY-MM-DD") }
        guard URL(string: rpc)?.scheme != nil else { throw ValidationError("--rpc \(rpc) is not a URL") }
    }

    func run() async throws {
        let address: Address
        do { address = try Address(marketplace) } catch { throw InputError("--marketplace: \(error)") }
        let options = AuditOptions(
            rpc: URL(string: rpc)!, marketplace: address, sessionID: session, manifestPath: manifest,
            date: date.flatMap { DeliveryCalendar.Day($0) }, meterFiles: meters, validate: validateFromSource,
            fromBlock: fromBlock, allowExternalPlugin: allowExternalPlugin)
        let report: AuditReport
        do { report = try await SessionAudit.run(options) } catch {
            switch error {
            case .input, .mismatch: throw InputError(error.description)
            case .chain: throw CouldNotRun(error.description)
            }
        }
        if json { say(report.json.jsonText) } else { report.lines.forEach(say) }
        if !report.clean { throw ExitCode(1) }
    }
}
