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
            do { return try await actions.apply(action, to: member).json } catch {
                throw failure(error, "\(name) \(member.checksummed)", rpc: chain.rpc)
            }
        }
    }

    /// An admin action's error as the API answers it: an impossible change 409, a refusal 400,
    /// a failed transaction 502 (the node's URL left out), and anything else, such as an RPC
    /// error from a node that stopped answering, 502 with the details in the server log only.
    static func failure(_ error: any Error, _ what: String, rpc: URL) -> PortalError {
        switch error as? AdminError {
        case .impossible(let m)?: .conflict(m)
        case .notAdmin(let m)?, .refused(let m)?: .badRequest(ChainAccess.redacting(rpc, m))
        case .failed(let m)?: .chain(ChainAccess.redacting(rpc, m))
        case nil: .node(what: "the admin action \(what)", error: "\(error)")
        }
    }
}
