import Chain
import Hummingbird

/// An API error answered as `application/problem+json` (RFC 9457): `{type, title, status, detail}`,
/// where `detail` says what to fix.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// What went wrong and what to do about it, in plain words.
    public let detail: String
    /// Extra headers (e.g. `Allow`, `WWW-Authenticate`).
    public var headers: HTTPFields

    /// A problem with `status` and `detail`.
    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    /// The problem for a data-layer error.
    public init(_ error: PortalError) {
        switch error {
        case .notFound(let m): self.init(.notFound, m)
        case .badRequest(let m): self.init(.badRequest, m)
        case .unavailable(let m): self.init(.serviceUnavailable, m)
        case .chain(let m): self.init(.badGateway, m)
        case .node: self.init(.badGateway, error.description)
        case .damaged: self.init(.internalServerError, error.description)
        case .conflict(let m): self.init(.conflict, m)
        }
    }

    /// The problem document.
    public var json: JSONValue {
        [
            "type": "about:blank", "title": .string(status.reasonPhrase), "status": .int(Int64(status.code)),
            "detail": .string(detail),
        ]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(json, status: status, contentType: "application/problem+json")
        for field in headers { response.headers.append(field) }
        return response
    }
}
