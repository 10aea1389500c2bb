import Hummingbird

/// 405 with `Allow` for a method a documented path does not take (any method, including ones
/// the router does not know, such as `QUERY`), before the router answers 404. `HEAD` is taken
/// wherever `GET` is (answered like GET, without the body).
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The documented paths (`*` matches one segment) and their method.
    static var paths: [(segments: [Substring], method: HTTPRequest.Method)] {
        let get: [String] = [
            "api/v1/info", "api/v1/sessions", "api/v1/sessions/*", "api/v1/sessions/*/results",
            "api/v1/sessions/*/report", "api/v1/sessions/*/report.html",
            "api/v1/sessions/*/exports", "api/v1/sessions/*/exports/*", "api/v1/members", "api/v1/members/*",
            "openapi.yaml",
        ]
        return get.map { ($0.split(separator: "/"), HTTPRequest.Method.get) } + [
            ("api/v1/admin/members/*/*".split(separator: "/"), HTTPRequest.Method.post)
        ]
    }

    let paths = Self.paths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if let known = paths.first(where: { Self.matches(Array(segments), $0.segments) }),
            request.method != known.method, !(known.method == .get && request.method == .head)
        {
            throw Problem(
                .methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path): use \(known.method)",
                headers: [.allow: known.method == .get ? "GET, HEAD" : known.method.rawValue])
        }
        return try await next(request, context)
    }

    static func matches(_ segments: [Substring], _ pattern: [Substring]) -> Bool {
        segments.count == pattern.count
            && zip(segments, pattern).allSatisfy { segment, part in part == "*" ? !segment.isEmpty : segment == part }
    }
}
