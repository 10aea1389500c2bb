import Chain
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `http:URL`: POSTs the `cer-clearing/1` request as `application/json` to URL and reads the
/// result from the response body. A transport error or timeout, a status outside 200…299 and
/// a body that is not a well-formed result are errors (with the start of the body).
public struct HTTPClearingPlugin: Sendable {
    public var url: URL
    public var timeout: Duration

    public init(url: URL, timeout: Duration = .seconds(30)) {
        self.url = url
        self.timeout = timeout
    }

    public var name: String { "http:\(url.absoluteString)" }

    /// The plugin's result for `request`, shape-checked but not yet verified.
    public func exchange(_ request: JSONValue, slots: Int) async throws(ExternalPluginError) -> ClearingResult {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var post = URLRequest(url: url, timeoutInterval: seconds)
        post.httpMethod = "POST"
        post.setValue("application/json", forHTTPHeaderField: "Content-Type")
        post.httpBody = Data(request.jsonText.utf8)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do { (data, response) = try await session.data(for: post) } catch {
            throw ExternalPluginError(plugin: name, problem: "request failed: \(error.localizedDescription)")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode else {
            throw ExternalPluginError(plugin: name, problem: "no HTTP response")
        }
        guard (200...299).contains(status) else {
            let body = ExternalPluginError.excerpt(Array(data.prefix(2_000)))
            throw ExternalPluginError(plugin: name, problem: "HTTP status \(status)\(body.isEmpty ? "" : ": \(body)")")
        }
        return try ExternalOutput.decode(Array(data), plugin: name, slots: slots)
    }
}
