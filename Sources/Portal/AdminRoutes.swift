import Chain
import Hummingbird

/// `POST /api/v1/admin/members/{address}/{action}`: 403 when admin is not enabled, 401 without
/// the right bearer token, then the action through the gate (one at a time).
enum AdminRoutes {
    static let actions = ["approve", "reject", "suspend", "reinstate"]

    static func add(to router: Router<BasicRequestContext>, gate: AdminGate?) {
        let path: RouterPath = "/api/v1/admin/members/{address}/{action}"
        router.post(path) { request, context -> Response in
            let action = try context.parameters.require("action")
            guard actions.contains(action) else {
                throw Problem(.notFound, "no admin action \(action): use one of \(actions.joined(separator: ", "))")
            }
            let header = request.headers[.authorization]
            guard AdminGate.bearerCredentials(header) != nil else { throw unauthorized("missing token") }
            guard let gate else {
                throw Problem(
                    .forbidden,
                    "admin is not enabled on this server: start it with --admin-token-env NAME (a non-empty variable) "
                        + "and --admin-keystore FILE")
            }
            guard gate.authorizes(header) else { throw unauthorized("wrong token") }
            let member = try APIRoutes.address(try context.parameters.require("address"), "address", checksum: true)
            return .json(try await gate.apply(action, to: member))
        }
    }

    static func unauthorized(_ what: String) -> Problem {
        Problem(
            .unauthorized, "\(what): send `Authorization: Bearer <token>` with the server's admin token",
            headers: [.wwwAuthenticate: "Bearer"])
    }
}
