import Chain
import Foundation
import Manifest

/// A run folder (`runs/<session>`) read without changing anything in it: the journal (its hash
/// chain checked), the manifest the run used (from its snapshot) and the files next to it.
public struct RunFolder: Sendable {
    public let url: URL
    public let records: [JournalRecord]
    /// The canonical hash of the manifest the run ended with (the header's, or the latest
    /// accepted change's).
    public let manifestHash: String
    /// That manifest, parsed again from `manifest-<hash>.json`.
    public let manifest: SessionManifest
    public let chainID: UInt64

    /// A run folder whose journal and manifest are already in memory (the end of `cer-run run`,
    /// which holds both: reading them again cost a 1,000-member run seconds of CPU).
    public init(url: URL, records: [JournalRecord], manifestHash: String, manifest: SessionManifest, chainID: UInt64) {
        self.url = url
        self.records = records
        self.manifestHash = manifestHash
        self.manifest = manifest
        self.chainID = chainID
    }

    /// Reads `folder`; every problem is an input error naming the file.
    public static func open(_ folder: URL) throws(RunnerError) -> RunFolder {
        let journalURL = folder.appendingPathComponent("journal.jsonl")
        guard FileManager.default.fileExists(atPath: journalURL.path) else {
            throw .input("\(journalURL.path) does not exist: give the folder of a run (runs/<session>)")
        }
        let records: [JournalRecord]
        do { records = try Journal.readOnly(journalURL) } catch { throw .input("\(journalURL.path): \(error)") }
        guard let header = records.first(where: { $0.type == "header" }),
            let headerHash = header.data["manifestHash"]?.stringValue,
            case .int(let chainID)? = header.data["chainId"]
        else { throw .input("\(journalURL.path): no header record (a run that never started)") }
        let hash =
            records.last(where: { $0.type == Phases.manifestAcceptedType })?.data["to"]?.stringValue ?? headerHash
        let name = "manifest-\(hash).json"
        let manifestURL = folder.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: manifestURL.path) else {
            throw .input("\(manifestURL.path) is missing: the run folder is not complete")
        }
        // Checked before anything is read from it (it names the clearing plugin a replay runs).
        let actual = Keccak256.hash(Array(data)).hex
        guard actual == hash else {
            throw .input(
                "\(manifestURL.path) does not match the manifest hash journaled for the run (\(hash.prefix(12))…, file "
                    + "\(actual.prefix(12))…): the snapshot was changed after the run; restore it from a backup")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .input("\(manifestURL.path) is not UTF-8") }
        let manifest: SessionManifest
        do { manifest = try ManifestParser.parse(text, file: manifestURL.path) } catch {
            throw .input("\(manifestURL.path) no longer parses as a manifest:\n\(error.description)")
        }
        return RunFolder(
            url: folder, records: records, manifestHash: hash, manifest: manifest, chainID: UInt64(chainID))
    }

    /// The latest record of `type`.
    public func last(_ type: String) -> JournalRecord? { records.last { $0.type == type } }

    /// The bytes of a file of the folder (nil when absent).
    public func data(_ name: String) -> Data? {
        FileManager.default.contents(atPath: url.appendingPathComponent(name).path)
    }

    /// A JSON file of the folder (nil when absent; an input error when it is not JSON).
    public func json(_ name: String) throws(RunnerError) -> JSONValue? {
        guard let data = data(name) else { return nil }
        do { return try JSONValue.parse(data) } catch {
            throw .input("\(url.appendingPathComponent(name).path) is not valid JSON: \(error)")
        }
    }

    /// A difference when `name`'s keccak-256 differs from the hash journaled in
    /// `record.data[field]` (the file was changed after the run: the journal is the record).
    func hashDifference(_ name: String, record: JournalRecord?, field: String) -> ReplayReport.Difference? {
        guard let expected = record?.data[field]?.stringValue, let data = data(name) else { return nil }
        let actual = Keccak256.hash(Array(data)).hex
        return actual == expected
            ? nil
            : ReplayReport.Difference(
                file: name, field: "(keccak-256, journaled with `\(record?.type ?? "")`)", journaled: expected,
                recomputed: actual)
    }

    /// Refuses a clearing plugin that runs a program or calls a service (`exec:`, `http:`) unless
    /// the caller allows it: a run folder may come from someone else.
    func checkPlugin(allowExternal: Bool) throws(RunnerError) {
        let plugin = manifest.clearing.plugin
        guard allowExternal || !(plugin.hasPrefix("exec:") || plugin.hasPrefix("http:")) else {
            throw .input(
                "the run's clearing plugin is external (\(plugin)): replaying it runs that program or calls that "
                    + "service; pass --allow-external-plugin if you trust this run folder")
        }
    }
}
