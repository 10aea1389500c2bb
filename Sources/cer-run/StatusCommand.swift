import ArgumentParser
import Foundation
import Manifest
import PhaseRunner

/// `cer-run status`: where a session run stands, from its journal and the chain.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a session's phase, counts and members' funds.")

    @Argument(help: "The session manifest.")
    var manifest: String

    @Option(help: "Delivery date for {date} (YYYY-MM-DD; default: tomorrow in the session's time zone).")
    var date: String?

    @Option(help: "Folder of the run folders.")
    var runs: String = "runs"

    func run() async throws {
        var day: DeliveryCalendar.Day?
        if let date {
            guard let parsed = DeliveryCalendar.Day(date) else { throw InputError("--date \(date) is not YYYY-MM-DD") }
            day = parsed
        }
        do {
            for line in try await SessionStatus.report(
                manifestPath: manifest, date: day, runsRoot: URL(fileURLWithPath: runs))
            {
                say(line)
            }
        } catch let error as RunnerError { throw InputError(error.description) }
    }
}
