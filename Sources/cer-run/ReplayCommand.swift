import ArgumentParser
import Chain
import Foundation
import PhaseRunner

/// `cer-run replay`: recompute a past run from its folder and compare with what it recorded.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Recompute a past session from its run folder and compare byte for byte with what it recorded.",
        discussion: """
            Off chain (the default), every step is recomputed from the folder alone — manifest \
            resolution, clearing input, clearing, validation (from the recorded meter day) and \
            settlement amounts — on any machine, without the chain or the meter source. With \
            --on-devchain the whole session, transactions included, runs again on a fresh dev chain \
            with the recorded orders and salts, and its published results and final balances are \
            compared with the recording. Prints OK or the first difference (step, field, journaled \
            vs recomputed). Exit codes: 0 identical, 1 a difference, 2 an incomplete, changed or \
            unreadable run folder, 3 the replay could not run (e.g. the dev chain did not start).
            """)

    @Argument(help: "The run folder (runs/<session-id>).")
    var runFolder: String

    @Flag(help: "Replay the whole session on a fresh dev chain.")
    var onDevchain = false

    @Option(help: "Where the dev-chain replay runs (default: a new temporary folder, removed after).")
    var workDir: String?

    @Flag(help: "List every difference, not only the first.")
    var all = false

    @Flag(help: "Run the run's exec:/http: clearing plugin (refused otherwise: it runs a program or calls a service).")
    var allowExternalPlugin = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let console = output.console()
        let folder = URL(fileURLWithPath: runFolder)
        let report: ReplayReport
        do {
            if onDevchain {
                let work =
                    workDir.map { URL(fileURLWithPath: $0) }
                    ?? FileManager.default.temporaryDirectory.appendingPathComponent("cer-replay-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
                defer { if workDir == nil { try? FileManager.default.removeItem(at: work) } }
                report = try await SessionReplay.onDevChain(
                    folder, workFolder: work, allowExternalPlugin: allowExternalPlugin, events: console.events)
            } else {
                report = try await SessionReplay.offChain(folder, allowExternalPlugin: allowExternalPlugin)
            }
        } catch let error as RunnerError {
            switch error {
            case .input, .mismatch: throw InputError(error.description)
            case .chain: throw CouldNotRun(error.description)
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            // The dev chain would not start, a file could not be written…: not a difference.
            throw CouldNotRun("\(error)")
        }
        if output.json {
            console.result("", report.json)
        } else {
            var lines = report.lines
            if all {
                for step in report.steps {
                    if case .different(let list) = step.outcome {
                        lines += list.map { "  \(step.name): \($0)" }
                    }
                }
            }
            console.lines(lines)
        }
        if !report.identical { throw ExitCode(1) }
    }
}
