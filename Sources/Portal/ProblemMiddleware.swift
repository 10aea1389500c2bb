import Hummingbird

/// Turns every error of a route into a problem+json response: `Problem` as it is, the data
/// layer's `PortalError` by its kind, Hummingbird's own `HTTPError`s (unknown route, bad body)
/// with their status, anything else as 500. Node failures and 500s are logged in full; the
/// client gets a generic detail (a node's URL may hold credentials).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do { return try await next(request, context) } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as PortalError {
            switch error {
            case .node, .damaged: context.logger.error("\(request.method) \(request.uri.path): \(error.logDescription)")
            default: break
            }
            return try Problem(error).response(from: request, context: context)
        } catch let error as HTTPError {
            let detail =
                error.body
                ?? (error.status == .notFound
                    ? "no such path \(request.uri.path) for \(request.method): the API is under /api/v1 (see /openapi.yaml)"
                    : "the request was refused (\(error.status.reasonPhrase))")
            return try Problem(error.status, detail, headers: error.headers).response(from: request, context: context)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            return try Problem(.internalServerError, "internal error; see the server log").response(
                from: request, context: context)
        }
    }
}
