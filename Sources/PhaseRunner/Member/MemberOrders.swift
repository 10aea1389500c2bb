import BigInt
import Chain
import Foundation
import Manifest
import Market

/// Commit and reveal of a member's own sealed orders. The orders and the salt are written to the
/// member journal (fsynced) before the commitment is sent: without them the commitment could
/// never be revealed and its deposit would be forfeited.
extension MemberActions {
    /// Orders and salt of one commitment, as journaled.
    public struct JournaledOrders: Sendable, Equatable {
        public var session: UInt64
        public var orders: [MarketOrder]
        public var salt: [UInt8]
        public var commitment: [UInt8]
    }

    /// Reads `ordersFile` (manifest order format, YAML or CSV), journals orders and a fresh salt,
    /// and sends the commitment to `session`.
    public func commit(session id: UInt64, ordersFile: String) async throws -> MemberOutcome {
        let step = c.step("commit/\(id)")
        let journaled: JournaledOrders
        if c.hasAttempt(step), let last = journaledOrders(session: id).last {
            // Finish the commitment already journaled, whatever the file says now.
            journaled = last
        } else {
            let session = try await requireSession(id)
            try await checkCanCommit(id, session)
            let orders: [MarketOrder]
            do {
                orders = try OrderFile.load(path: ordersFile, slots: Int(session.slots), tokenDecimals: c.decimals)
            } catch { throw MemberError.refused(error.description) }
            let salt = Commitment.randomSalt()
            let commitment = try Commitment.compute(
                chainID: c.chainID, marketplace: market.address, sessionID: id, member: c.address, orders: orders,
                salt: salt)
            journaled = JournaledOrders(session: id, orders: orders, salt: salt, commitment: commitment)
            try c.journal.append(MemberConnection.RecordType.orders, record(journaled))
        }
        let data = try c.calldata(
            market.contract, "submitCommitments", [.unsigned(id), .fixedBytes(journaled.commitment)])
        let outcome = try await c.send(step: step, to: market.contract, data: data)
        let text =
            outcome.sentNow
            ? "committed \(journaled.orders.count) order(s) to session \(id); reveal them with `cer-run member reveal --session \(id)` after the commit deadline"
            : "already committed to session \(id) (transaction \(outcome.receipt.transactionHash.hex)); nothing sent"
        return MemberOutcome(
            "commit", text, sentNow: outcome.sentNow, transactions: [outcome.receipt.transactionHash.hex],
            extra: [
                "session": .int(Int64(id)), "orders": .int(Int64(journaled.orders.count)),
                "commitment": .string(journaled.commitment.hex), "journal": .string(c.journal.url.path),
            ])
    }

    func checkCanCommit(_ id: UInt64, _ session: OnChainSession) async throws {
        guard session.state == .open else {
            throw MemberError.refused(
                "session \(id) is \(MemberText.sessionState(session.state.rawValue)): commitments are closed; nothing was sent"
            )
        }
        let now = try await c.chainTime()
        guard now < session.commitDeadline else {
            throw MemberError.refused(
                "the commit deadline of session \(id) has passed: it was \(MemberText.time(session.commitDeadline)), chain time is \(MemberText.time(now)); nothing was sent"
            )
        }
        let status = try await market.member(c.address).status
        guard status == .active else {
            throw MemberError.refused(
                "\(c.address.checksummed) is \(MemberText.memberStatus(status.rawValue)), not an active member; nothing was sent"
            )
        }
        let word = try await participationWord(id)
        guard word == 0 else {
            throw MemberError.refused(
                "\(c.address.checksummed) has already committed to session \(id) (\(Participation.words(word: word, state: session.state).joined(separator: ", "))); nothing was sent"
            )
        }
        let funds = try await market.checkFunds(c.address)
        guard funds.available >= session.deposit else {
            throw MemberError.refused(
                "a commitment locks a deposit of \(c.money(session.deposit)) but only \(c.money(funds.available)) is available: run `cer-run member deposit` first; nothing was sent"
            )
        }
    }

    /// Reveals the orders journaled for `session`'s commitment.
    public func reveal(session id: UInt64) async throws -> MemberOutcome {
        let step = c.step("reveal/\(id)")
        let word = try await participationWord(id)
        // A committed word keeps bits 2–254 of the commitment, a revealed one bits 2–159.
        let hashMask =
            word & 3 == 2
            ? (BigUInt(1) << 160) - 4 : ~(BigUInt(3) | BigUInt(1) << 255) & ((BigUInt(1) << 256) - 1)
        let matching = journaledOrders(session: id).last {
            BigUInt(Data($0.commitment)) & hashMask == word & hashMask
        }
        if !c.hasAttempt(step) {
            let session = try await requireSession(id)
            let words = Participation.words(word: word, state: session.state)
            guard word != 0 else {
                throw MemberError.refused(
                    "nothing to reveal: \(c.address.checksummed) has not committed to session \(id); nothing was sent")
            }
            guard word & 3 == 1, word >> 255 == 0 else {
                throw MemberError.refused(
                    "nothing to reveal in session \(id): the participation is \(words.joined(separator: ", ")); nothing was sent"
                )
            }
            guard session.state == .open else {
                throw MemberError.refused(
                    "session \(id) is \(MemberText.sessionState(session.state.rawValue)): reveals are closed; nothing was sent"
                )
            }
            let now = try await c.chainTime()
            guard now >= session.commitDeadline else {
                throw MemberError.refused(
                    "the reveal phase of session \(id) opens at the commit deadline \(MemberText.time(session.commitDeadline)) (chain time is \(MemberText.time(now))); nothing was sent"
                )
            }
            guard now < session.revealDeadline else {
                throw MemberError.refused(
                    "the reveal deadline of session \(id) has passed: it was \(MemberText.time(session.revealDeadline)), chain time is \(MemberText.time(now)); the deposit will be forfeited; nothing was sent"
                )
            }
            guard let matching else {
                throw MemberError.refused(
                    "nothing to reveal: the journal \(c.journal.url.path) holds no orders and salt for this member's commitment to session \(id) (was it made with another journal or tool?); nothing was sent"
                )
            }
            let collateral = matching.orders.reduce(BigUInt(0)) {
                $0 + $1.collateral(sellerBondPerKWh: session.sellerBondPerKWh)
            }
            let funds = try await market.checkFunds(c.address)
            guard funds.available + session.deposit >= collateral else {
                throw MemberError.refused(
                    "the orders lock \(c.money(collateral)) of collateral but only \(c.money(funds.available + session.deposit)) (available plus the released deposit) is there: deposit more first; nothing was sent"
                )
            }
        }
        let data: [UInt8]
        if let journaled = c.journaledCalldata(step) {
            data = journaled
        } else if let matching {
            data = try c.calldata(
                market.contract, "revealOrders", [.unsigned(id), matching.orders.abiValue, .fixedBytes(matching.salt)])
        } else {
            throw MemberError.refused("nothing to reveal for session \(id) in \(c.journal.url.path)")
        }
        let outcome = try await c.send(step: step, to: market.contract, data: data)
        let count = matching?.orders.count ?? 0
        let text =
            outcome.sentNow
            ? "revealed \(count) order(s) in session \(id)"
            : "already revealed in session \(id) (transaction \(outcome.receipt.transactionHash.hex)); nothing sent"
        return MemberOutcome(
            "reveal", text, sentNow: outcome.sentNow, transactions: [outcome.receipt.transactionHash.hex],
            extra: ["session": .int(Int64(id)), "orders": .int(Int64(count))])
    }

    /// Every commitment journaled for `session` on this marketplace, in order.
    public func journaledOrders(session id: UInt64) -> [JournaledOrders] {
        c.journal.records(ofType: MemberConnection.RecordType.orders).compactMap { record in
            let d = record.data
            guard d["marketplace"]?.stringValue == market.address.hex, case .int(let s)? = d["session"],
                UInt64(s) == id, let saltText = d["salt"]?.stringValue, let salt = try? Hex.decode(saltText, count: 32),
                let commitText = d["commitment"]?.stringValue,
                let commitment = try? Hex.decode(commitText, count: 32), let words = d["orders"]?.arrayValue
            else { return nil }
            let orders = words.compactMap { word -> MarketOrder? in
                guard let text = word.stringValue, let bytes = try? Hex.decode(text) else { return nil }
                return MarketOrder(packed: BigUInt(Data(bytes)))
            }
            guard orders.count == words.count else { return nil }
            return JournaledOrders(session: id, orders: orders, salt: salt, commitment: commitment)
        }
    }

    /// The journal record: orders as packed words (hex), with readable fields alongside.
    func record(_ j: JournaledOrders) -> JSONValue {
        [
            "marketplace": .string(market.address.hex), "session": .int(Int64(j.session)),
            "orders": .array(j.orders.map { .string(Hex.encode($0.packed.serialize())) }),
            "readable": .array(
                j.orders.map {
                    .string(
                        "slot \($0.slot) \($0.side == .buy ? "buy" : "sell") \($0.quantityWh) Wh at \($0.limitPrice)")
                }),
            "salt": .string(j.salt.hex), "commitment": .string(j.commitment.hex),
        ]
    }
}
