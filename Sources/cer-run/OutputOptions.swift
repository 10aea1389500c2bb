import ArgumentParser
import Foundation
import PhaseRunner

/// `--json`, `--verbose`, `--quiet`: shared by every command that reports progress.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Machine-readable output: one JSON object per line on standard output.")
    var json = false

    @Flag(name: .shortAndLong, help: "Also show details (each transaction, each member).")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Only warnings, errors and the final result.")
    var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet exclude each other") }
    }

    /// The console these options describe.
    func console() -> Console {
        Console(
            mode: json ? .json : (quiet ? .quiet : (verbose ? .verbose : .normal)),
            progressBars: !json && !quiet && isatty(STDOUT_FILENO) == 1)
    }
}
