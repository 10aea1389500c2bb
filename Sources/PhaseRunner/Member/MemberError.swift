import BigInt
import Chain
import Foundation
import Manifest
import Market

/// Why a `cer-run member` action stopped.
public enum MemberError: Error, CustomStringConvertible {
    /// Bad input (file, option, password) or an action that makes no sense in the chain's
    /// current state: nothing was sent (exit 2).
    case refused(String)
    /// A transaction was mined and failed, or the chain answered something unexpected (exit 1).
    case failed(String)

    /// The message, for people.
    public var description: String {
        switch self {
        case .refused(let m), .failed(let m): return m
        }
    }

    /// True when nothing was sent (exit code 2).
    public var nothingSent: Bool {
        if case .refused = self { return true }
        return false
    }
}

/// Plain-words explanations of the marketplace's custom errors (`MarketErrors.sol`).
public enum MarketErrorText {
    /// A sentence for `reason`, with amounts in token units of `decimals` and times in UTC.
    public static func explain(_ reason: RevertReason, decimals: Int) -> String {
        guard case .custom(let error, let args) = reason else { return "the contract refused: \(reason)" }
        func u(_ i: Int) -> BigUInt { i < args.count ? args[i].uintValue ?? 0 : 0 }
        func money(_ i: Int) -> String { DecimalAmount.format(u(i), decimals: decimals) }
        func time(_ i: Int) -> String { MemberText.time(UInt64(u(i))) }
        func member(_ i: Int) -> String { MemberText.memberStatus(UInt8(u(i))) }
        func state(_ i: Int) -> String { MemberText.sessionState(UInt8(u(i))) }
        switch error.name {
        case "AlreadyRegistered": return "this address is already registered (status: \(member(1)))"
        case "EmptyDocumentHash": return "the adhesion document hash is empty"
        case "NotActiveMember":
            return "this address is not an active member (status: \(member(1))); the admin must approve it first"
        case "ZeroAmount": return "the amount must be more than zero"
        case "InsufficientFunds":
            return "not enough available funds in the marketplace: \(money(1)) available, \(money(2)) needed"
        case "UnknownSession": return "session \(u(0)) does not exist on this marketplace"
        case "WrongState": return "session \(u(0)) is \(state(2)); this needs it \(state(1))"
        case "CommitPhaseOver":
            return "the commit phase of session \(u(0)) ended at \(time(1)) (chain time is \(time(2)))"
        case "RevealPhaseNotOpen":
            return
                "the reveal phase of session \(u(0)) runs from \(time(1)) to \(time(2)); chain time is \(time(3))"
        case "AlreadyCommitted": return "this member already committed to session \(u(0))"
        case "NotCommitted": return "this member has no open commitment in session \(u(0)) (nothing to reveal)"
        case "ZeroCommitment": return "the commitment is zero"
        case "CommitmentMismatch":
            return "the orders and salt do not match the commitment posted for session \(u(0))"
        case "NoOrders": return "no orders to reveal"
        case "TooManyOrders": return "too many orders: \(u(0)), at most \(u(1))"
        case "InvalidOrder":
            let why = args.count > 2 ? args[2].stringValue ?? "" : ""
            return "order \(u(0)) is not valid: \(why)"
        case "SlotOutOfRange": return "order \(u(0)) is for slot \(u(1)), the session has \(u(2)) slots"
        case "NotValidated": return "this member has no validated fills in session \(u(0)) (nothing to execute)"
        case "AlreadySettled": return "this member's fills in session \(u(0)) are already settled"
        case "PriorSessionNotValidated":
            return "the previous session \(u(0)) is \(state(1)), not validated yet"
        default: return "the contract refused: \(reason)"
        }
    }
}

/// Wording shared by the member actions and their reports.
public enum MemberText {
    /// `2026-11-25 17:00:00 UTC` for Unix seconds.
    public static func time(_ seconds: UInt64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The contract's member status number in words.
    public static func memberStatus(_ raw: UInt8) -> String {
        switch MemberStatus(rawValue: raw) {
        case .none?: return "not registered"
        case .pending?: return "pending approval"
        case .active?: return "active"
        case .rejected?: return "rejected"
        case .suspended?: return "suspended"
        case nil: return "status \(raw)"
        }
    }

    /// The contract's session state number in words.
    public static func sessionState(_ raw: UInt8) -> String {
        switch SessionState(rawValue: raw) {
        case .none?: return "unknown"
        case .open?: return "open"
        case .cleared?: return "cleared"
        case .validated?: return "validated"
        case .settled?: return "settled"
        case .cancelled?: return "cancelled"
        case nil: return "state \(raw)"
        }
    }
}
