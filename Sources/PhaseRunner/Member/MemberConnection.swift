import BigInt
import Chain
import Foundation
import Manifest
import Market

/// Where a member acts: the node, the chain it must be, the marketplace, and the member journal.
public struct MemberSettings: Sendable {
    /// JSON-RPC endpoint of the node.
    public var rpc: URL
    /// The chain id the node must report.
    public var chainID: UInt64
    /// The `Marketplace` contract.
    public var marketplace: Address
    /// The member journal; nil: `MemberConnection.defaultJournal`.
    public var journal: URL?
    /// Token decimals; nil: read from the token contract.
    public var decimals: Int?
    /// How transactions are priced.
    public var fees: FeePolicy

    /// Settings for `MemberConnection.open`.
    public init(
        rpc: URL, chainID: UInt64, marketplace: Address, journal: URL? = nil, decimals: Int? = nil,
        fees: FeePolicy = .eip1559Auto
    ) {
        self.rpc = rpc
        self.chainID = chainID
        self.marketplace = marketplace
        self.journal = journal
        self.decimals = decimals
        self.fees = fees
    }
}

/// A member's connection to the market: a checked node, the contracts, its key's sender and its
/// own write-ahead journal. Every transaction goes through `journaled` under a step name scoped
/// to the marketplace (`member/commit/3@0x…`), so running an action again never sends twice.
public struct MemberConnection: Sendable {
    /// The node, checked to report `chainID`.
    public let client: EthClient
    public let chainID: UInt64
    /// Signs with the member's key (decrypted from its keystore; never printed or journaled).
    public let sender: TransactionSender
    /// Exactly-once sending through the member journal.
    public let journaled: JournaledSender
    /// The marketplace and its settlement token.
    public let market: MarketplaceContract
    public let token: TokenContract
    /// Decimals of the settlement token (amounts are shown and parsed with them).
    public let decimals: Int

    /// The member's address.
    public var address: Address { sender.address }
    /// The member journal.
    public var journal: Journal { journaled.journal }

    /// Journal record types of the member journal (besides the `tx.*` ones of `JournaledSender`).
    public enum RecordType {
        /// First record: the address, chain id and genesis (block 0's hash) the journal belongs to.
        public static let header = "member.journal"
        /// Binds a journal whose header has no genesis (written before it was recorded) to the
        /// chain it was first opened on after that.
        public static let genesis = "member.genesis"
        /// Orders and salt of a commitment, fsynced before the commitment is sent.
        public static let orders = "member.orders"
    }

    /// `$HOME/.cer-run/members/<chainId>/<address>.jsonl` (`UserJournalFolder`): one journal per key and chain, because
    /// nonces (and so journaled attempts) belong to one chain.
    public static func defaultJournal(for address: Address, chainID: UInt64) -> URL {
        UserJournalFolder.journal(kind: "members", address: address.hex, chainID: chainID)
    }

    /// Connects, checks the chain id and the marketplace, reads the token and its decimals, and
    /// opens (locking) the member journal.
    public static func open(_ settings: MemberSettings, key: PrivateKey) async throws -> MemberConnection {
        let client = EthClient(url: settings.rpc)
        let reported: UInt64
        do { reported = try await client.chainID() } catch {
            throw MemberError.refused("cannot reach the node at \(settings.rpc.absoluteString): \(error)")
        }
        guard reported == settings.chainID else {
            throw MemberError.refused(
                "the node at \(settings.rpc.absoluteString) reports chain id \(reported), not \(settings.chainID); check --rpc and --chain-id"
            )
        }
        guard try await !client.code(at: settings.marketplace).isEmpty else {
            throw MemberError.refused(
                "no contract at \(settings.marketplace.checksummed) on chain \(reported); check --marketplace")
        }
        let artifacts: ArtifactStore
        let marketABI: ContractABI
        let tokenABI: ContractABI
        do {
            artifacts = try ArtifactStore.locate()
            marketABI = try artifacts.artifact("Marketplace").abi
            tokenABI = try artifacts.artifact("CommunityToken").abi
        } catch { throw MemberError.refused("\(error)") }
        let market = MarketplaceContract(
            contract: Contract(address: settings.marketplace, abi: marketABI, client: client))
        guard let tokenAddress = try? await market.contract.call("token").first?.addressValue else {
            throw MemberError.refused(
                "\(settings.marketplace.checksummed) does not answer token(): is it a cer-run Marketplace?")
        }
        let token = TokenContract(contract: Contract(address: tokenAddress, abi: tokenABI, client: client))
        var decimals = settings.decimals
        if decimals == nil, let value = try? await token.contract.call("decimals").first?.uintValue {
            decimals = Int(value)
        }
        guard let decimals, (0...36).contains(decimals) else {
            throw MemberError.refused(
                "cannot read the token's decimals from \(tokenAddress.checksummed); pass --decimals")
        }
        let sender = TransactionSender(client: client, key: key, chainID: reported, fees: settings.fees)
        let url = settings.journal ?? defaultJournal(for: key.address, chainID: reported)
        let genesis = try await genesisHash(client, settings.rpc)
        let journal: Journal
        do { journal = try Journal.open(url) } catch {
            if case .locked(let path) = error {
                throw MemberError.refused(
                    "the journal \(path) is in use by another cer-run: a command of the same key still running, or `cer-run serve` with admin enabled, which holds the admin journal while it runs. Wait for the command, or stop serve (or use its admin page and endpoints instead); nothing was sent"
                )
            }
            throw MemberError.refused(error.description)
        }
        try checkHeader(journal, address: key.address, chainID: reported, genesis: genesis)
        return MemberConnection(
            client: client, chainID: reported, sender: sender,
            journaled: JournaledSender(journal: journal, sender: sender), market: market, token: token,
            decimals: decimals)
    }

    /// Block 0's hash: with the chain id it names the chain (a restarted dev chain keeps the id,
    /// not its genesis).
    static func genesisHash(_ client: EthClient, _ rpc: URL) async throws -> String {
        let block: Block?
        do { block = try await client.block(.number(0)) } catch {
            throw MemberError.refused("cannot read block 0 from the node at \(rpc.absoluteString): \(error)")
        }
        guard let block else { throw MemberError.refused("the node at \(rpc.absoluteString) has no block 0") }
        return Hex.encode(block.hash)
    }

    /// Checks (or writes) the journal's header: its key, chain id and genesis must be this key's
    /// and the node's. A journal of another chain — a restarted dev chain has the same chain id
    /// and marketplace address but a new genesis — holds signed bytes and nonces that do not
    /// belong here: it is refused before anything is sent. A journal written before the genesis
    /// was recorded is bound to the node's chain by a `member.genesis` record. `checkOwner`
    /// false (a deploy journal, which several deployer keys may share) checks only the chain.
    static func checkHeader(
        _ journal: Journal, address: Address, chainID: UInt64, genesis: String, checkOwner: Bool = true
    ) throws {
        let path = journal.url.path
        guard let header = journal.records(ofType: RecordType.header).first else {
            do {
                try journal.append(
                    RecordType.header,
                    ["address": .string(address.hex), "chainId": .int(Int64(chainID)), "genesis": .string(genesis)])
            } catch { throw MemberError.refused(error.description) }
            return
        }
        let owner = header.data["address"]?.stringValue ?? ""
        guard !checkOwner || owner == address.hex, case .int(let chain)? = header.data["chainId"],
            UInt64(chain) == chainID
        else {
            throw MemberError.refused(
                "the journal \(path) belongs to \(owner) on chain \(header.data["chainId"]?.jsonText ?? "?"), not to \(address.checksummed) on chain \(chainID); pass another --journal"
            )
        }
        let recorded =
            header.data["genesis"]?.stringValue
            ?? journal.records(ofType: RecordType.genesis).first?.data["genesis"]?.stringValue
        guard let recorded else {
            do { try journal.append(RecordType.genesis, ["genesis": .string(genesis)]) } catch {
                throw MemberError.refused(error.description)
            }
            return
        }
        guard recorded.lowercased() == genesis.lowercased() else {
            throw MemberError.refused(
                "the journal \(path) was written on another chain with chain id \(chainID) (its block 0 is \(recorded), the node's is \(genesis): a restarted or different chain); its nonces and signed transactions do not belong to this chain. Move the journal away or pass another --journal; nothing was sent"
            )
        }
    }

    /// The chain's clock: the latest block's timestamp.
    public func chainTime() async throws -> UInt64 {
        guard let head = try await client.block(.latest) else { throw MemberError.failed("the node has no block") }
        return head.timestamp
    }

    /// `action@marketplace`: step names are scoped to the marketplace.
    public func step(_ action: String) -> String { "member/\(action)@\(market.address.hex)" }

    /// Whether the journal holds an attempt for `step` (then the action is finished from the
    /// journal, without the state checks that would refuse it once it landed).
    func hasAttempt(_ step: String) -> Bool {
        journal.records(ofType: JournaledSender.RecordType.signed).contains { $0.data["step"]?.stringValue == step }
    }

    /// The reference of a deposit or withdrawal (`kind`) signed by an earlier run that never got
    /// its receipt journaled: it must be finished (same reference) before another is started,
    /// or a crash around midnight (a new default reference) would move money twice.
    func unfinished(_ kind: String, except step: String) -> String? {
        let prefix = "member/\(kind)/"
        let suffix = "@\(market.address.hex)"
        let mined = Set(
            journal.records(ofType: JournaledSender.RecordType.mined).compactMap { $0.data["step"]?.stringValue })
        for record in journal.records(ofType: JournaledSender.RecordType.signed) {
            guard let name = record.data["step"]?.stringValue, name != step, name.hasPrefix(prefix),
                name.hasSuffix(suffix), !mined.contains(name)
            else { continue }
            let reference = name.dropFirst(prefix.count).dropLast(suffix.count)
            return String(reference.hasSuffix("/approve") ? reference.dropLast("/approve".count) : reference)
        }
        return nil
    }

    /// The calldata of the last journaled attempt of `step`.
    func journaledCalldata(_ step: String) -> [UInt8]? {
        guard
            let raw = journal.records(ofType: JournaledSender.RecordType.signed).last(where: {
                $0.data["step"]?.stringValue == step
            })?.data["raw"]?.stringValue, let bytes = try? Hex.decode(raw),
            let signed = try? SignedTransaction(raw: bytes)
        else { return nil }
        return signed.transaction.data
    }

    /// Sends `data` to `to` as `step` through the journal; contract refusals become plain words.
    func send(step: String, to: Contract, data: [UInt8]) async throws -> JournaledSender.Outcome {
        do {
            return try await journaled.ensure(step: step, to: to.address, data: data, abi: to.abi)
        } catch SendError.wouldRevert(let reason) {
            throw MemberError.refused(MarketErrorText.explain(reason, decimals: decimals) + "; nothing was sent")
        } catch SendError.reverted(let hash, _, let reason) {
            let why = reason.map { MarketErrorText.explain($0, decimals: decimals) } ?? "no reason could be replayed"
            throw MemberError.failed("transaction \(hash.hex) failed: \(why)")
        }
    }

    /// Encodes `contract.function(arguments)`.
    func calldata(_ contract: Contract, _ function: String, _ arguments: [ABIValue]) throws -> [UInt8] {
        try contract.abi.function(function).encodeCall(arguments)
    }

    /// Amount in token units, e.g. `5.00`.
    public func money(_ value: BigUInt) -> String { DecimalAmount.format(value, decimals: decimals) }
}
