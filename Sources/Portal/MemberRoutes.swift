import Hummingbird

/// `GET /api/v1/members` and `GET /api/v1/members/{address}`.
enum MemberRoutes {
    static func add(to router: Router<BasicRequestContext>, data: PortalData) {
        APIRoutes.get(router, "/api/v1/members") { request, _ in
            .json(
                try await data.members(
                    status: request.uri.queryParameters.get("status"), page: try APIRoutes.page(request)))
        }
        APIRoutes.get(router, "/api/v1/members/{address}") { _, context in
            .json(try await data.member(try APIRoutes.address(try context.parameters.require("address"), "address")))
        }
    }
}
