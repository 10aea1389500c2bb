import BigInt
import Chain
import Market

/// A validated session manifest (schema v1), with the delivery date substituted and every
/// deadline resolved to Unix seconds. See docs/manifest.md for each field.
public struct SessionManifest: Sendable {
    public var version: Int
    public var session: Session
    public var chain: ChainSettings
    public var contracts: ContractsSettings
    public var operatorKey: KeySource
    public var deadlines: Deadlines
    public var participants: [Participant]
    public var clearing: PluginSettings
    /// Meter data and validation rules; nil: the run stops after publishing the clearing.
    public var validation: ValidationSettings?
    public var settlement: SettlementSettings
    /// How agent members' commits and reveals reach the chain, and the gas cap of chunks.
    public var batching = BatchingSettings()
    /// The (date-substituted) manifest as canonical JSON: every scalar as text, keys sorted when
    /// written. Stable under key order, quoting and formatting.
    public var canonicalJSON: JSONValue
    /// keccak256 of `canonicalJSON`'s text. Anchored on chain at session open.
    public var canonicalHash: [UInt8] { Keccak256.hash(Array(canonicalJSON.jsonText.utf8)) }
    /// Where each field's value was read, by path (for errors found after parsing).
    public var locations: [String: SourceLocation] = [:]

    public struct Session: Sendable, Hashable {
        public var id: String
        public var community: String
        public var timeZone: String
        public var deliveryDay: DeliveryCalendar.Day
        public var slotMinutes: Int
        /// 23, 24 or 25 hourly slots (×4 for 15-minute slots) depending on DST.
        public var slots: Int
        /// Unix seconds of local midnight of the delivery day.
        public var deliveryStart: Int64
        public var tokenDecimals: Int
        /// Base units locked by each commitment.
        public var deposit: BigUInt
        /// Base units per kWh offered by sellers.
        public var sellerBondPerKWh: BigUInt
    }

    public enum ChainSettings: Sendable, Hashable {
        /// Start the local dev chain.
        /// `genesisTime`: block 0's timestamp (and the chain clock's start) for fixture sessions
        /// on fixed dates; nil: now.
        case dev(chainID: UInt64, genesisTime: Int64?)
        /// A node: URL and the chain id it must report.
        case rpc(url: String, chainID: UInt64, confirmations: Int, transactionType: TransactionType, gasPrice: GasPrice)
    }

    public enum TransactionType: String, Sendable, Hashable { case legacy, eip1559 }

    public enum GasPrice: Sendable, Hashable {
        /// From the node (`eth_gasPrice`, `eth_maxPriorityFeePerGas`).
        case auto
        /// Besu free-gas networks.
        case zero
        case fixed(wei: BigUInt)
    }

    public enum ContractsSettings: Sendable, Hashable {
        case deploy
        case existing(marketplace: Address, token: Address?)
    }

    /// Where a private key comes from: never the manifest itself.
    public enum KeySource: Sendable, Hashable {
        case keystore(path: String, password: PasswordSource)
        /// A prefunded dev-chain account (only with `chain: dev`).
        case devAccount(index: Int)
    }

    public enum PasswordSource: Sendable, Hashable {
        case environment(String)
        case file(String)
    }

    public struct Deadlines: Sendable, Hashable {
        public var commit: Int64
        public var reveal: Int64
    }

    public enum Role: String, Sendable, Hashable { case consumer, prosumer, producer }

    public struct Participant: Sendable, Hashable {
        public var id: String
        public var address: Address
        public var pod: String
        public var role: Role
        public var adhesionDocument: String
        /// Agent mode: the runner signs for this member.
        public var key: KeySource?
        /// Orders the runner reveals for an agent member (prices in base units per kWh).
        public var orders: [MarketOrder]
        /// `orders_csv` path, read by the loader.
        public var ordersCSV: String?
    }

    public struct PluginSettings: Sendable, Hashable {
        public var plugin: String
        public var params: JSONValue
    }

    /// `batching`: relayed (EIP-712 authorisations in operator transactions) or direct (one
    /// transaction per member) submission, and the gas cap every chunked transaction stays under.
    public struct BatchingSettings: Sendable, Hashable {
        public enum Submission: String, Sendable, Hashable { case direct, relayed }
        public var submission: Submission = .direct
        /// Gas cap of one chunk (publication, validation, settlement, relayed commits and
        /// reveals): a step's first chunk is estimated, later ones extrapolated from the previous
        /// receipt to 60 % of the cap (docs/journal.md, "Chunked steps").
        public var maxGas: UInt64 = Self.defaultMaxGas
        /// Half of Besu's common 30M block gas limit.
        public static let defaultMaxGas: UInt64 = 15_000_000
        public init(submission: Submission = .direct, maxGas: UInt64 = Self.defaultMaxGas) {
            self.submission = submission
            self.maxGas = maxGas
        }
    }

    public struct SettlementSettings: Sendable, Hashable {
        public enum Mode: String, Sendable, Hashable { case batch, direct }
        public var mode: Mode
        /// Withdraw agent members' available funds at the end.
        public var withdraw: Bool
    }
}
