import ArgumentParser
import Chain
import Foundation
import Manifest
import PhaseRunner

/// `cer-run run`: executes a session manifest's phases, resumable at any point.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a session: every phase from deploy to settlement and report, as far as chain time allows.",
        discussion: """
            Every transaction is journaled in runs/<session-id>/journal.jsonl before it is sent; run \
            the same command again after any interruption and it finishes what is missing without \
            sending anything twice. Exit codes: 0 done, 75 waiting for a deadline in chain time \
            (cron: run again later), 2 bad input or a journal that belongs to another manifest or \
            chain, 1 other failures.
            """)

    @OptionGroup var session: SessionOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "On a real chain, sleep until deadlines instead of exiting with 75.")
    var wait = false

    @Option(
        help: ArgumentHelp(
            "Write per-phase figures (wall, CPU and RPC time, transactions, gas) as JSON to this file.",
            valueName: "file"))
    var stats: String?

    func run() async throws {
        try await Self.execute(
            session: session, output: output, wait: wait, resume: false, acceptChange: false, stats: stats)
    }

    /// Shared by `run` and `resume`.
    static func execute(
        session: SessionOptions, output: OutputOptions, wait: Bool, resume: Bool, acceptChange: Bool,
        stats: String? = nil
    ) async throws {
        let console = output.console()
        var runner = SessionRunner(
            manifestPath: session.manifest, date: session.day, runsRoot: session.runsRoot, wait: wait,
            resumeOnly: resume, acceptManifestChange: acceptChange, events: console.events)
        if stats != nil { runner.statistics = RunStatistics() }
        let outcome: Result<RunStatus, any Error>
        do { outcome = .success(try await runner.run()) } catch { outcome = .failure(error) }
        if let stats, let statistics = runner.statistics {
            // Written whatever the outcome: a run that stops at a deadline has figures too.
            let json = await statistics.json()
            if !FileManager.default.createFile(atPath: stats, contents: Data((json.jsonText + "\n").utf8)) {
                console.show(.warning("cannot write the statistics file \(stats)"))
            }
        }
        do {
            switch try outcome.get() {
            case .done(let phase):
                console.result("done through \(phase)", ["event": "done", "phase": .string(phase)])
            case .waiting(let phase, let until):
                console.result(
                    "waiting: \(phase) opens at chain time \(until); run again later",
                    ["event": "waiting", "phase": .string(phase), "untilChainTime": .int(Int64(until))])
                throw ExitCode(75)
            case .waitingForData(let why):
                console.result(
                    "waiting for meter data: \(why); run again later",
                    ["event": "waiting", "phase": "validate", "reason": .string(why)])
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

/// `cer-run resume`: continues a run that has a journal, optionally accepting a manifest change.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue an interrupted run (same as `run`, but refuses to start a new journal).",
        discussion: """
            A changed manifest is refused unless --accept-manifest-change is given and every changed \
            section belongs to phases that have not started (participants until the first registration, \
            clearing until its result is journaled, validation until it is published, settlement \
            until it starts); the acceptance is journaled with both manifest hashes.
            """)

    @OptionGroup var session: SessionOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "On a real chain, sleep until deadlines instead of exiting with 75.")
    var wait = false

    @Flag(help: "Accept a manifest change that touches no started step (journaled).")
    var acceptManifestChange = false

    func run() async throws {
        try await RunCommand.execute(
            session: session, output: output, wait: wait, resume: true, acceptChange: acceptManifestChange)
    }
}
