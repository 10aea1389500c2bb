import BigInt
import Chain
import Foundation
import Market

/// The node the server reads (when it has one): the marketplace's sessions and funds. A failed
/// read is a `.node` error: the client is told what failed, the server log gets the node's
/// answer (the URL, which may hold an API key or `user:password@`, is never sent to clients).
public struct ChainAccess: Sendable {
    /// The node's JSON-RPC endpoint.
    public let rpc: URL
    /// The chain id the node reported at start.
    public let chainID: UInt64
    /// Block 0's hash (`0x…`), to tell this chain from another with the same id (dev chains).
    public let genesis: String
    public let client: EthClient
    public let marketplace: MarketplaceContract
    /// The first block the member list reads `MemberRegistered` logs from.
    public var memberLogsFrom: UInt64 = 0

    /// Connects to `rpc` (reads its chain id) and binds the marketplace at `marketplace`.
    public static func connect(rpc: URL, marketplace: Address) async throws(PortalError) -> ChainAccess {
        let client = EthClient(url: rpc, timeout: 10)
        let chainID: UInt64
        // Start-up errors (stderr, exit 2) name the node, without its user and password.
        do { chainID = try await client.chainID() } catch {
            throw .chain(
                Self.redacting(
                    rpc, "the node at \(rpc.absoluteString) did not answer eth_chainId (\(error)): check --rpc"))
        }
        let genesis: String
        do { genesis = try await client.block(.number(0))?.hash.hex ?? "" } catch {
            throw .chain(
                Self.redacting(rpc, "the node at \(rpc.absoluteString) did not return block 0 (\(error)): check --rpc"))
        }
        let abi: ContractABI
        do { abi = try ArtifactStore.locate().artifact("Marketplace").abi } catch {
            throw .unavailable(
                "the Marketplace ABI was not found (\(error)): run from the repository or set CER_CONTRACTS_DIR")
        }
        return ChainAccess(
            rpc: rpc, chainID: chainID, genesis: genesis, client: client,
            marketplace: MarketplaceContract(contract: Contract(address: marketplace, abi: abi, client: client)))
    }

    /// Session `id` of the marketplace.
    public func session(_ id: UInt64) async throws(PortalError) -> OnChainSession {
        do { return try await marketplace.session(id) } catch { throw failure("getSession(\(id))", error) }
    }

    /// A member's available and locked funds.
    public func funds(_ member: Address) async throws(PortalError) -> (available: BigUInt, locked: BigUInt) {
        do { return try await marketplace.checkFunds(member) } catch { throw failure("checkFunds", error) }
    }

    /// A failed read: `what` for the client, the node's answer and URL for the log.
    func failure(_ what: String, _ error: any Error) -> PortalError {
        .node(
            what: "\(what) on marketplace \(marketplace.address.checksummed)",
            error: "\(error) (node \(Self.redacted(rpc)))")
    }

    /// `url` without its user, password, path, query and fragment: `scheme://host:port`.
    public static func redacted(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "the node" }
        parts.user = nil
        parts.password = nil
        parts.path = ""
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "the node"
    }

    /// `text` with `url` (and its `user:password@` anywhere) replaced by `redacted(url)`: for
    /// messages that name the node.
    public static func redacting(_ url: URL, _ text: String) -> String {
        var text = text.replacingOccurrences(of: url.absoluteString, with: redacted(url))
        let parts = URLComponents(url: url, resolvingAgainstBaseURL: false)
        if let user = parts?.percentEncodedUser {
            let password = parts?.percentEncodedPassword.map { ":" + $0 } ?? ""
            text = text.replacingOccurrences(of: user + password + "@", with: "")
        }
        return text
    }
}
