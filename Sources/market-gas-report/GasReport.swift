import BigInt
import Chain
import DevChain
import Foundation
import Market

/// Gas per member for a 24-slot session on a fresh dev chain: the direct path (one transaction
/// per member per step) against the batched path (EIP-712 commit signatures and reveals relayed by
/// the operator, publication and settlement in chunks). Prints a table; it is a benchmark, not a test.
@main
struct GasReport {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        let members = arguments.first.flatMap { Int($0) } ?? 20
        let slots: UInt16 = 24
        print("cer-run market gas report: \(members) members, \(slots) hourly slots, 1 order per slot per member")
        var direct = try await run(members: members, slots: slots, batched: false)
        var batched = try await run(members: members, slots: slots, batched: true)
        direct.sort { $0.order < $1.order }
        batched.sort { $0.order < $1.order }
        print("")
        print(
            "step".padding(toLength: 22, withPad: " ", startingAt: 0) + "direct gas/member".leftPad(20)
                + "batched gas/member".leftPad(20))
        var totals = (direct: 0, batched: 0)
        for (d, b) in zip(direct, batched) {
            print(
                d.step.padding(toLength: 22, withPad: " ", startingAt: 0) + String(d.gas / members).leftPad(20)
                    + String(b.gas / members).leftPad(20))
            totals.direct += d.gas
            totals.batched += b.gas
        }
        print(
            "total".padding(toLength: 22, withPad: " ", startingAt: 0) + String(totals.direct / members).leftPad(20)
                + String(totals.batched / members).leftPad(20))
        print(
            "(commit + reveal only: direct \((direct[0].gas + direct[1].gas) / members), batched \((batched[0].gas + batched[1].gas) / members))"
        )
    }

    struct Line {
        var order: Int
        var step: String
        var gas: Int
    }

    static func run(members count: Int, slots: UInt16, batched: Bool) async throws -> [Line] {
        var options = DevChainOptions()
        options.accounts = count + 2
        let chain = try await DevChainProcess.start(options)
        defer { chain.stop() }
        let client = chain.client()
        let keys = try await chain.accountKeys()
        let artifacts = try ArtifactStore.locate()
        let admin = TransactionSender(client: client, key: keys[0], chainID: chain.chainID)
        let operatorSender = TransactionSender(client: client, key: keys[1], chainID: chain.chainID)
        let deployment = try await MarketDeployment.deploy(
            artifacts: artifacts, deployer: admin, operatorAddress: keys[1].address)
        let market = deployment.marketplace
        let memberKeys = Array(keys[2..<(2 + count)])
        let senders = memberKeys.map { TransactionSender(client: client, key: $0, chainID: chain.chainID) }
        let amount = BigUInt(1_000_000_000)
        for sender in senders {
            try await market.registerUser(adhesionDocHash: Keccak256.hash(sender.address.bytes), sender: sender)
            try await market.approveMember(sender.address, sender: admin)
            try await deployment.token.mint(to: sender.address, amount: amount, sender: admin)
            try await deployment.token.approve(spender: market.address, amount: amount, sender: sender)
            try await market.deposit(amount, sender: sender)
        }
        let control = DevChainControl(client: client)
        let now = try await control.now()
        let params = SessionParams(
            commitDeadline: now + 3_600, revealDeadline: now + 7_200, deliveryStart: now + 7_200, slots: slots,
            deposit: 5_000_000, sellerBondPerKWh: 50_000, manifestHash: Keccak256.hash("gas report"))
        let (id, _) = try await market.newSession(params, sender: operatorSender)

        // Even members sell 1 kWh per slot at ≥ 0.10, odd members buy 1 kWh at ≤ 0.20; all clear at 0.15.
        let orders: [[MarketOrder]] = (0..<count).map { m in
            (0..<slots).map { slot in
                MarketOrder(
                    slot: slot, side: m % 2 == 0 ? .sell : .buy, quantityWh: 1_000,
                    limitPrice: m % 2 == 0 ? 100_000 : 200_000)
            }
        }
        let salts = (0..<count).map { _ in Commitment.randomSalt() }
        let commitments = try (0..<count).map { m in
            try Commitment.compute(
                chainID: chain.chainID, marketplace: market.address, sessionID: id, member: memberKeys[m].address,
                orders: orders[m], salt: salts[m])
        }
        var lines = [Line]()
        func record(_ order: Int, _ step: String, _ receipts: [Receipt]) {
            lines.append(Line(order: order, step: step, gas: receipts.reduce(0) { $0 + Int($1.gasUsed) }))
        }
        let deadline = params.revealDeadline + 3_600
        if batched {
            let auths = try (0..<count).map { m in
                try CommitAuthorization.sign(
                    key: memberKeys[m], chainID: chain.chainID, marketplace: market.address, sessionID: id,
                    commitment: commitments[m], deadline: deadline)
            }
            record(0, "commit", [try await market.submitCommitmentsBySig(sessionID: id, auths, sender: operatorSender)])
        } else {
            var receipts = [Receipt]()
            for m in 0..<count {
                receipts.append(
                    try await market.submitCommitment(sessionID: id, commitment: commitments[m], sender: senders[m]))
            }
            record(0, "commit", receipts)
        }
        try await control.mine(at: params.commitDeadline)
        if batched {
            let entries = (0..<count).map { m in
                RevealEntry(member: memberKeys[m].address, orders: orders[m], salt: salts[m])
            }
            record(
                1, "reveal (24 orders)",
                [try await market.revealOrdersRelayed(sessionID: id, entries, sender: operatorSender)])
        } else {
            var receipts = [Receipt]()
            for m in 0..<count {
                receipts.append(
                    try await market.revealOrders(sessionID: id, orders: orders[m], salt: salts[m], sender: senders[m]))
            }
            record(1, "reveal (24 orders)", receipts)
        }
        try await control.mine(at: params.revealDeadline)
        let fills = (0..<count).map { m in
            (0..<Int(slots)).map { MarketFill(orderIndex: UInt16($0), quantityWh: 1_000, price: 150_000) }
        }
        let entries = (0..<count).map {
            MemberFillsEntry(member: memberKeys[$0].address, orders: orders[$0], salt: salts[$0], fills: fills[$0])
        }
        let chunk = batched ? count : 1
        var publication = [Receipt]()
        for start in stride(from: 0, to: count, by: chunk) {
            publication.append(
                try await market.setFinalOrders(
                    sessionID: id, Array(entries[start..<min(count, start + chunk)]), sender: operatorSender))
        }
        publication.append(
            try await market.finalizeClearing(
                sessionID: id, clearingPrices: Array(repeating: 150_000, count: Int(slots)), sender: operatorSender))
        record(2, "publish fills", publication)
        try await control.mine(at: params.deliveryEnd)
        let deliveries = (0..<count).map {
            MemberDeliveriesEntry(
                member: memberKeys[$0].address, orders: orders[$0], fills: fills[$0],
                delivered: Array(repeating: 1_000, count: Int(slots)))
        }
        var validation = [Receipt]()
        for start in stride(from: 0, to: count, by: chunk) {
            validation.append(
                try await market.setValidTransactions(
                    sessionID: id, Array(deliveries[start..<min(count, start + chunk)]), sender: operatorSender))
        }
        validation.append(try await market.finalizeValidation(sessionID: id, sender: operatorSender))
        record(3, "publish validation", validation)
        if batched {
            record(
                4, "settle",
                [
                    try await market.settleBatch(
                        sessionID: id, members: memberKeys.map(\.address), sender: operatorSender)
                ])
        } else {
            var receipts = [Receipt]()
            for m in 0..<count { receipts.append(try await market.execute(sessionID: id, sender: senders[m])) }
            record(4, "settle", receipts)
        }
        guard try await market.session(id).state == .settled else { throw DevChainError("session did not settle") }
        return lines
    }
}

extension String {
    fileprivate func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
