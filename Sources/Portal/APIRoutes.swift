import Chain
import Hummingbird

/// The read-only routes of `/api/v1`: info, sessions, results, report, exports.
enum APIRoutes {
    static func add(to router: Router<BasicRequestContext>, data: PortalData) {
        get(router, "/api/v1/info") { _, _ in .json(data.info()) }
        get(router, "/api/v1/sessions") { request, _ in
            .json(try await data.sessions(try page(request)))
        }
        get(router, "/api/v1/sessions/{id}") { _, context in
            .json(try await data.session(try context.parameters.require("id")))
        }
        get(router, "/api/v1/sessions/{id}/results") { request, context in
            let member = try request.uri.queryParameters.get("member").map { text throws(PortalError) in
                try address(text, "member")
            }
            return .json(try await data.results(try context.parameters.require("id"), member: member))
        }
        get(router, "/api/v1/sessions/{id}/report") { _, context in
            .bytes(try data.report(try context.parameters.require("id")), contentType: "application/json")
        }
        get(router, "/api/v1/sessions/{id}/exports") { _, context in
            .json(try data.exports(try context.parameters.require("id")))
        }
        get(router, "/api/v1/sessions/{id}/exports/{name}") { _, context in
            let file = try data.export(try context.parameters.require("id"), try context.parameters.require("name"))
            return .bytes(file.bytes, contentType: file.mediaType)
        }
    }

    /// Registers `handler` for GET (and HEAD) on `path`, and a 405 problem for the other methods.
    static func get(
        _ router: Router<BasicRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        router.get(path, use: handler)
        refuse(router, path, allow: "GET", methods: [.post, .put, .patch, .delete])
    }

    /// A 405 problem naming the allowed method for each of `methods` on `path`.
    static func refuse(
        _ router: Router<BasicRequestContext>, _ path: RouterPath, allow: String, methods: [HTTPRequest.Method]
    ) {
        for method in methods {
            router.on(path, method: method) { request, _ -> Response in
                throw Problem(
                    .methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path): use \(allow)",
                    headers: [.allow: allow])
            }
        }
    }

    /// `?limit=` and `?cursor=`.
    static func page(_ request: Request) throws(PortalError) -> Page {
        let query = request.uri.queryParameters
        return try Page(limit: query.get("limit"), cursor: query.get("cursor"))
    }

    /// An address parameter: `0x` and 40 hex digits (lowercase, uppercase or EIP-55).
    static func address(_ text: String, _ name: String) throws(PortalError) -> Address {
        guard text.count == 42, text.hasPrefix("0x"), let address = try? Address(text) else {
            throw .badRequest(
                "\(name)=\(text) is not an address: give 0x and 40 hex digits (all lowercase, or with a correct "
                    + "EIP-55 checksum)")
        }
        return address
    }
}
