import ArgumentParser
import Foundation
import Manifest
import PhaseRunner

/// `cer-run run`: executes a session manifest's phases, resumable at any point.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a session: deploy, members, fund, open, commit, reveal, forfeit, clear and publish.",
        discussion: """
            Every transaction is journaled in runs/<session-id>/journal.jsonl before it is sent; run
            the same command again after any interruption and it finishes what is missing without
            sending anything twice. Exit codes: 0 done, 75 waiting for a deadline in chain time
            (cron: run again later), 2 bad input or a journal that belongs to another manifest or
            chain, 1 other failures.
            """)

    @Argument(help: "The session manifest.")
    var manifest: String

    @Option(help: "Delivery date for {date} (YYYY-MM-DD; default: tomorrow in the session's time zone).")
    var date: String?

    @Option(help: "Folder of the run folders.")
    var runs: String = "runs"

    @Flag(help: "On a real chain, sleep until deadlines instead of exiting with 75.")
    var wait = false

    func run() async throws {
        var day: DeliveryCalendar.Day?
        if let date {
            guard let parsed = DeliveryCalendar.Day(date) else { throw InputError("--date \(date) is not YYYY-MM-DD") }
            day = parsed
        }
        let runner = SessionRunner(
            manifestPath: manifest, date: day, runsRoot: URL(fileURLWithPath: runs), wait: wait, log: { say($0) })
        do {
            switch try await runner.run() {
            case .done(let phase):
                say("done through \(phase)")
            case .waiting(let phase, let until):
                say("waiting: \(phase) opens at chain time \(until); run again later")
                throw ExitCode(75)
            }
        } catch let error as RunnerError {
            switch error {
            case .input, .mismatch: throw InputError(error.description)
            case .chain: throw error
            }
        }
    }
}
