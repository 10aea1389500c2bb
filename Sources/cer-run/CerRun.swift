import ArgumentParser

/// `cer-run`: the batch tool that runs a renewable energy community's daily market on an
/// Ethereum-compatible chain.
struct CerRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cer-run",
        abstract: "Run a renewable energy community's local energy market on an Ethereum-compatible chain.",
        discussion: """
            Exit codes: 0 done, 2 bad input (nothing was sent), 75 waiting for a deadline (run again
            later), 1 any other failure.
            """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, PlanCommand.self, RunCommand.self, ResumeCommand.self, StatusCommand.self,
            ClearCommand.self, ReplayCommand.self, ReportCommand.self,
            AuditCommand.self,
            DevnetCommand.self,
            DemoCommand.self, KeystoreCommand.self, DeployCommand.self, MemberCommand.self, AdminCommand.self,
            ServeCommand.self,
        ]
    )
}
