import ArgumentParser

/// `cer-run serve`: the member portal and the JSON API (placeholder, being written for #10).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the member portal and the JSON API over HTTP.")

    func run() async throws { throw ValidationError("not available yet") }
}
