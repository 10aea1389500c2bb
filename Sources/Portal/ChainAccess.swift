import BigInt
import Chain
import Foundation
import Market

/// The node the server reads (when it has one): the marketplace's sessions and funds. Every
/// failure is a `.chain` error naming the node.
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
        do { chainID = try await client.chainID() } catch {
            throw .chain("the node at \(rpc.absoluteString) did not answer eth_chainId (\(error)): check --rpc")
        }
        let genesis: String
        do { genesis = try await client.block(.number(0))?.hash.hex ?? "" } catch {
            throw .chain("the node at \(rpc.absoluteString) did not return block 0 (\(error)): check --rpc")
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

    func failure(_ what: String, _ error: any Error) -> PortalError {
        .chain("the node at \(rpc.absoluteString) failed \(what) on \(marketplace.address.checksummed): \(error)")
    }
}
