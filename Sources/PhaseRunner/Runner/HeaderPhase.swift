import Chain
import Foundation
import Manifest

extension Phases {
    /// The first record ties the journal to one chain and one manifest; a resume against
    /// another chain is refused, and against a changed manifest unless the change is accepted
    /// (`acceptManifestChange`) and touches no step already started — the acceptance is journaled.
    static func header(_ c: RunContext, acceptManifestChange: Bool) async throws {
        guard let genesis = try await c.client.block(.number(0)) else { throw RunnerError.chain("no genesis block") }
        let manifestHash = c.manifest.canonicalHash.hex
        var header: JSONValue = [
            "chainId": .int(Int64(c.chainID)), "genesis": .string(genesis.hash.hex),
            "manifestHash": .string(manifestHash), "sessionId": .string(c.manifest.session.id),
            "tool": .string(SessionRunner.toolVersion),
        ]
        guard let existing = c.last("header") else {
            let resolved = try saveManifestSnapshot(c)
            if case .object(var fields) = header {
                fields["resolved"] = .string(resolved)
                header = .object(fields)
            }
            try c.journal.append("header", header)
            c.log("journal \(c.journal.url.path) started")
            return
        }
        for field in ["chainId", "genesis"] where existing.data[field] != header[field] {
            throw RunnerError.mismatch(
                "\(field) was \(existing.data[field]?.jsonText ?? "-") when the run started, now "
                    + "\(header[field]?.jsonText ?? "-") (another chain)")
        }
        let accepted = c.last(manifestAcceptedType)?.data["to"]?.stringValue
        let expected = accepted ?? existing.data["manifestHash"]?.stringValue ?? ""
        if expected != manifestHash {
            let changed = changedSections(c, previousHash: expected)
            let list =
                changed.map { $0.joined(separator: ", ") } ?? "unknown sections (no snapshot of the old manifest)"
            guard acceptManifestChange else {
                throw RunnerError.mismatch(
                    "the manifest changed since the run started (sections: \(list)); if the change is intended, "
                        + "run `cer-run resume --accept-manifest-change` (allowed only for sections whose steps "
                        + "have not started)")
            }
            guard let changed else {
                throw RunnerError.mismatch("cannot tell what changed in the manifest: \(list)")
            }
            for section in changed {
                if let started = startedStep(c, section: section) {
                    throw RunnerError.mismatch(
                        "the manifest's `\(section)` changed, but \(started) already started; such a change "
                            + "cannot be accepted (start a new session instead)")
                }
            }
            let resolved = try saveManifestSnapshot(c)
            try c.journal.append(
                manifestAcceptedType,
                [
                    "from": .string(expected), "to": .string(manifestHash),
                    "sections": .array(changed.map { .string($0) }), "resolved": .string(resolved),
                ])
            c.warn("accepted a manifest change in \(list) (journaled)")
        }
        c.log("resuming \(c.journal.url.path) (\(c.journal.records.count) records)")
    }

    static let manifestAcceptedType = "manifest.accepted"

    /// The canonical manifest of every hash a run used is kept next to the journal
    /// (`manifest-<hash>.json`), so a later change can be compared section by section, and its
    /// resolution as `resolved-<hash>.json` (what `cer-run replay` recomputes). Returns the hash of
    /// the resolution.
    static func saveManifestSnapshot(_ c: RunContext) throws -> String {
        let resolved = RunSnapshots.resolved(c.manifest)
        guard !c.planning else { return Keccak256.hash(resolved.jsonText).hex }
        let url = c.runFolder.appendingPathComponent("manifest-\(c.manifest.canonicalHash.hex).json")
        if !FileManager.default.fileExists(atPath: url.path) {
            try DurableFile.write(Data(c.manifest.canonicalJSON.jsonText.utf8), to: url)
        }
        return try RunSnapshots.write(
            resolved, RunSnapshots.resolvedFile(c.manifest.canonicalHash.hex), in: c.runFolder)
    }

    /// The top-level sections that differ from the snapshot of `previousHash`; nil without one.
    static func changedSections(_ c: RunContext, previousHash: String) -> [String]? {
        let url = c.runFolder.appendingPathComponent("manifest-\(previousHash).json")
        guard let data = FileManager.default.contents(atPath: url.path),
            Keccak256.hash(Array(data)).hex == previousHash,
            let old = try? JSONValue.parse(data).objectValue,
            let new = c.manifest.canonicalJSON.objectValue
        else { return nil }
        return Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }

    /// The first started step that a change of `section` would affect, if any.
    static func startedStep(_ c: RunContext, section: String) -> String? {
        let signedSteps = c.journal.records(ofType: JournaledSender.RecordType.signed).compactMap {
            $0.data["step"]?.stringValue
        }
        switch section {
        case "participants":
            // Registration, approval, funding and the session's manifest hash all depend on them.
            return signedSteps.first {
                $0 == "session/open" || $0.hasPrefix("register/") || $0.hasPrefix("approve/") || $0.hasPrefix("fund/")
            }.map { "a participant step (\($0))" }
        case "clearing":
            return c.last("clearing") != nil ? "clearing (its result is journaled)" : nil
        case "validation":
            return signedSteps.first { $0.hasPrefix("publish/validation") }.map { "validation publication (\($0))" }
        case "settlement":
            return signedSteps.first { $0.hasPrefix("settle/") || $0.hasPrefix("withdraw/") }.map {
                "settlement (\($0))"
            }
        default:
            return signedSteps.first.map { "the first transaction (\($0))" }
        }
    }
}
