import ArgumentParser
import Chain
import Foundation
import PhaseRunner

/// `cer-run plan`: what `run` would send now, without sending or writing anything.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the transactions `run` would send now, in order, without sending anything.",
        discussion: """
            Reads the journal (if any) and the chain, walks the phases as `run` would, and lists \
            every transaction still needed, with its step, sender, target and function. Planning \
            stops where a step needs an outcome only sending would give (the contracts' \
            addresses, the session id) or at the next deadline in chain time. Nothing is signed, \
            sent or journaled.
            """)

    @OptionGroup var session: SessionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let console = output.console()
        let runner = SessionRunner(
            manifestPath: session.manifest, date: session.day, runsRoot: session.runsRoot,
            events: { event in if case .warning = event { console.show(event) } })
        let plan: Plan
        do { plan = try await runner.plan() } catch let error as RunnerError {
            switch error {
            case .input, .mismatch: throw InputError(error.description)
            case .chain: throw error
            }
        }
        var rows = [JSONValue]()
        var lines = [String]()
        for (n, tx) in plan.transactions.enumerated() {
            rows.append([
                "step": .string(tx.step), "sender": .string(tx.sender.hex),
                "to": tx.to.map { .string($0.hex) } ?? .null, "function": .string(tx.function),
                "rebroadcast": .bool(tx.rebroadcast),
            ])
            lines.append(
                String(format: "%3d  ", n + 1) + tx.step.padding(toLength: 28, withPad: " ", startingAt: 0) + " "
                    + tx.function.padding(toLength: 22, withPad: " ", startingAt: 0) + " from \(tx.sender)"
                    + (tx.rebroadcast ? " (journaled attempt, same bytes)" : ""))
        }
        let ending: String
        if let stop = plan.stop {
            ending = "then: \(stop)"
        } else if case .done(let phase)? = plan.status {
            ending = "the run would finish through \(phase)"
        } else {
            ending = "the run would then wait"
        }
        if output.json {
            console.result(
                "", ["event": "plan", "transactions": .array(rows), "then": .string(ending)])
        } else {
            console.lines(
                (plan.transactions.isEmpty ? ["nothing to send now"] : ["\(plan.transactions.count) transaction(s):"])
                    + lines + [ending])
        }
    }
}
