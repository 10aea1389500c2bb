import Chain
import Foundation
import PhaseRunner

/// The admin gate of `cer-run serve`, running the admin's journaled actions (`AdminActions`).
public enum ServeAdmin {
    /// Opens the admin's actions with `key` on `chain`'s node and marketplace (checks that the
    /// key is the marketplace's admin) and puts them behind a gate for `token`.
    public static func gate(token: String, key: PrivateKey, chain: ChainAccess, journal: URL? = nil) async throws
        -> AdminGate
    {
        let actions = try await AdminActions.open(
            MemberSettings(
                rpc: chain.rpc, chainID: chain.chainID, marketplace: chain.marketplace.address, journal: journal),
            key: key)
        return AdminGate(token: token) { name, member in
            guard let action = AdminAction(rawValue: name) else {
                throw PortalError.notFound("no admin action \(name): use approve, reject, suspend or reinstate")
            }
            do { return try await actions.apply(action, to: member).json } catch let error as AdminError {
                switch error {
                case .impossible(let m): throw PortalError.conflict(m)
                case .notAdmin(let m), .refused(let m): throw PortalError.badRequest(m)
                case .failed(let m): throw PortalError.chain(m)
                }
            }
        }
    }
}
