import HTTPTypes
import Hummingbird

/// Headers on every response (problems included): `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer`, and on HTML a `Content-Security-Policy`: scripts, styles and
/// frames from the server only (the portal frames the report page; no other site may frame
/// either), `connect-src *` since wallets may fetch elsewhere. A `HEAD` answer (Hummingbird runs
/// the GET route) loses its body and keeps its `Content-Length`.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The HTML pages' policy: no inline scripts, no `eval`, framed only by the server's own pages.
    static var contentSecurityPolicy: String {
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src *; "
            + "frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
    }

    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        if response.headers[.contentType]?.lowercased().hasPrefix("text/html") == true {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        }
        return request.method == .head ? response.createHeadResponse() : response
    }
}
