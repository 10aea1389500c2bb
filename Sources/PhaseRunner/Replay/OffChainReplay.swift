import BigInt
import Chain
import ClearingPlugins
import Foundation
import Manifest
import Market
import Validation

/// `cer-run replay`: every off-chain step of a past run recomputed from the inputs recorded in
/// its folder and compared byte for byte with the outputs recorded there.
public enum SessionReplay {
    /// Manifest resolution, clearing input, clearing, validation and settlement amounts,
    /// recomputed from `folder` alone (no chain, no meter source).
    /// `allowExternalPlugin`: run an `exec:`/`http:` clearing plugin the run used (refused
    /// otherwise: the folder may come from someone else).
    public static func offChain(_ folder: URL, allowExternalPlugin: Bool = false) async throws(RunnerError)
        -> ReplayReport
    {
        let run = try RunFolder.open(folder)
        try run.checkPlugin(allowExternal: allowExternalPlugin)
        var steps = [manifestStep(run)]
        let clearingRecord = run.last("clearing")
        guard clearingRecord != nil else {
            steps.append(.init(name: "clearing", outcome: .notReached("no clearing journaled")))
            return ReplayReport(runFolder: folder.path, steps: steps)
        }
        guard let revealsJSON = try run.json(RunSnapshots.revealsFile) else {
            throw .input("\(folder.path)/\(RunSnapshots.revealsFile) is missing: the run folder is not complete")
        }
        let reveals = try RunSnapshots.Reveals(json: revealsJSON, file: RunSnapshots.revealsFile)
        let orders = clearingOrders(reveals)
        let request = ClearingProtocol.encodeRequest(
            orders: orders, slots: run.manifest.session.slots, params: run.manifest.clearing.params)
        steps.append(
            .init(
                name: "clearing input",
                outcome: with(
                    [
                        run.hashDifference(RunSnapshots.revealsFile, record: clearingRecord, field: "reveals"),
                        run.hashDifference("book.json", record: clearingRecord, field: "book"),
                    ],
                    compare("book.json", recorded: run.data("book.json"), recomputed: Data(request.jsonText.utf8)))))

        // Clearing, from the recorded book.
        guard let bookJSON = try run.json("book.json") else { throw .input("\(folder.path)/book.json is missing") }
        let book: ClearingProtocol.Request
        do { book = try ClearingProtocol.decodeRequest(bookJSON) } catch { throw .input("book.json: \(error)") }
        let recomputedClearing = try await clear(run.manifest, book)
        let clearingOutcome = compare(
            "clearing.json", recorded: run.data("clearing.json"), recomputed: try encodeClearing(recomputedClearing))
        steps.append(
            .init(
                name: "clearing",
                outcome: with(
                    [run.hashDifference("clearing.json", record: clearingRecord, field: "hash")], clearingOutcome)))

        // Validation, from the recorded fills and meter day.
        let validationRecord = run.last("validation")
        guard validationRecord != nil, run.manifest.validation != nil else {
            steps.append(.init(name: "validation", outcome: .notReached("no validation journaled")))
            return ReplayReport(runFolder: folder.path, steps: steps)
        }
        guard let metersJSON = try run.json(RunSnapshots.metersFile) else {
            throw .input("\(folder.path)/\(RunSnapshots.metersFile) is missing: the run folder is not complete")
        }
        if let journaled = validationRecord?.data["meterDay"] {
            // The journal holds the meter day too: a changed file is shown reading by reading.
            let list = JSONDifference.differences(journaled, metersJSON).map {
                ReplayReport.Difference(file: RunSnapshots.metersFile, $0)
            }
            steps.append(.init(name: "meter data", outcome: list.isEmpty ? .identical : .different(list)))
        } else {
            let changed = run.hashDifference(RunSnapshots.metersFile, record: validationRecord, field: "meters")
            steps.append(.init(name: "meter data", outcome: changed.map { .different([$0]) } ?? .identical))
        }
        let day = try RunSnapshots.meterDay(metersJSON, file: RunSnapshots.metersFile)
        let recordedClearing = try decodeClearing(run)
        let validation = try validate(run.manifest, reveals: reveals, clearing: recordedClearing, meters: day)
        let validationOutcome = compare(
            "validation.json", recorded: run.data("validation.json"), recomputed: Data(validation.canonicalJSON.utf8))
        steps.append(
            .init(
                name: "validation",
                outcome: with(
                    [run.hashDifference("validation.json", record: validationRecord, field: "hash")],
                    validationOutcome)))

        // Settlement amounts: what validation makes each member pay, receive and forfeit, against
        // the report of the chain's events.
        guard let report = try run.json("report.json") else {
            let settled = run.records.contains {
                $0.type == JournaledSender.RecordType.mined && ($0.data["step"]?.stringValue ?? "").hasPrefix("settle/")
            }
            let missing = ReplayReport.Difference(
                file: "report.json", field: "(file)", journaled: "(missing)",
                recomputed: "settlement transactions are journaled")
            steps.append(
                settled
                    ? .init(name: "settlement", outcome: .different([missing]))
                    : .init(name: "settlement", outcome: .notReached("no report.json (not settled yet)")))
            return ReplayReport(runFolder: folder.path, steps: steps)
        }
        steps.append(settlementStep(report: report, validation: validation))
        return ReplayReport(runFolder: folder.path, steps: steps)
    }

    static func manifestStep(_ run: RunFolder) -> ReplayReport.Step {
        var differences = [ReplayReport.Difference]()
        let snapshot = "manifest-\(run.manifestHash).json"
        if let data = run.data(snapshot), Keccak256.hash(Array(data)).hex != run.manifestHash {
            differences.append(
                .init(
                    file: snapshot, field: "(keccak-256)", journaled: run.manifestHash,
                    recomputed: Keccak256.hash(Array(data)).hex))
        }
        if run.manifest.canonicalHash.hex != run.manifestHash {
            differences.append(
                .init(
                    file: snapshot, field: "canonicalHash", journaled: run.manifestHash,
                    recomputed: run.manifest.canonicalHash.hex))
        }
        var notes = [String]()
        let resolved = Data(RunSnapshots.resolved(run.manifest).jsonText.utf8)
        let resolvedName = RunSnapshots.resolvedFile(run.manifestHash)
        if let recorded = run.data(resolvedName) {
            // Its hash is journaled with the header (or the accepted change) that used it.
            let record = run.records.last {
                ($0.type == "header" && $0.data["manifestHash"]?.stringValue == run.manifestHash)
                    || ($0.type == Phases.manifestAcceptedType && $0.data["to"]?.stringValue == run.manifestHash)
            }
            if let changed = run.hashDifference(resolvedName, record: record, field: "resolved") {
                differences.append(changed)
            }
            if case .different(let list) = compare(resolvedName, recorded: recorded, recomputed: resolved) {
                differences += list
            }
        } else {
            notes.append("\(resolvedName) absent (a run by an older cer-run): only the hash was checked")
        }
        return .init(
            name: "manifest", outcome: differences.isEmpty ? .identical : .different(differences), notes: notes)
    }

    static func settlementStep(report: JSONValue, validation: ValidationResult) -> ReplayReport.Step {
        let settled = report["state"]?.stringValue == "settled"
        var recorded = [String: JSONValue]()
        for row in report["members"]?.arrayValue ?? [] {
            guard let address = row["address"]?.stringValue?.lowercased() else { continue }
            var fields: [String: JSONValue] = ["paid": row["paid"] ?? .null, "penalty": row["penalty"] ?? .null]
            if settled { fields["received"] = row["received"] ?? .null }
            recorded[address] = .object(fields)
        }
        var recomputed = [String: JSONValue]()
        for m in validation.members {
            var fields: [String: JSONValue] = ["paid": .string(String(m.pay)), "penalty": .string(String(m.penalty))]
            if settled { fields["received"] = .string(String(m.receive)) }
            recomputed[m.address.hex] = .object(fields)
        }
        // Members absent from validation (never cleared) paid and received nothing.
        for (address, fields) in recorded where recomputed[address] == nil {
            let zero: JSONValue = .string("0")
            var expected: [String: JSONValue] = ["paid": zero, "penalty": zero]
            if settled { expected["received"] = zero }
            recomputed[address] = fields.objectValue?.keys.contains("paid") == true ? .object(expected) : fields
        }
        let totals = validation.totals
        let journaled: JSONValue = [
            "members": .object(recorded),
            "totals": [
                "paid": report["totals"]?["paid"] ?? .null, "owed": report["totals"]?["owed"] ?? .null,
                "dust": report["totals"]?["dust"] ?? .null,
            ],
        ]
        let now: JSONValue = [
            "members": .object(recomputed),
            "totals": [
                "paid": .string(String(totals.buyerPayments)), "owed": .string(String(totals.sellerReceipts)),
                "dust": .string(String(totals.dust)),
            ],
        ]
        let list = JSONDifference.differences(journaled, now).map { ReplayReport.Difference(file: "report.json", $0) }
        return .init(
            name: "settlement", outcome: list.isEmpty ? .identical : .different(list),
            notes: settled ? [] : ["session not settled when the report was written: receipts not compared"])
    }

    /// The clearing's orders from the revealed book, exactly as the runner built them.
    static func clearingOrders(_ reveals: RunSnapshots.Reveals) -> [ClearingOrder] {
        ClearingAudit.orders(reveals.book)
    }

    static func clear(_ manifest: SessionManifest, _ book: ClearingProtocol.Request) async throws(RunnerError)
        -> ClearingResult
    {
        let plugin: ClearingPlugin
        do { plugin = try ClearingPlugin.resolve(manifest.clearing.plugin, params: manifest.clearing.params) } catch {
            throw .input("clearing: \(error)")
        }
        do {
            return try await plugin.clear(orders: book.orders, slots: book.slots, params: manifest.clearing.params)
        } catch {
            throw .input("clearing with \(manifest.clearing.plugin) failed: \(error)")
        }
    }

    /// `clearing.json`'s encoding (the runner's).
    static func encodeClearing(_ result: ClearingResult) throws(RunnerError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do { return try encoder.encode(result) } catch { throw .input("cannot encode a clearing result: \(error)") }
    }

    static func decodeClearing(_ run: RunFolder) throws(RunnerError) -> ClearingResult {
        guard let data = run.data("clearing.json") else { throw .input("\(run.url.path)/clearing.json is missing") }
        do { return try JSONDecoder().decode(ClearingResult.self, from: data) } catch {
            throw .input("\(run.url.path)/clearing.json is not a clearing result: \(error)")
        }
    }

    /// The members validation sees: each revealed member with its POD and the fills published
    /// for it (from the clearing result, as the runner published them).
    static func validationMembers(
        _ manifest: SessionManifest, reveals: RunSnapshots.Reveals, clearing: ClearingResult
    ) throws(RunnerError) -> [ValidationMember] {
        let published = ClearingAudit.publication(
            of: clearing, book: reveals.book, slots: manifest.session.slots
        ).fills
        let pods = Dictionary(manifest.participants.map { ($0.address, $0.pod) }, uniquingKeysWith: { a, _ in a })
        var members = [ValidationMember]()
        for entry in reveals.revealed {
            guard let pod = pods[entry.member] else {
                throw .input("member \(entry.member) revealed orders but is not a participant of the manifest")
            }
            members.append(
                ValidationMember(
                    address: entry.member, pod: pod, orders: entry.orders, fills: published[entry.member] ?? []))
        }
        return members
    }

    static func validate(
        _ manifest: SessionManifest, reveals: RunSnapshots.Reveals, clearing: ClearingResult, meters: MeterDay
    ) throws(RunnerError) -> ValidationResult {
        guard let settings = manifest.validation else { throw .input("the manifest has no `validation` section") }
        let engine = Phases.validationEngine(manifest, settings)
        let members = try validationMembers(manifest, reveals: reveals, clearing: clearing)
        do { return try engine.validate(members: members, meters: meters) } catch {
            throw .input("validation: \(error)")
        }
    }

    /// `outcome` with `differences` (those not nil) put first.
    static func with(_ differences: [ReplayReport.Difference?], _ outcome: ReplayReport.Step.Outcome)
        -> ReplayReport.Step.Outcome
    {
        let extra = differences.compactMap { $0 }
        guard !extra.isEmpty else { return outcome }
        if case .different(let list) = outcome { return .different(extra + list) }
        return .different(extra)
    }

    /// Byte comparison; when the bytes differ, where the JSON differs.
    static func compare(_ file: String, recorded: Data?, recomputed: Data) -> ReplayReport.Step.Outcome {
        guard let recorded else {
            return .different([.init(file: file, field: "(file)", journaled: "(missing)", recomputed: "(computed)")])
        }
        if recorded == recomputed { return .identical }
        guard let old = try? JSONValue.parse(recorded), let new = try? JSONValue.parse(recomputed) else {
            return .different([.init(file: file, field: "(bytes)", journaled: "not JSON", recomputed: "JSON")])
        }
        let list = JSONDifference.differences(old, new).map { ReplayReport.Difference(file: file, $0) }
        return .different(
            list.isEmpty
                ? [
                    .init(
                        file: file, field: "(bytes)", journaled: "\(recorded.count) bytes",
                        recomputed: "\(recomputed.count) bytes (same JSON, other formatting)")
                ]
                : list)
    }
}
