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

    /// A note when `name`'s keccak-256 differs from the hash journaled in `record.data[field]`.
    func hashNote(_ name: String, record: JournalRecord?, field: String) -> String? {
        guard let expected = record?.data[field]?.stringValue, let data = data(name) else { return nil }
        let actual = Keccak256.hash(Array(data)).hex
        return actual == expected
            ? nil
            : "\(name) does not match the hash journaled with `\(record?.type ?? "")` (\(expected.prefix(12))…, "
                + "file \(actual.prefix(12))…): it was changed after the run"
    }
}
