import ArgumentParser

/// `cer-run admin …`: the community admin's operations (placeholder, being written for #10).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Administer the community's members (approve, reject, suspend, reinstate).")

    func run() async throws { throw ValidationError("not available yet") }
}
