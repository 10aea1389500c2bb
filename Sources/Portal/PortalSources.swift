import Chain
import Foundation
import Manifest
import PhaseRunner

/// Where `cer-run serve` reads from, resolved from its options: the runs root, the node (the
/// `--rpc` given, else the manifest's `chain.rpc`, else the newest run's) and the marketplace
/// (`--marketplace`, else the manifest's `contracts.marketplace`, else the newest run's journal).
public struct PortalSources: Sendable {
    public let runsRoot: URL
    public let rpc: URL?
    public let marketplace: Address?
    /// The chain id the manifest expects of its node (nil without a manifest or for a dev chain).
    public let expectedChainID: UInt64?
    /// The first block the member list reads logs from: `--from-block`, else the block where a
    /// run folder's journal shows this marketplace deployed, else 0 (a long chain behind a node
    /// with a log range limit, Besu's 5,000 blocks, then costs one `eth_getLogs` per range).
    public let memberLogsFrom: UInt64
    /// `--from-block` as given (nil: found from the run journals).
    public let fromBlock: UInt64?

    /// Resolves the options; a bad one is a `.badRequest` naming it.
    public static func resolve(
        manifest path: String?, runs: String?, rpc: String?, marketplace: String?, fromBlock: UInt64? = nil
    ) throws(PortalError) -> PortalSources {
        var manifest: SessionManifest?
        if let path {
            do { manifest = try ManifestLoader.load(path: path) } catch {
                throw .badRequest("--manifest \(path):\n\(error.description)")
            }
        }
        let root = URL(fileURLWithPath: runs ?? "runs")
        let newest = RunCatalog(root: root).runs().first
        var rpcURL: URL?
        var expected: UInt64?
        if let rpc {
            guard let url = URL(string: rpc), url.scheme == "http" || url.scheme == "https" else {
                throw .badRequest("--rpc \(rpc): give an http:// or https:// URL")
            }
            rpcURL = url
        } else if case .rpc(let url, let chainID, _, _, _)? = (manifest ?? newest?.manifest)?.chain {
            rpcURL = URL(string: url)
            expected = chainID
        }
        var market: Address?
        if let marketplace {
            guard marketplace.count == 42, let address = try? Address(marketplace) else {
                throw .badRequest("--marketplace \(marketplace): give 0x and 40 hex digits")
            }
            market = address
        } else if case .existing(let address, _)? = manifest?.contracts {
            market = address
        } else {
            market = newest.flatMap { RunFacts($0).marketplace }
        }
        return PortalSources(
            runsRoot: root, rpc: rpcURL, marketplace: market, expectedChainID: expected,
            memberLogsFrom: fromBlock ?? deploymentBlock(root, market, chainID: nil, genesis: nil) ?? 0,
            fromBlock: fromBlock)
    }

    /// The earliest block a run folder's journal shows `market` deployed in, among the runs on
    /// chain `chainID` with block 0 `genesis` (nil: any).
    static func deploymentBlock(_ root: URL, _ market: Address?, chainID: UInt64?, genesis: String?) -> UInt64? {
        RunCatalog(root: root).runs().map(RunFacts.init)
            .filter { facts in
                facts.marketplace != nil && facts.marketplace == market
                    && (chainID == nil || facts.run.chainID == chainID)
                    && (genesis == nil || facts.genesis?.lowercased() == genesis?.lowercased())
            }
            .compactMap(\.marketplaceBlock).min()
    }

    /// The data layer for these sources: connects to the node when there is one and a
    /// marketplace to read.
    public func data(adminEnabled: Bool) async throws(PortalError) -> PortalData {
        var chain: ChainAccess?
        if let rpc {
            guard let marketplace else {
                throw .badRequest(
                    "a node is configured (\(ChainAccess.redacted(rpc))) but no marketplace: pass --marketplace 0x… or a manifest "
                        + "with contracts.marketplace")
            }
            var access = try await ChainAccess.connect(rpc: rpc, marketplace: marketplace)
            // Only runs on the node's own chain count (a run of an earlier dev chain with the same
            // id and deployer names the same marketplace address at another block).
            access.memberLogsFrom =
                fromBlock
                ?? Self.deploymentBlock(runsRoot, marketplace, chainID: access.chainID, genesis: access.genesis) ?? 0
            if let expectedChainID, expectedChainID != access.chainID {
                throw .badRequest(
                    "the node at \(ChainAccess.redacted(rpc)) reports chain id \(access.chainID), the manifest expects "
                        + "\(expectedChainID): check --rpc")
            }
            chain = access
        }
        return PortalData(catalog: RunCatalog(root: runsRoot), chain: chain, adminEnabled: adminEnabled)
    }
}
