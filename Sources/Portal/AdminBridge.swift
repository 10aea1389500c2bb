import Chain
import Foundation

/// The admin gate of `cer-run serve`, running the admin's journaled actions.
public enum ServeAdmin {
    /// A gate for `token` that signs with `key` on `chain`'s node and marketplace.
    public static func gate(token: String, key: PrivateKey, chain: ChainAccess) async throws -> AdminGate {
        AdminGate(token: token) { _, _ in
            throw PortalError.unavailable("admin actions are not built into this server yet")
        }
    }
}
