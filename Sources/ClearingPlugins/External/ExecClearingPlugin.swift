import Chain
import Foundation

/// `exec:COMMAND`: runs COMMAND with `/bin/sh -c` in the current directory, writes the
/// `cer-clearing/1` request on its stdin and reads the result from its stdout. A run longer than
/// the timeout is killed (with its whole process group); a non-zero exit, a signal, output that
/// is not JSON or not a well-formed result are errors carrying the plugin's stderr or the JSON
/// path at fault.
public struct ExecClearingPlugin: Sendable {
    public var command: String
    public var timeout: Duration

    public init(command: String, timeout: Duration = .seconds(30)) {
        self.command = command
        self.timeout = timeout
    }

    public var name: String { "exec:\(command)" }

    /// The plugin's result for `request`, shape-checked but not yet verified.
    public func exchange(_ request: JSONValue, slots: Int) async throws(ExternalPluginError) -> ClearingResult {
        let input = Array(request.jsonText.utf8)
        let outcome = try await ChildProcess(command: command, timeout: timeout).runDetached(input: input)
        let stderr = ExternalPluginError.excerpt(outcome.stderr)
        let stderrNote = stderr.isEmpty ? "" : "; stderr: \(stderr)"
        if outcome.timedOut {
            throw ExternalPluginError(plugin: name, problem: "timed out after \(timeout) and was killed\(stderrNote)")
        }
        if let signal = outcome.signal {
            throw ExternalPluginError(plugin: name, problem: "killed by signal \(signal)\(stderrNote)")
        }
        if let status = outcome.exitStatus, status != 0 {
            throw ExternalPluginError(plugin: name, problem: "exited with status \(status)\(stderrNote)")
        }
        return try ExternalOutput.decode(outcome.stdout, plugin: name, slots: slots, note: stderrNote)
    }
}

/// Parsing a plugin's answer, shared by `exec:` and `http:` plugins.
enum ExternalOutput {
    static func decode(_ bytes: [UInt8], plugin: String, slots: Int, note: String = "")
        throws(ExternalPluginError) -> ClearingResult
    {
        let json: JSONValue
        do { json = try JSONValue.parse(Data(bytes)) } catch {
            let shown = ExternalPluginError.excerpt(Array(bytes.prefix(200)), limit: 200)
            throw ExternalPluginError(plugin: plugin, problem: "output is not JSON: \"\(shown)\"\(note)")
        }
        do { return try ClearingProtocol.decodeResult(json, slots: slots) } catch {
            throw ExternalPluginError(plugin: plugin, problem: "output: \(error.path): \(error.problem)")
        }
    }
}
