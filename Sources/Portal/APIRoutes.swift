import Chain
import Hummingbird

/// The read-only routes of `/api/v1`: info, sessions, results, report, exports.
enum APIRoutes {
    static func add(to router: Router<BasicRequestContext>, data: PortalData) {
        get(router, "/api/v1/info") { _, _ in .json(data.info()) }
        get(router, "/api/v1/sessions") { request, _ in
            .json(await data.sessions(try page(request)))
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

    /// Registers `handler` for GET on `path` (other methods: `MethodMiddleware`'s 405).
    static func get(
        _ router: Router<BasicRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        router.get(path, use: handler)
    }

    /// `?limit=` and `?cursor=`.
    static func page(_ request: Request) throws(PortalError) -> Page {
        let query = request.uri.queryParameters
        return try Page(limit: query.get("limit"), cursor: query.get("cursor"))
    }

    /// An address parameter: `0x` and 40 hex digits, in any case. `checksum`: mixed case must
    /// also be a correct EIP-55 checksum (for admin actions, where a typo must not reach the chain).
    static func address(_ text: String, _ name: String, checksum: Bool = false) throws(PortalError) -> Address {
        guard text.count == 42, text.hasPrefix("0x"), let lower = try? Address(text.lowercased()) else {
            throw .badRequest("\(name)=\(text) is not an address: give 0x and 40 hex digits")
        }
        guard !checksum || (try? Address(text)) != nil else {
            throw .badRequest(
                "\(name)=\(text) has a wrong EIP-55 checksum (expected \(lower.checksummed)): check the address, or give "
                    + "it all lowercase")
        }
        return lower
    }
}
