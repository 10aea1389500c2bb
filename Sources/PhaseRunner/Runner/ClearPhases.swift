import BigInt
import Chain
import ClearingPlugins
import Foundation
import Manifest
import Market

extension Phases {
    /// Anyone's deposit left behind by a commitment never revealed goes to the treasury.
    ///
    /// Who that is comes from the session's logs (committed, minus revealed, minus already
    /// forfeited: three `eth_getLogs`, not one `eth_call` per member); the contract skips any
    /// member whose word says otherwise, so the logs can only make a chunk do less.
    static func forfeit(_ c: RunContext) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        let committed = try await committedMembers(c)
        let revealed = try await revealedBook(c)
        let forfeited = Set(
            try await market.sessionEvents("DepositForfeited", sessionID: id, fromBlock: c.sessionBlock).compactMap {
                event -> Address? in
                if case .depositForfeited(_, let member, _) = event { return member }
                return nil
            })
        let unrevealed = committed.filter { revealed[$0] == nil && !forfeited.contains($0) }
        guard !unrevealed.isEmpty else { return }
        let forfeitUnrevealed = try market.contract.abi.function("forfeitUnrevealed")
        try await sendChunked(
            c, step: "forfeit", progress: "forfeit", keys: unrevealed.map(\.hex), sender: c.operatorJournal,
            to: market.address, abi: market.contract.abi
        ) { keys in
            try forfeitUnrevealed.encodeCall([
                .unsigned(id), .array(try keys.map { .address(try Address($0)) }),
            ])
        }
        // The contract's own count: it skips a member whose word the logs did not reflect yet.
        let total = try await market.session(id).forfeited
        c.log(
            "forfeit sent for \(unrevealed.count) member(s) who did not reveal; "
                + "the session counts \(total) forfeited deposit(s)")
    }

    /// Clears the order book read from the chain's `OrdersRevealed` events (exactly what an
    /// auditor sees), verifies the result, stores it next to the journal, and publishes it.
    static func clear(_ c: RunContext) async throws {
        guard let market = c.market, let id = c.sessionID else { return }
        let session = try await market.session(id)
        if session.state != .open {
            c.log("clearing already published (session \(id) is \(session.state))")
            return
        }
        let revealed = try await revealedBook(c)
        let book = c.revealedOrder.map {
            RevealedMember(address: $0, orders: revealed[$0]!.orders, salt: revealed[$0]!.salt)
        }
        // Ids `<member>/<index>`, in reveal order: the one mapping the replay and the audit use.
        let orders = ClearingAudit.orders(book)
        let slots = Int(session.slots)
        let result: ClearingResult
        do {
            result = try await clearing(c).clear(orders: orders, slots: slots, params: c.manifest.clearing.params)
        } catch let error as RunnerError {
            throw error
        } catch let error as ExternalPluginError {
            throw RunnerError.input("\(error)")
        } catch { throw RunnerError.chain("\(error)") }
        let resultData = try SessionReplay.encodeClearing(result)
        let resultHash = Keccak256.hash(Array(resultData)).hex
        if let earlier = c.last("clearing"), earlier.data["hash"]?.stringValue != resultHash {
            throw RunnerError.mismatch(
                "the clearing result differs from the one journaled (\(earlier.data["hash"]?.stringValue ?? "-"))")
        }
        if c.last("clearing") == nil {
            // The input as a cer-clearing/1 request (what `cer-run clear` and replays take).
            let bookData = Data(
                ClearingProtocol.encodeRequest(orders: orders, slots: slots, params: c.manifest.clearing.params)
                    .jsonText.utf8)
            // What was committed and revealed (with salts): the inputs a replay starts from.
            let reveals = RunSnapshots.Reveals(
                committed: try await committedMembers(c),
                revealed: book.map { .init(member: $0.address, orders: $0.orders, salt: $0.salt) }
            ).json
            if !c.planning {
                try DurableFile.write(bookData, to: c.runFolder.appendingPathComponent("book.json"))
                try DurableFile.write(resultData, to: c.runFolder.appendingPathComponent("clearing.json"))
                try RunSnapshots.write(reveals, RunSnapshots.revealsFile, in: c.runFolder)
            }
            try c.journal.append(
                "clearing",
                [
                    "hash": .string(resultHash), "orders": .int(Int64(orders.count)),
                    "book": .string(Keccak256.hash(Array(bookData)).hex), "plugin": .string(c.manifest.clearing.plugin),
                    "reveals": .string(Keccak256.hash(reveals.jsonText).hex),
                ])
        }
        // Publication: every revealed member, with its fills (possibly none), in chunks.
        let published = ClearingAudit.publication(of: result, book: book, slots: slots).fills
        let entries = book.map {
            MemberFillsEntry(member: $0.address, orders: $0.orders, salt: $0.salt, fills: published[$0.address] ?? [])
        }
        let byMember = Dictionary(uniqueKeysWithValues: entries.map { ($0.member.hex, $0) })
        let setFinalOrders = try market.contract.abi.function("setFinalOrders")
        try await sendChunked(
            c, step: "publish/fills", progress: "publish fills", keys: entries.map(\.member.hex),
            sender: c.operatorJournal, to: market.address, abi: market.contract.abi
        ) { keys in
            try setFinalOrders.encodeCall([.unsigned(id), .array(keys.compactMap { byMember[$0]?.abiValue })])
        }
        let prices = result.slots.map { $0.price ?? 0 }
        let finalize = try market.contract.abi.function("finalizeClearing").encodeCall([
            .unsigned(id), .array(prices.map { .unsigned($0) }),
        ])
        try await c.operatorJournal.ensure(
            step: "publish/finalize", to: market.address, data: finalize, abi: market.contract.abi)
        for slot in result.slots where slot.volumeWh > 0 {
            let price = DecimalAmount.format(BigUInt(slot.price ?? 0), decimals: c.manifest.session.tokenDecimals)
            c.log("slot \(slot.slot): \(slot.volumeWh) Wh at \(price) per kWh")
        }
        c.log("clearing published: \(result.fills.count) fills, result in \(c.runFolder.path)/clearing.json")
    }

    static func clearing(_ c: RunContext) throws -> ClearingPlugin {
        do { return try ClearingPlugin.resolve(c.manifest.clearing.plugin, params: c.manifest.clearing.params) } catch {
            throw RunnerError.input("clearing: \(error)")
        }
    }
}
