import Chain
import DevChain
import Foundation
import Manifest
import Market
import Validation

/// Everything the phases share: the manifest, the journal, the chain and the keys.
final class RunContext: @unchecked Sendable {
    let manifest: SessionManifest
    let manifestFolder: URL
    let runFolder: URL
    let journal: Journal
    let client: EthClient
    let chainID: UInt64
    let devChain: DevChainProcess?
    let operatorSender: TransactionSender
    let operatorJournal: JournaledSender
    /// Agent members (those with a key), by participant id.
    let members: [String: TransactionSender]
    let memberJournals: [String: JournaledSender]
    let emit: @Sendable (RunEvent) -> Void
    /// Set when planning (`cer-run plan`): transactions are listed here, never sent.
    let plan: PlanLog?
    var planning: Bool { plan != nil }
    var token: TokenContract?
    var market: MarketplaceContract?
    var sessionID: UInt64?
    /// Block of `newSession`: log queries start there, not at genesis.
    var sessionBlock: UInt64 = 0
    /// Revealed orders by member, read once for the report.
    var revealedCache: [Address: (orders: [MarketOrder], salt: [UInt8])]?
    /// The members of `revealedCache` in event order.
    var revealedOrder: [Address] = []
    /// Replays: the meter day validation uses instead of reading the manifest's source.
    var meterSnapshot: (day: MeterDay, warnings: [String])?
    /// Replays: agent members that commit but do not reveal (they did not in the original).
    var withholdReveal: Set<String> = []

    init(
        manifest: SessionManifest, manifestFolder: URL, runFolder: URL, journal: Journal, client: EthClient,
        chainID: UInt64, devChain: DevChainProcess?, operatorKey: PrivateKey, memberKeys: [String: PrivateKey],
        plan: PlanLog? = nil, events: @escaping @Sendable (RunEvent) -> Void
    ) {
        self.plan = plan
        self.manifest = manifest
        self.manifestFolder = manifestFolder
        self.runFolder = runFolder
        self.journal = journal
        self.client = client
        self.chainID = chainID
        self.devChain = devChain
        let fees: FeePolicy
        switch manifest.chain {
        case .dev: fees = .eip1559Auto
        case .rpc(_, _, _, let type, let price):
            switch (type, price) {
            case (.legacy, .auto): fees = .legacyNodePrice
            case (.legacy, .zero): fees = .legacy(gasPrice: 0)
            case (.legacy, .fixed(let wei)): fees = .legacy(gasPrice: wei)
            case (.eip1559, .auto): fees = .eip1559Auto
            case (.eip1559, .zero): fees = .eip1559(maxPriorityFeePerGas: 0, maxFeePerGas: 0)
            case (.eip1559, .fixed(let wei)): fees = .eip1559(maxPriorityFeePerGas: wei, maxFeePerGas: wei)
            }
        }
        operatorSender = TransactionSender(client: client, key: operatorKey, chainID: chainID, fees: fees)
        var confirmations = 1
        if case .rpc(_, _, let wanted, _, _) = manifest.chain { confirmations = wanted }
        operatorJournal = JournaledSender(
            journal: journal, sender: operatorSender, plan: plan, confirmations: confirmations)
        members = memberKeys.mapValues { TransactionSender(client: client, key: $0, chainID: chainID, fees: fees) }
        memberJournals = members.mapValues {
            JournaledSender(journal: journal, sender: $0, plan: plan, confirmations: confirmations)
        }
        self.emit = events
    }

    /// The chain's clock: the latest block's timestamp.
    func chainTime() async throws -> UInt64 {
        guard let head = try await client.block(.latest) else {
            throw RunnerError.chain("the node has no latest block")
        }
        return head.timestamp
    }

    /// A line for the operator.
    func log(_ line: String) { emit(.info(line)) }

    /// A line for `--verbose`.
    func detail(_ line: String) { emit(.detail(line)) }

    /// Something to look at; the run goes on.
    func warn(_ line: String) { emit(.warning(line)) }

    /// The latest record of `type`, if any.
    func last(_ type: String) -> JournalRecord? { journal.last(ofType: type) }
}
