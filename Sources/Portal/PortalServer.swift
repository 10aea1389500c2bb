import Foundation
import Hummingbird
import Logging

/// The HTTP server of `cer-run serve`: the API under `/api/v1`, `/openapi.yaml`, and the
/// portal's static files for every other GET path.
public enum PortalServer {
    /// Where and what to serve.
    public struct Settings: Sendable {
        public var host: String
        /// 0: a free port (the actual one is given to `onListening`).
        public var port: Int
        public var data: PortalData
        /// The admin endpoints' gate; nil: admin disabled (403).
        public var admin: AdminGate?
        /// The static files; nil: the bundle's `Public` folder.
        public var files: StaticFiles?

        public init(
            host: String = "127.0.0.1", port: Int = 8080, data: PortalData, admin: AdminGate? = nil,
            files: StaticFiles? = nil
        ) {
            self.host = host
            self.port = port
            self.data = data
            self.admin = admin
            self.files = files
        }
    }

    /// The document served at `/openapi.yaml` (a copy of docs/openapi.yaml in the bundle).
    public static func openAPIDocument() -> [UInt8] {
        guard let folder = PortalResources.folder(),
            let data = FileManager.default.contents(
                atPath: folder.appendingPathComponent("OpenAPI/openapi.yaml").path)
        else { return [] }
        return Array(data)
    }

    /// The router: middlewares (request log outermost, then security headers, problems, methods),
    /// API, admin, static files.
    public static func router(_ settings: Settings, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestLogMiddleware(logger: logger))
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MethodMiddleware())
        APIRoutes.add(to: router, data: settings.data)
        ReportPage.add(to: router, data: settings.data)
        MemberRoutes.add(to: router, data: settings.data)
        AdminRoutes.add(to: router, gate: settings.admin)
        let openAPI = openAPIDocument()
        APIRoutes.get(router, "/openapi.yaml") { _, _ in .bytes(openAPI, contentType: "application/yaml") }
        let files = settings.files ?? StaticFiles.bundled()
        let serve: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let path = request.uri.path
            if path == "/api" || path.hasPrefix("/api/") {
                throw PortalError.notFound("no such API path \(path): see /openapi.yaml for the endpoints")
            }
            guard let files else { throw PortalError.notFound("this build has no portal files") }
            let file = try files.file(path)
            return .bytes(file.bytes, contentType: file.contentType)
        }
        router.get("/", use: serve)
        router.get("/**", use: serve)
        return router
    }

    /// The application; `onListening` gets the port once the server listens.
    public static func application(
        _ settings: Settings, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(settings, logger: logger),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }
}
