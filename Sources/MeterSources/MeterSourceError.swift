/// Meter data that cannot be read: names the source (file, URL or query), what went wrong and
/// how to fix it. The runner reports it as bad input (exit 2) and sends nothing.
public struct MeterSourceError: Error, Sendable, CustomStringConvertible {
    /// `meters/2026-11-26.csv`, `https://…/IT001…/2026-11-26`, `postgres meters@localhost:5432`.
    public var source: String
    public var message: String
    public var hint: String?
    /// The data is not there yet (no file, HTTP 404): a cron run waits rather than fails.
    public var notYetAvailable: Bool

    public init(source: String, message: String, hint: String? = nil, notYetAvailable: Bool = false) {
        self.source = source
        self.message = message
        self.hint = hint
        self.notYetAvailable = notYetAvailable
    }

    public var description: String {
        "\(source): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}
