import BigInt
import Chain
import Foundation
import Manifest
import Market

/// The JSON of `GET /api/v1/sessions` (SessionSummary) and `GET /api/v1/sessions/{id}`: the
/// manifest's numbers, the journal's facts, and the chain's state and counts when the server
/// reads the session's own marketplace on the session's own chain.
public enum SessionViews {
    /// A session summary; `chain` is the session as the node has it (nil: the journal's view).
    public static func summary(_ facts: RunFacts, chain: OnChainSession?) -> [String: JSONValue] {
        let m = facts.run.manifest
        let counts = chain.map { (commits: $0.commits, reveals: $0.reveals) } ?? facts.commitsAndReveals
        return [
            "id": .string(m.session.id), "community": .string(m.session.community),
            "deliveryDay": .string(m.session.deliveryDay.description), "timeZone": .string(m.session.timeZone),
            "chainSessionId": facts.chainSessionID.map { .string(String($0)) } ?? .null,
            "state": .string(chain.map { "\($0.state)" } ?? facts.state),
            "commitDeadline": .int(m.deadlines.commit), "revealDeadline": .int(m.deadlines.reveal),
            "slots": .int(Int64(m.session.slots)),
            "commits": counts.map { .int(Int64($0.commits)) } ?? .null,
            "reveals": counts.map { .int(Int64($0.reveals)) } ?? .null,
            "reportAvailable": .bool(facts.reportAvailable),
        ]
    }

    /// One session: the summary plus slots, money settings, contracts, participants and phase.
    public static func detail(_ facts: RunFacts, chain: OnChainSession?) -> JSONValue {
        let m = facts.run.manifest
        var json = summary(facts, chain: chain)
        json["slotMinutes"] = .int(Int64(m.session.slotMinutes))
        json["slotStarts"] = .array(
            slotStarts(m).map { ["slot": .int(Int64($0.slot)), "start": .string($0.label), "time": .int($0.time)] })
        json["deposit"] = .string(String(m.session.deposit))
        json["sellerBondPerKWh"] = .string(String(m.session.sellerBondPerKWh))
        json["tokenDecimals"] = .int(Int64(m.session.tokenDecimals))
        json["marketplace"] = facts.marketplace.map { .string($0.checksummed) } ?? .null
        json["token"] = facts.token.map { .string($0.checksummed) } ?? .null
        json["participants"] = .int(Int64(m.participants.count))
        json["phase"] = .string(facts.phase)
        return .object(json)
    }

    /// Each slot's start: local `HH:MM` in the session's zone (two slots share a label on the
    /// day clocks go back) and unix seconds.
    public static func slotStarts(_ m: SessionManifest) -> [(slot: Int, label: String, time: Int64)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: m.session.timeZone) ?? TimeZone(secondsFromGMT: 0)!
        let seconds = Int64(m.session.slotMinutes * 60)
        return (0..<m.session.slots).map { slot in
            let time = m.session.deliveryStart + Int64(slot) * seconds
            let c = calendar.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(time)))
            return (slot, String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0), time)
        }
    }
}
