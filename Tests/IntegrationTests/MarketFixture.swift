import BigInt
import Chain
import DevChain
import Market
import Testing

/// A market on a dev chain of its own (market tests move chain time, which would disturb tests
/// sharing a chain): admin = dev account 0, operator = dev account 1, members = accounts 2….
final class MarketFixture: Sendable {
    let chain: DevChainProcess
    let client: EthClient
    let control: DevChainControl
    let keys: [PrivateKey]
    let admin: TransactionSender
    let operatorSender: TransactionSender
    let token: TokenContract
    let market: MarketplaceContract
    let artifacts: ArtifactStore

    /// 1 CEUR in base units (6 decimals).
    static let unit = BigUInt(1_000_000)

    private init(
        chain: DevChainProcess, keys: [PrivateKey], deployment: MarketDeployment, artifacts: ArtifactStore
    ) {
        self.chain = chain
        self.client = chain.client()
        self.control = DevChainControl(client: client)
        self.keys = keys
        self.admin = TransactionSender(client: client, key: keys[0], chainID: chain.chainID)
        self.operatorSender = TransactionSender(client: client, key: keys[1], chainID: chain.chainID)
        self.token = deployment.token
        self.market = deployment.marketplace
        self.artifacts = artifacts
    }

    static func make(accounts: Int = 8, existingToken: Bool = false) async throws -> MarketFixture {
        var options = DevChainOptions()
        options.accounts = accounts
        let chain = try await DevChainProcess.start(options)
        let keys = try await chain.accountKeys()
        let artifacts = try ArtifactStore.locate()
        let deployer = TransactionSender(client: chain.client(), key: keys[0], chainID: chain.chainID)
        let deployment = try await MarketDeployment.deploy(
            artifacts: artifacts, deployer: deployer, operatorAddress: keys[1].address)
        return MarketFixture(chain: chain, keys: keys, deployment: deployment, artifacts: artifacts)
    }

    deinit { chain.stop() }

    func sender(_ index: Int) -> TransactionSender {
        TransactionSender(client: client, key: keys[index], chainID: chain.chainID)
    }

    /// Registers, approves, mints `mint` and deposits `deposit` for each member index.
    func onboard(_ indices: [Int], mint: BigUInt, deposit: BigUInt) async throws {
        for index in indices {
            let member = sender(index)
            try await market.registerUser(adhesionDocHash: Keccak256.hash("adesione \(index)"), sender: member)
            try await market.approveMember(member.address, sender: admin)
            try await token.mint(to: member.address, amount: mint, sender: admin)
            try await token.approve(spender: market.address, amount: deposit, sender: member)
            try await market.deposit(deposit, sender: member)
        }
    }

    /// A session starting now: commit for an hour, reveal for an hour, delivery right after.
    func openSession(slots: UInt16 = 2, deposit: BigUInt = 5 * unit, bond: UInt64 = 50_000) async throws -> (
        UInt64, SessionParams
    ) {
        let now = try await control.now()
        let params = SessionParams(
            commitDeadline: now + 3_600, revealDeadline: now + 7_200, deliveryStart: now + 7_200, slotLength: 3_600,
            slots: slots, deposit: deposit, sellerBondPerKWh: bond, manifestHash: Keccak256.hash("manifest"))
        let (id, _) = try await market.newSession(params, sender: operatorSender)
        return (id, params)
    }

    /// Moves chain time to `timestamp` (mining a block there).
    func travel(to timestamp: UInt64) async throws {
        let now = try await control.now()
        if timestamp > now { try await control.mine(at: timestamp) }
    }

    /// Σ members' (available + locked) + treasury + Σ session pools == token balance of the market.
    func checkConservation(members: [Int], sessions: [UInt64], sourceLocation: SourceLocation = #_sourceLocation)
        async throws
    {
        var total = try await market.treasury()
        for index in members {
            let funds = try await market.checkFunds(keys[index].address)
            total += funds.available + funds.locked
        }
        for id in sessions { total += try await market.session(id).pool }
        let held = try await token.balance(of: market.address)
        #expect(total == held, "conservation: accounted \(total) ≠ held \(held)", sourceLocation: sourceLocation)
    }

    /// Asserts a member's available and locked funds.
    func expectFunds(
        _ index: Int, available: BigUInt, locked: BigUInt, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let funds = try await market.checkFunds(keys[index].address)
        #expect(funds.available == available, "member \(index) available", sourceLocation: sourceLocation)
        #expect(funds.locked == locked, "member \(index) locked", sourceLocation: sourceLocation)
    }
}
