import ArgumentParser
import Foundation
import Manifest
import PhaseRunner

/// `cer-run status`: where a session run stands, from its journal and the chain.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a session's phase, counts and members' funds.")

    @OptionGroup var session: SessionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        do {
            let lines = try await SessionStatus.report(
                manifestPath: session.manifest, date: session.day, runsRoot: session.runsRoot)
            output.console().lines(lines)
        } catch let error as RunnerError { throw InputError(error.description) }
    }
}
