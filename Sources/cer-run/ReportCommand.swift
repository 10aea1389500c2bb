import ArgumentParser
import Foundation
import PhaseRunner

/// `cer-run report`: the session report of a run folder as HTML, JSON or CSV.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's session report: a self-contained HTML page with charts, JSON and CSV exports.",
        discussion: """
            Reads only the run folder (book.json, clearing.json, validation.json, report.json and \
            the journal) and writes report.html (supply and demand curves with the clearing point \
            per slot, price and volume across the day, shared vs traded energy per hour, member \
            results, transactions), report-data.json, and report-members/slots/hours/transactions.csv. \
            `cer-run run` writes all of them when a session ends. See docs/report.md.
            """)

    @Argument(help: "The run folder (runs/<session-id>).")
    var runFolder: String

    @Option(help: "html, json or csv (repeat for several; default: all three).")
    var format: [String] = []

    @Option(help: "Where to write the files (default: the run folder).")
    var out: String?

    @Option(help: "The slot whose supply and demand curves are drawn large (default: the largest volume).")
    var slot: Int?

    func run() async throws {
        var formats = [RunReport.Format]()
        for name in format {
            guard let f = RunReport.Format(rawValue: name) else {
                throw InputError("--format \(name): use html, json or csv")
            }
            formats.append(f)
        }
        do {
            let written = try RunReport.write(
                URL(fileURLWithPath: runFolder), formats: formats.isEmpty ? RunReport.Format.allCases : formats,
                to: out.map { URL(fileURLWithPath: $0) }, selectedSlot: slot)
            for url in written { say(url.path) }
        } catch {
            throw InputError(error.description)
        }
    }
}
