import BigInt
import Chain
import ClearingPlugins
import Foundation
import Manifest
import Market

extension Phases {
    /// Checks the settled session against the validation and writes `report.json` and
    /// `report.txt` next to the journal: clearing prices, validated and shared energy per slot,
    /// and per member what it traded, delivered, paid, received and was charged, with its final
    /// balance. Every figure of money comes from the chain's events.
    static func report(_ c: RunContext) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        let session = try await market.session(id)
        var paid = [Address: BigUInt]()
        var receivable = [Address: BigUInt]()
        var penalty = [Address: BigUInt]()
        var delivered = [Address: UInt64]()
        var deliveredPerFill = [Address: [UInt64]]()
        for event in try await market.sessionEvents("MemberValidated", sessionID: id, fromBlock: c.sessionBlock) {
            guard case .memberValidated(_, let member, let wh, let p, let r, let pen) = event else { continue }
            paid[member] = p
            receivable[member] = r
            penalty[member] = pen
            delivered[member] = wh.reduce(0, +)
            deliveredPerFill[member] = wh
        }
        var prices = [UInt64]()
        for event in try await market.sessionEvents("ClearingPublished", sessionID: id, fromBlock: c.sessionBlock) {
            if case .clearingPublished(_, let p, _) = event { prices = p }
        }
        var executed = [Address: BigUInt]()
        for event in try await market.sessionEvents("Executed", sessionID: id, fromBlock: c.sessionBlock) {
            if case .executed(_, let member, let amount) = event { executed[member] = amount }
        }
        var dust = BigUInt(0)
        for event in try await market.sessionEvents("ValidationPublished", sessionID: id, fromBlock: c.sessionBlock) {
            if case .validationPublished(_, _, let d) = event { dust = d }
        }
        let fills = try await market.clearedFills(sessionID: id, fromBlock: c.sessionBlock)

        // Checks: what was paid in equals what sellers are owed plus dust; every settled
        // member got exactly what validation made it owed; a settled session's pool is empty.
        var failures = [String]()
        let totalPaid = paid.values.reduce(BigUInt(0), +)
        let totalOwed = receivable.values.reduce(BigUInt(0), +)
        if totalPaid != totalOwed + dust {
            failures.append("payments \(totalPaid) ≠ receipts \(totalOwed) + dust \(dust)")
        }
        for (member, amount) in executed where receivable[member] != amount {
            failures.append("\(member) was paid \(amount), validation made it owed \(receivable[member] ?? 0)")
        }
        if session.state == .settled, session.pool != 0 {
            failures.append("the settled session's pool still holds \(session.pool)")
        }
        if let data = FileManager.default.contents(
            atPath: c.runFolder.appendingPathComponent("validation.json").path),
            let result = try? JSONValue.parse(data), let members = result["members"]?.arrayValue
        {
            for m in members {
                guard let text = m["address"]?.stringValue, let address = try? Address(text) else { continue }
                for (key, chain) in [
                    ("pay", paid[address]), ("receive", receivable[address]), ("penalty", penalty[address]),
                ]
                where m[key]?.stringValue != chain.map({ String($0) }) {
                    failures.append(
                        "\(address) \(key): validation.json has \(m[key]?.stringValue ?? "-"), the chain \(chain.map { String($0) } ?? "-")"
                    )
                }
            }
        }
        if !failures.isEmpty {
            throw RunnerError.chain("settlement check failed:\n  " + failures.joined(separator: "\n  "))
        }

        let decimals = c.manifest.session.tokenDecimals
        func money(_ v: BigUInt) -> String { DecimalAmount.format(v, decimals: decimals) }
        var memberRows = [JSONValue]()
        var lines = [
            "session \(c.manifest.session.id) (on chain \(id), \(session.state)) — \(c.manifest.session.community)",
            "member      bought Wh  sold Wh  delivered Wh      paid  received   penalty  available    locked     wallet",
        ]
        // Funds of every participant by `fundsOf` (one call per 500 members), wallets and nonces
        // in JSON-RPC batches.
        let addresses = c.manifest.participants.map(\.address)
        let allFunds = try await market.funds(of: addresses)
        var wallets = addresses.map { _ in BigUInt(0) }
        if let token = c.token { wallets = try await tokenBalances(c, token, addresses) }
        let nonces = try await transactionCounts(c, addresses)
        for (index, participant) in c.manifest.participants.enumerated() {
            let a = participant.address
            var bought: UInt64 = 0
            var sold: UInt64 = 0
            if let memberFills = fills[a], let orders = try await orders(c, member: a) {
                for fill in memberFills where Int(fill.orderIndex) < orders.count {
                    if orders[Int(fill.orderIndex)].side == .buy {
                        bought += fill.quantityWh
                    } else {
                        sold += fill.quantityWh
                    }
                }
            }
            let funds = allFunds[index]
            let wallet = wallets[index]
            let nonce = nonces[index]
            memberRows.append([
                "id": .string(participant.id), "address": .string(a.hex), "pod": .string(participant.pod),
                "boughtWh": .string(String(bought)), "soldWh": .string(String(sold)),
                "deliveredWh": .string(String(delivered[a] ?? 0)), "paid": .string(String(paid[a] ?? 0)),
                "received": .string(String(executed[a] ?? 0)), "penalty": .string(String(penalty[a] ?? 0)),
                "available": .string(String(funds.available)), "locked": .string(String(funds.locked)),
                "wallet": .string(String(wallet)),
                "nonce": .int(Int64(nonce)),
                "fills": .array(
                    (fills[a] ?? []).map {
                        [
                            "orderIndex": .int(Int64($0.orderIndex)), "quantityWh": .string(String($0.quantityWh)),
                            "price": .string(String($0.price)),
                        ]
                    }),
                "delivered": .array((deliveredPerFill[a] ?? []).map { .string(String($0)) }),
            ])
            func col(_ s: String, _ width: Int) -> String {
                String(repeating: " ", count: max(0, width - s.count)) + s
            }
            lines.append(
                participant.id.padding(toLength: 10, withPad: " ", startingAt: 0) + col(String(bought), 11)
                    + col(String(sold), 9) + col(String(delivered[a] ?? 0), 14) + col(money(paid[a] ?? 0), 10)
                    + col(money(executed[a] ?? 0), 10) + col(money(penalty[a] ?? 0), 10)
                    + col(money(funds.available), 11) + col(money(funds.locked), 10) + col(money(wallet), 11))
        }
        let treasury = try await market.treasury()
        lines.append(
            "totals: paid \(money(totalPaid)), owed to sellers \(money(totalOwed)), dust \(money(dust)), "
                + "treasury \(money(treasury)); checks passed")
        let operatorNonce = try await c.client.transactionCount(of: c.operatorSender.address)
        let report: JSONValue = [
            "version": "cer-report/1", "sessionId": .string(c.manifest.session.id), "chainSessionId": .int(Int64(id)),
            "state": .string("\(session.state)"), "marketplace": .string(market.address.hex),
            "members": .array(memberRows), "prices": .array(prices.map { .string(String($0)) }),
            "totals": [
                "paid": .string(String(totalPaid)), "owed": .string(String(totalOwed)), "dust": .string(String(dust)),
                "treasury": .string(String(treasury)),
            ],
            "operatorNonce": .int(Int64(operatorNonce)), "checks": "passed",
        ]
        try Data(report.jsonText.utf8).write(to: c.runFolder.appendingPathComponent("report.json"), options: .atomic)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(
            to: c.runFolder.appendingPathComponent("report.txt"), options: .atomic)
        for line in lines { c.log(line) }
        writeSessionReport(c)
    }

    /// The session report (HTML with charts, JSON, CSV) from the run folder's files and the
    /// journal and manifest in memory; a failure is a warning (the session itself is done).
    static func writeSessionReport(_ c: RunContext) {
        do {
            // The journal and the manifest this run holds (the header phase checked it is the
            // one journaled), not read and parsed again.
            let run = RunFolder(
                url: c.runFolder, records: c.journal.records, manifestHash: c.manifest.canonicalHash.hex,
                manifest: c.manifest, chainID: c.chainID)
            let files = try RunReport.write(run)
            c.log("session report: \(files.first { $0.pathExtension == "html" }?.path ?? "")")
        } catch { c.warn("the session report could not be written: \(error)") }
    }

    /// A member's revealed orders (from its `OrdersRevealed` event).
    static func orders(_ c: RunContext, member: Address) async throws -> [MarketOrder]? {
        try await revealedBook(c)[member]?.orders
    }
}
