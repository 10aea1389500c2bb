import Chain
import Foundation
import Manifest
import PhaseRunner

/// What a run folder's journal and files say about its session, without a node.
public struct RunFacts: Sendable {
    public let run: RunFolder

    public init(_ run: RunFolder) { self.run = run }

    /// The session's id in the marketplace (from the `session` record), nil before it was opened.
    public var chainSessionID: UInt64? {
        if case .int(let id)? = run.last("session")?.data["id"], id >= 0 { return UInt64(id) }
        return nil
    }

    /// The session's state as the journal has it: the final report's, else the last publication
    /// that was mined, else `open` once the session exists, else `none`.
    public var state: String {
        if let state = (try? run.json("report.json"))??["state"]?.stringValue { return state }
        if minedOK("publish/validation/finalize") { return "validated" }
        if minedOK("publish/finalize") { return "cleared" }
        return chainSessionID == nil ? "none" : "open"
    }

    /// Members that committed and that revealed (from `reveals.json`, written at the clearing).
    public var commitsAndReveals: (commits: Int, reveals: Int)? {
        guard let reveals = try? run.json("reveals.json") else { return nil }
        return (reveals["committed"]?.arrayValue?.count ?? 0, reveals["revealed"]?.arrayValue?.count ?? 0)
    }

    /// The marketplace: the manifest's, or where the run deployed it.
    public var marketplace: Address? {
        if case .existing(let address, _) = run.manifest.contracts { return address }
        return deployed("deploy/marketplace")
    }

    /// The settlement token: the manifest's, or where the run deployed it.
    public var token: Address? {
        if case .existing(_, let token) = run.manifest.contracts { return token }
        return deployed("deploy/token")
    }

    /// The token's symbol when the run deployed it (`CEUR`), else nil (not in the journal).
    public var tokenSymbol: String? {
        if case .deploy = run.manifest.contracts { return "CEUR" }
        return nil
    }

    /// The last phase the runner journaled: the first part of the last step signed, or the
    /// clearing / validation record, or `report` once the report exists.
    public var phase: String {
        var phase = "header"
        for record in run.records {
            switch record.type {
            case JournaledSender.RecordType.signed:
                if let step = record.data["step"]?.stringValue, let first = step.split(separator: "/").first {
                    phase = String(first)
                }
            case "clearing", "validation", "session": phase = record.type
            default: break
            }
        }
        return run.data("report-data.json") != nil ? "report" : phase
    }

    /// Block 0's hash of the run's chain (from the journal's header).
    public var genesis: String? { run.records.first { $0.type == "header" }?.data["genesis"]?.stringValue }

    /// Whether `report-data.json` exists.
    public var reportAvailable: Bool { run.data("report-data.json") != nil }

    func minedOK(_ step: String) -> Bool {
        run.records.contains {
            $0.type == JournaledSender.RecordType.mined && $0.data["step"]?.stringValue == step
                && $0.data["status"] == .int(1)
        }
    }

    /// The block the run's marketplace deployment was mined in (nil when the run used an
    /// existing marketplace): members cannot have registered before it.
    public var marketplaceBlock: UInt64? {
        guard
            let mined = run.records.last(where: {
                $0.type == JournaledSender.RecordType.mined && $0.data["step"]?.stringValue == "deploy/marketplace"
            }), case .int(let block)? = mined.data["block"], block >= 0
        else { return nil }
        return UInt64(block)
    }

    func deployed(_ step: String) -> Address? {
        guard
            let signed = run.records.first(where: {
                $0.type == JournaledSender.RecordType.signed && $0.data["step"]?.stringValue == step
            }), let sender = signed.data["sender"]?.stringValue, let from = try? Address(sender),
            case .int(let nonce)? = signed.data["nonce"], nonce >= 0
        else { return nil }
        return Address.contractAddress(sender: from, nonce: UInt64(nonce))
    }
}
