/// The numbers of one market session, as rendered by ``SessionReportRenderer``.
///
/// All money is an integer amount of token base units written as a decimal string (it may exceed 2^53);
/// all energy is an integer number of watt-hours. The model is also the JSON export.
public struct SessionReportData: Codable, Sendable, Equatable {
    /// Format version of this model, `"cer-report-data/1"`.
    public var version: String
    /// Session identifier, e.g. `"cer-bovisa-2026-06-15"`.
    public var sessionId: String
    /// Name of the renewable energy community.
    public var community: String
    /// Delivery day, `"YYYY-MM-DD"`.
    public var deliveryDay: String
    /// IANA time zone of the delivery day, e.g. `"Europe/Rome"`.
    public var timeZone: String
    /// Length of one market slot in minutes (60 or 15).
    public var slotMinutes: Int
    /// Decimals of the settlement token, e.g. 6.
    public var tokenDecimals: Int
    /// Symbol of the settlement token, e.g. `"CEUR"`.
    public var tokenSymbol: String
    /// Chain id of the Ethereum chain.
    public var chainId: UInt64
    /// Address of the marketplace contract (`0x…`).
    public var marketplace: String
    /// Session number inside the marketplace contract.
    public var chainSessionId: UInt64
    /// Session state: `"settled"`, `"validated"`, `"cleared"`, …
    public var state: String
    /// Clearing mechanism, e.g. `"uniform-price"`.
    public var plugin: String
    /// Market slots of the delivery day, in order.
    public var slots: [Slot]
    /// Hours of the delivery day (23 or 25 on DST days), in order.
    public var hours: [Hour]
    /// Members of the community and their results.
    public var members: [Member]
    /// Transactions sent for the session.
    public var transactions: [Transaction]
    /// Session totals.
    public var totals: Totals

    /// Creates a report model.
    public init(
        version: String = "cer-report-data/1", sessionId: String, community: String, deliveryDay: String,
        timeZone: String, slotMinutes: Int, tokenDecimals: Int, tokenSymbol: String, chainId: UInt64,
        marketplace: String, chainSessionId: UInt64, state: String, plugin: String, slots: [Slot], hours: [Hour],
        members: [Member], transactions: [Transaction], totals: Totals
    ) {
        self.version = version
        self.sessionId = sessionId
        self.community = community
        self.deliveryDay = deliveryDay
        self.timeZone = timeZone
        self.slotMinutes = slotMinutes
        self.tokenDecimals = tokenDecimals
        self.tokenSymbol = tokenSymbol
        self.chainId = chainId
        self.marketplace = marketplace
        self.chainSessionId = chainSessionId
        self.state = state
        self.plugin = plugin
        self.slots = slots
        self.hours = hours
        self.members = members
        self.transactions = transactions
        self.totals = totals
    }

    /// One market slot: its clearing result and its order book.
    public struct Slot: Codable, Sendable, Equatable {
        /// 0-based slot index.
        public var slot: Int
        /// Local start time label, `"HH:MM"` (two slots can share a label on DST days).
        public var start: String
        /// Clearing price in token base units per kWh (decimal string); `nil` when nothing traded.
        public var price: String?
        /// Traded volume in Wh.
        public var volumeWh: UInt64
        /// Validated volume in Wh; `nil` before validation.
        public var validatedWh: UInt64?
        /// Buy orders of the slot, in any order.
        public var bids: [Step]
        /// Sell orders of the slot, in any order.
        public var offers: [Step]

        /// Creates a slot.
        public init(
            slot: Int, start: String, price: String?, volumeWh: UInt64, validatedWh: UInt64?, bids: [Step],
            offers: [Step]
        ) {
            self.slot = slot
            self.start = start
            self.price = price
            self.volumeWh = volumeWh
            self.validatedWh = validatedWh
            self.bids = bids
            self.offers = offers
        }
    }

    /// One order: a quantity at a limit price.
    public struct Step: Codable, Sendable, Equatable {
        /// Quantity in Wh.
        public var quantityWh: UInt64
        /// Limit price in token base units per kWh (decimal string, may exceed 2^53).
        public var limitPrice: String

        /// Creates an order step.
        public init(quantityWh: UInt64, limitPrice: String) {
            self.quantityWh = quantityWh
            self.limitPrice = limitPrice
        }
    }

    /// One hour of the delivery day.
    public struct Hour: Codable, Sendable, Equatable {
        /// 0-based hour of the delivery day.
        public var hour: Int
        /// Local start time label, `"HH:MM"`.
        public var start: String
        /// Energy traded in the market in this hour, Wh.
        public var tradedWh: UInt64
        /// CER shared energy (min of total injection and total withdrawal) in this hour, Wh as a decimal string;
        /// `nil` without meter data.
        public var sharedEnergyWh: String?

        /// Creates an hour.
        public init(hour: Int, start: String, tradedWh: UInt64, sharedEnergyWh: String?) {
            self.hour = hour
            self.start = start
            self.tradedWh = tradedWh
            self.sharedEnergyWh = sharedEnergyWh
        }
    }

    /// One community member and its results.
    public struct Member: Codable, Sendable, Equatable {
        /// Member identifier.
        public var id: String
        /// Member's account address.
        public var address: String
        /// Point of delivery (POD) code.
        public var pod: String
        /// Role, e.g. `"prosumer"`.
        public var role: String
        /// Energy bought, Wh.
        public var boughtWh: UInt64
        /// Energy sold, Wh.
        public var soldWh: UInt64
        /// Energy delivered (validated), Wh; `nil` before validation.
        public var deliveredWh: UInt64?
        /// Amount paid, base units; `nil` before validation.
        public var paid: String?
        /// Amount received at settlement, base units; `nil` before settlement.
        public var received: String?
        /// Penalty charged, base units; `nil` before validation.
        public var penalty: String?
        /// Final available balance in the marketplace, base units; `nil` when not read (before
        /// the run's report).
        public var available: String?
        /// Final locked balance in the marketplace, base units; `nil` when not read.
        public var locked: String?
        /// Final wallet balance, base units; `nil` when not read.
        public var wallet: String?

        /// Creates a member.
        public init(
            id: String, address: String, pod: String, role: String, boughtWh: UInt64, soldWh: UInt64,
            deliveredWh: UInt64?, paid: String?, received: String?, penalty: String?, available: String?,
            locked: String?, wallet: String?
        ) {
            self.id = id
            self.address = address
            self.pod = pod
            self.role = role
            self.boughtWh = boughtWh
            self.soldWh = soldWh
            self.deliveredWh = deliveredWh
            self.paid = paid
            self.received = received
            self.penalty = penalty
            self.available = available
            self.locked = locked
            self.wallet = wallet
        }
    }

    /// One transaction sent for the session.
    public struct Transaction: Codable, Sendable, Equatable {
        /// Protocol step, e.g. `"commit/anna"`, `"publish/fills/0"`.
        public var step: String
        /// Sender address.
        public var sender: String
        /// Transaction hash.
        public var hash: String
        /// Sender nonce.
        public var nonce: UInt64
        /// Block number; `nil` if never mined.
        public var block: UInt64?
        /// Receipt status: 1 ok, 0 reverted, `nil` unknown.
        public var status: Int?
        /// Gas used; `nil` if unknown.
        public var gasUsed: UInt64?

        /// Creates a transaction.
        public init(
            step: String, sender: String, hash: String, nonce: UInt64, block: UInt64?, status: Int?,
            gasUsed: UInt64?
        ) {
            self.step = step
            self.sender = sender
            self.hash = hash
            self.nonce = nonce
            self.block = block
            self.status = status
            self.gasUsed = gasUsed
        }
    }

    /// Session totals.
    public struct Totals: Codable, Sendable, Equatable {
        /// Total traded energy, Wh.
        public var tradedWh: UInt64
        /// Total validated energy, Wh; `nil` before validation.
        public var validatedWh: UInt64?
        /// Total CER shared energy, Wh as a decimal string; `nil` without meter data.
        public var sharedEnergyWh: String?
        /// Total paid by buyers, base units.
        public var paid: String
        /// Total received by sellers, base units.
        public var received: String
        /// Total penalties, base units.
        public var penalties: String
        /// Rounding dust, base units.
        public var dust: String
        /// Amount sent to the community treasury, base units.
        public var treasury: String

        /// Creates the totals.
        public init(
            tradedWh: UInt64, validatedWh: UInt64?, sharedEnergyWh: String?, paid: String, received: String,
            penalties: String, dust: String, treasury: String
        ) {
            self.tradedWh = tradedWh
            self.validatedWh = validatedWh
            self.sharedEnergyWh = sharedEnergyWh
            self.paid = paid
            self.received = received
            self.penalties = penalties
            self.dust = dust
            self.treasury = treasury
        }
    }
}
