/// An external plugin failed: it could not be run or reached, timed out, exited non-zero,
/// answered with a bad status, or gave output that is not a valid `cer-clearing/1` result or
/// that the verifier rejects. Names the plugin; carries its stderr or response body if any.
public struct ExternalPluginError: Error, Sendable, CustomStringConvertible {
    /// `exec:COMMAND` or `http:URL`.
    public var plugin: String
    public var problem: String

    public init(plugin: String, problem: String) {
        self.plugin = plugin
        self.problem = problem
    }

    public var description: String { "clearing plugin \(plugin): \(problem)" }

    /// At most the last `limit` characters of a plugin's diagnostic text, trimmed.
    static func excerpt(_ bytes: [UInt8], limit: Int = 2_000) -> String {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count <= limit ? text : "…" + text.suffix(limit)
    }
}
