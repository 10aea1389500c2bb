import BigInt
import Chain
import Foundation
import Manifest
import Market

/// A member's participation in a session, in words, decoded from `participationOf`'s word
/// (see `MarketBase.sol`): top bit clear — 0 none, low bits 1 committed, 2 revealed,
/// 3 forfeited, 0 with a hash cleared; top bit set — validated (amount owed in bits 2–254),
/// plus bit 0 when settled (or, in a cancelled session, released).
public enum Participation {
    /// The stages reached, in order: `committed`, `revealed`, `cleared`, `validated`, `settled`;
    /// or `forfeited` / `released`; `[]` when the member has not committed.
    public static func words(word: BigUInt, state: SessionState) -> [String] {
        guard word != 0 else { return [] }
        let validatedBit = BigUInt(1) << 255
        if word & validatedBit != 0 {
            let settled = word & 1 == 1
            if settled && state == .cancelled && word == validatedBit | 1 {
                return ["committed", "revealed", "released"]
            }
            return ["committed", "revealed", "cleared", "validated"] + (settled ? ["settled"] : [])
        }
        switch word & 3 {
        case 1: return ["committed"]
        case 2: return ["committed", "revealed"]
        case 3: return ["committed", "forfeited"]
        default: return ["committed", "revealed", "cleared"]
        }
    }
}

/// `cer-run member status`: membership, funds, and optionally one session's participation.
public struct MemberStatusReport: Sendable {
    public var address: Address
    public var status: MemberStatus
    /// Funds in the marketplace, in token base units.
    public var available: BigUInt
    public var locked: BigUInt
    /// Tokens in the member's wallet.
    public var walletBalance: BigUInt
    /// With `--session`.
    public var session: SessionPart?

    /// One session as the member sees it.
    public struct SessionPart: Sendable {
        public var id: UInt64
        public var state: SessionState
        public var commitDeadline: UInt64
        public var revealDeadline: UInt64
        public var participation: [String]
        /// Whether the member journal holds orders and salt for this session.
        public var journaledOrders: Bool
    }

    /// Human lines.
    public func lines(decimals: Int, chainTime: UInt64) -> [String] {
        func money(_ v: BigUInt) -> String { DecimalAmount.format(v, decimals: decimals) }
        var out = [
            "member \(address.checksummed): \(MemberText.memberStatus(status.rawValue))",
            "funds in the marketplace: available \(money(available)), locked \(money(locked)); wallet \(money(walletBalance))",
        ]
        if let s = session {
            out.append(
                "session \(s.id): \(MemberText.sessionState(s.state.rawValue)); commit until \(MemberText.time(s.commitDeadline)), reveal until \(MemberText.time(s.revealDeadline)); chain time \(MemberText.time(chainTime))"
            )
            out.append(
                "participation: " + (s.participation.isEmpty ? "none" : s.participation.joined(separator: ", "))
                    + (s.journaledOrders ? " (orders and salt in the journal)" : ""))
        }
        return out
    }

    /// The report as one JSON object (amounts in base units, as text).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "address": .string(address.checksummed), "status": .string(MemberText.memberStatus(status.rawValue)),
            "available": .string(String(available)), "locked": .string(String(locked)),
            "wallet": .string(String(walletBalance)),
        ]
        if let s = session {
            object["session"] = [
                "id": .int(Int64(s.id)), "state": .string(MemberText.sessionState(s.state.rawValue)),
                "commitDeadline": .int(Int64(s.commitDeadline)), "revealDeadline": .int(Int64(s.revealDeadline)),
                "participation": .array(s.participation.map { .string($0) }),
                "journaledOrders": .bool(s.journaledOrders),
            ]
        }
        return .object(object)
    }
}

extension MemberActions {
    /// Reads the member's status, funds and (with `session`) its participation.
    public func status(session id: UInt64?) async throws -> MemberStatusReport {
        let member = try await market.member(c.address)
        let funds = try await market.checkFunds(c.address)
        var report = MemberStatusReport(
            address: c.address, status: member.status, available: funds.available, locked: funds.locked,
            walletBalance: try await c.token.balance(of: c.address), session: nil)
        if let id {
            let session = try await requireSession(id)
            report.session = .init(
                id: id, state: session.state, commitDeadline: session.commitDeadline,
                revealDeadline: session.revealDeadline,
                participation: Participation.words(word: try await participationWord(id), state: session.state),
                journaledOrders: !journaledOrders(session: id).isEmpty)
        }
        return report
    }
}
