import Chain
import Foundation

/// A clearing plugin selected by name, as `cer-run clear --plugin` and the manifest's
/// `clearing.plugin` give it: a built-in mechanism (see `BuiltInClearing`), `exec:COMMAND` or
/// `http:URL`. Every result passes `ClearingVerifier` before it is returned.
public enum ClearingPlugin: Sendable {
    case builtIn(any ClearingMechanism)
    case exec(ExecClearingPlugin)
    case http(HTTPClearingPlugin)

    /// Why `name` cannot name a plugin, or nil: unknown plain names, an empty command, a URL
    /// that is not http(s).
    public static func nameProblem(_ name: String) -> String? {
        if name.hasPrefix("exec:") {
            return name.dropFirst(5).trimmingCharacters(in: .whitespaces).isEmpty ? "exec: needs a command" : nil
        }
        if name.hasPrefix("http:") { return httpURL(name) == nil ? "\"\(name)\" has no http(s) URL" : nil }
        if BuiltInClearing.names.contains(name) { return nil }
        return "\"\(name)\" is not built in (one of: \(BuiltInClearing.names.joined(separator: ", "))),"
            + " exec:COMMAND or http:URL"
    }

    /// The plugin called `name`. External plugins take `params.timeout_seconds` (a whole number
    /// 1…3600, default 30); all params are passed on to them in the request.
    public static func resolve(_ name: String, params: JSONValue) throws(ClearingProtocol.FormatError)
        -> ClearingPlugin
    {
        if let problem = nameProblem(name) { throw .init(path: "plugin", problem: problem) }
        if name.hasPrefix("exec:") {
            let command = name.dropFirst(5).trimmingCharacters(in: .whitespaces)
            return .exec(ExecClearingPlugin(command: command, timeout: try timeout(params)))
        }
        if name.hasPrefix("http:"), let url = httpURL(name) {
            return .http(HTTPClearingPlugin(url: url, timeout: try timeout(params)))
        }
        return .builtIn(try BuiltInClearing.make(name, params: params))
    }

    /// `http:https://host/clear`; a bare `http://…` or `https://…` is taken whole.
    static func httpURL(_ name: String) -> URL? {
        for candidate in [String(name.dropFirst(5)), name] {
            if let url = URL(string: candidate), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            {
                return url
            }
        }
        return nil
    }

    static func timeout(_ params: JSONValue) throws(ClearingProtocol.FormatError) -> Duration {
        guard let value = params["timeout_seconds"] else { return .seconds(30) }
        guard case .int(let seconds) = value, (1...3_600).contains(seconds) else {
            throw .init(path: "params.timeout_seconds", problem: "a whole number of seconds 1…3600 is required")
        }
        return .seconds(seconds)
    }

    /// Clears `orders` and verifies the result; external plugins get `params` in the request.
    /// Throws `ExternalPluginError` (including a verifier rejection of an external result) or
    /// `ClearingViolation` (a built-in result the verifier rejects).
    public func clear(orders: [ClearingOrder], slots: Int, params: JSONValue) async throws -> ClearingResult {
        switch self {
        case .builtIn(let mechanism):
            let result = mechanism.clear(orders: orders, slots: slots)
            try ClearingVerifier.verify(result, orders: orders, slots: slots, bounds: mechanism.priceBounds)
            return result
        case .exec(let plugin):
            let request = ClearingProtocol.encodeRequest(orders: orders, slots: slots, params: params)
            return try Self.verified(await plugin.exchange(request, slots: slots), plugin.name, orders, slots)
        case .http(let plugin):
            let request = ClearingProtocol.encodeRequest(orders: orders, slots: slots, params: params)
            return try Self.verified(await plugin.exchange(request, slots: slots), plugin.name, orders, slots)
        }
    }

    static func verified(_ result: ClearingResult, _ name: String, _ orders: [ClearingOrder], _ slots: Int)
        throws(ExternalPluginError) -> ClearingResult
    {
        do { try ClearingVerifier.verify(result, orders: orders, slots: slots) } catch {
            throw ExternalPluginError(plugin: name, problem: "result rejected: \(error.subject): \(error.rule)")
        }
        return result
    }
}
