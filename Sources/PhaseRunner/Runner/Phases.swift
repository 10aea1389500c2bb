import BigInt
import Chain
import DevChain
import Foundation
import Manifest
import Market

/// The phases of a session run. Each plans from chain state and the journal and sends only
/// what is missing through `JournaledSender.ensure(step:)`.
enum Phases {
    static func deploy(_ c: RunContext) async throws {
        let artifacts: ArtifactStore
        do { artifacts = try ArtifactStore.locate() } catch { throw RunnerError.input("\(error)") }
        let marketABI = try artifacts.artifact("Marketplace").abi
        let tokenABI = try artifacts.artifact("CommunityToken").abi
        switch c.manifest.contracts {
        case .existing(let marketplace, let token):
            guard try await !c.client.code(at: marketplace).isEmpty else {
                throw RunnerError.chain("contracts.marketplace \(marketplace) has no code on this chain")
            }
            let market = MarketplaceContract(contract: Contract(address: marketplace, abi: marketABI, client: c.client))
            let tokenAddress: Address
            if let token {
                tokenAddress = token
            } else {
                guard case .address(let a)? = try await market.contract.call("token").first else {
                    throw RunnerError.chain("cannot read the marketplace's token")
                }
                tokenAddress = a
            }
            c.market = market
            c.token = TokenContract(contract: Contract(address: tokenAddress, abi: tokenABI, client: c.client))
        case .deploy:
            let tokenData = try artifacts.artifact("CommunityToken").deploymentData([
                .string("CER Euro"), .string("CEUR"),
            ])
            let token = try await c.operatorJournal.ensure(
                step: "deploy/token", to: nil, data: tokenData, abi: tokenABI)
            if token.planned {
                c.plan?.append(
                    .init(
                        step: "deploy/marketplace", sender: c.operatorSender.address, to: nil, function: "deploy",
                        rebroadcast: false))
                throw PlanBoundary(reason: "the following phases need the contracts' addresses")
            }
            guard let tokenAddress = token.receipt.contractAddress else {
                throw RunnerError.chain("token deployment has no address")
            }
            let marketData = try artifacts.artifact("Marketplace").deploymentData([
                .address(tokenAddress), .address(c.operatorSender.address),
            ])
            let market = try await c.operatorJournal.ensure(
                step: "deploy/marketplace", to: nil, data: marketData, abi: marketABI)
            if market.planned { throw PlanBoundary(reason: "the following phases need the marketplace's address") }
            guard let marketAddress = market.receipt.contractAddress else {
                throw RunnerError.chain("marketplace deployment has no address")
            }
            c.token = TokenContract(contract: Contract(address: tokenAddress, abi: tokenABI, client: c.client))
            c.market = MarketplaceContract(contract: Contract(address: marketAddress, abi: marketABI, client: c.client))
            if token.sentNow || market.sentNow {
                c.log("deployed token \(tokenAddress) and marketplace \(marketAddress)")
            }
        }
    }

    /// Agent members register their adhesion document's hash (members' transactions, several
    /// at a time: each member has its own nonces); the operator (admin when it deployed) then
    /// approves those pending, one after the other (its nonces are one sequence).
    static func members(_ c: RunContext) async throws {
        guard let market = c.market else { return }
        let agents = c.manifest.participants.filter { c.memberJournals[$0.id] != nil }
        let progress = ProgressCounter(c, phase: "members", total: agents.count)
        // Every status in one list view (a daily run of a set-up community only reads them).
        let statuses = Dictionary(
            zip(agents.map(\.id), try await market.statuses(of: agents.map(\.address))), uniquingKeysWith: { a, _ in a }
        )
        let pending = try await concurrently(agents) { participant -> Bool in
            defer { progress.step() }
            guard let member = c.memberJournals[participant.id] else { return false }
            let path = participant.adhesionDocument
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : c.manifestFolder.appendingPathComponent(path)
            guard let document = FileManager.default.contents(atPath: url.path) else {
                throw RunnerError.input("participant \(participant.id): cannot read \(path)")
            }
            let docHash = Keccak256.hash(Array(document))
            let status = statuses[participant.id] ?? .none
            if status == .none || status == .rejected {
                let data = try market.contract.abi.function("registerUser").encodeCall([.fixedBytes(docHash)])
                try await member.ensure(
                    step: "register/\(participant.id)", to: market.address, data: data, abi: market.contract.abi)
                return true
            }
            return status == .pending
        }
        for (participant, isPending) in zip(agents, pending) where isPending {
            let data = try market.contract.abi.function("approveMember").encodeCall([.address(participant.address)])
            try await c.operatorJournal.ensure(
                step: "approve/\(participant.id)", to: market.address, data: data, abi: market.contract.abi)
            c.detail("member \(participant.id) registered and approved")
        }
    }

    /// Dev chain with our own token: mint (operator, in order) and deposit (members, several at
    /// a time) what each agent member's orders need.
    static func fund(_ c: RunContext) async throws {
        guard case .dev = c.manifest.chain, case .deploy = c.manifest.contracts, let market = c.market,
            let token = c.token
        else { return }
        let s = c.manifest.session
        let candidates = c.manifest.participants.filter { c.memberJournals[$0.id] != nil && !$0.orders.isEmpty }
        let available = try await market.funds(of: candidates.map(\.address)).map(\.available)
        let unfunded = zip(candidates, available).compactMap {
            participant, available -> (SessionManifest.Participant, BigUInt)? in
            let collateral = participant.orders.reduce(BigUInt(0)) {
                $0 + $1.collateral(sellerBondPerKWh: UInt64(s.sellerBondPerKWh))
            }
            let needed = max(collateral, s.deposit) + s.deposit
            guard c.last("funded/\(participant.id)") == nil, available < needed else { return nil }
            return (participant, needed)
        }
        for (participant, needed) in unfunded {
            let mint = try token.contract.abi.function("mint").encodeCall([
                .address(participant.address), .uint(needed),
            ])
            try await c.operatorJournal.ensure(step: "fund/mint/\(participant.id)", to: token.address, data: mint)
        }
        let progress = ProgressCounter(c, phase: "fund", total: unfunded.count)
        _ = try await concurrently(unfunded) { participant, needed in
            defer { progress.step() }
            guard let member = c.memberJournals[participant.id] else { return }
            let approve = try token.contract.abi.function("approve").encodeCall([
                .address(market.address), .uint(needed),
            ])
            try await member.ensure(step: "fund/approve/\(participant.id)", to: token.address, data: approve)
            let deposit = try market.contract.abi.function("deposit").encodeCall([.uint(needed)])
            try await member.ensure(
                step: "fund/deposit/\(participant.id)", to: market.address, data: deposit, abi: market.contract.abi)
            try c.journal.append("funded/\(participant.id)", ["amount": .string(String(needed))])
        }
    }

    static func open(_ c: RunContext) async throws {
        guard let market = c.market else { return }
        if let record = c.last("session"), case .int(let id)? = record.data["id"] {
            c.sessionID = UInt64(id)
            if case .int(let block)? = record.data["block"] { c.sessionBlock = UInt64(block) }
            return
        }
        let s = c.manifest.session
        let params = SessionParams(
            commitDeadline: UInt64(c.manifest.deadlines.commit), revealDeadline: UInt64(c.manifest.deadlines.reveal),
            deliveryStart: UInt64(s.deliveryStart), slotLength: UInt32(s.slotMinutes * 60), slots: UInt16(s.slots),
            deposit: s.deposit, sellerBondPerKWh: UInt64(s.sellerBondPerKWh), manifestHash: c.manifest.canonicalHash)
        let now = try await c.chainTime()
        if c.journal.records(ofType: JournaledSender.RecordType.signed).allSatisfy({ $0.data["step"] != "session/open" }
        ),
            params.commitDeadline <= now
        {
            throw RunnerError.input(
                "the commit deadline (\(params.commitDeadline)) is not in the future in chain time (\(now)); pick a later --date"
            )
        }
        let data = try market.contract.abi.function("newSession").encodeCall([params.abiValue])
        let outcome = try await c.operatorJournal.ensure(
            step: "session/open", to: market.address, data: data, abi: market.contract.abi)
        if outcome.planned { throw PlanBoundary(reason: "the following phases need the session id") }
        guard
            case .sessionCreated(let id)? = market.events(in: outcome.receipt).first(where: {
                if case .sessionCreated = $0 { return true } else { return false }
            })
        else { throw RunnerError.chain("newSession's receipt has no SessionCreated event") }
        try c.journal.append("session", ["id": .int(Int64(id)), "block": .int(Int64(outcome.receipt.blockNumber))])
        c.sessionID = id
        c.sessionBlock = outcome.receipt.blockNumber
        c.log("session \(id) opened for \(s.deliveryDay) (\(s.slots) slots)")
    }

    /// Salts are journaled (fsync) before the commitment is sent.
    static func commit(_ c: RunContext) async throws {
        if c.manifest.batching.submission == .relayed { return try await commitRelayed(c) }
        guard let market = c.market, let id = c.sessionID else { return }
        let agents = c.manifest.participants.filter { !$0.orders.isEmpty && c.memberJournals[$0.id] != nil }
        for (done, participant) in agents.enumerated() {
            defer { c.emit(.progress(phase: "commit", done: done + 1, total: agents.count)) }
            guard let member = c.memberJournals[participant.id] else { continue }
            let word = try await market.contract.call(
                "participationOf", [.unsigned(id), .address(participant.address)])
            guard word.first?.uintValue == 0 else { continue }
            guard try await c.chainTime() < UInt64(c.manifest.deadlines.commit) else {
                c.warn("\(participant.id) missed the commit deadline")
                continue
            }
            let salt = try salt(c, participant.id)
            let commitment = try Commitment.compute(
                chainID: c.chainID, marketplace: market.address, sessionID: id, member: participant.address,
                orders: participant.orders, salt: salt)
            let data = try market.contract.abi.function("submitCommitments").encodeCall([
                .unsigned(id), .fixedBytes(commitment),
            ])
            try await member.ensure(
                step: "commit/\(participant.id)", to: market.address, data: data, abi: market.contract.abi)
        }
        c.log("commitments in: \(try await market.session(id).commits)")
    }

    static func salt(_ c: RunContext, _ participant: String) throws -> [UInt8] {
        if let record = c.journal.records(ofType: "salt", where: "member", is: participant).last,
            let text = record.data["salt"]?.stringValue, let salt = try? Hex.decode(text, count: 32)
        {
            return salt
        }
        let salt = Commitment.randomSalt()
        try c.journal.append("salt", ["member": .string(participant), "salt": .string(salt.hex)])
        return salt
    }

    static func reveal(_ c: RunContext) async throws {
        if c.manifest.batching.submission == .relayed { return try await revealRelayed(c) }
        guard let market = c.market, let id = c.sessionID else { return }
        let agents = c.manifest.participants.filter {
            !$0.orders.isEmpty && c.memberJournals[$0.id] != nil && !c.withholdReveal.contains($0.id)
        }
        for (done, participant) in agents.enumerated() {
            defer { c.emit(.progress(phase: "reveal", done: done + 1, total: agents.count)) }
            guard let member = c.memberJournals[participant.id] else { continue }
            let word = try await market.contract.call(
                "participationOf", [.unsigned(id), .address(participant.address)])
            guard let value = word.first?.uintValue, value & 3 == 1, value >> 255 == 0 else { continue }
            guard try await c.chainTime() < UInt64(c.manifest.deadlines.reveal) else {
                c.warn("\(participant.id) missed the reveal deadline")
                continue
            }
            let salt = try salt(c, participant.id)
            let data = try market.contract.abi.function("revealOrders").encodeCall([
                .unsigned(id), participant.orders.abiValue, .fixedBytes(salt),
            ])
            try await member.ensure(
                step: "reveal/\(participant.id)", to: market.address, data: data, abi: market.contract.abi)
        }
        c.log("reveals in: \(try await market.session(id).reveals)")
    }

    /// Returns `.waiting` when `deadline` is ahead in chain time on a real chain (or sleeps with
    /// `wait`); on a dev chain it mines a block at the deadline.
    static func waitUntil(_ c: RunContext, _ deadline: Int64, phase: String, wait: Bool) async throws -> RunStatus? {
        let target = UInt64(deadline)
        if c.planning, try await c.chainTime() < target {
            throw PlanBoundary(
                reason: c.devChain != nil
                    ? "the run then moves the dev chain's clock to \(target) for \(phase)"
                    : "\(phase) waits for chain time \(target)")
        }
        while try await c.chainTime() < target {
            if c.devChain != nil {
                try await DevChainControl(client: c.client).mine(at: target)
                c.log("dev chain: moved chain time to \(target) for \(phase)")
                continue
            }
            guard wait else { return .waiting(phase: phase, untilChainTime: target) }
            try await Task.sleep(for: .seconds(5))
        }
        return nil
    }
}
