import Chain
import Foundation

/// Checks, without a compiler, that committed artifacts were compiled from the sources in the
/// tree: solc's metadata lists every source with its keccak256, which must match the file.
public enum ArtifactFreshness {
    /// One stale or missing source.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var artifact: String
        public var source: String
        public var reason: String
        public var description: String { "\(artifact): \(source) \(reason)" }
    }

    /// Compares every artifact in `store` with the sources under `contractsRoot` (the folder
    /// that holds `src/`). Returns the problems; empty means fresh.
    public static func check(store: ArtifactStore, contractsRoot: URL) throws -> [Problem] {
        var problems = [Problem]()
        for file in try store.artifactFiles() {
            let name = file.lastPathComponent
            let root = try JSONValue.parse(Data(contentsOf: file))
            guard let metadataText = root["metadata"]?.stringValue,
                let metadata = try? JSONValue.parse(Data(metadataText.utf8)),
                let sources = metadata["sources"]?.objectValue
            else {
                problems.append(Problem(artifact: name, source: "-", reason: "has no solc metadata with sources"))
                continue
            }
            for (path, entry) in sources.sorted(by: { $0.key < $1.key }) {
                guard let expected = entry["keccak256"]?.stringValue else {
                    problems.append(Problem(artifact: name, source: path, reason: "has no keccak256 in the metadata"))
                    continue
                }
                let url = contractsRoot.appendingPathComponent(path)
                guard let content = try? Data(contentsOf: url) else {
                    problems.append(
                        Problem(artifact: name, source: path, reason: "is listed but missing from contracts/"))
                    continue
                }
                let actual = Keccak256.hash(content).hex
                if actual != expected.lowercased() {
                    problems.append(
                        Problem(
                            artifact: name, source: path,
                            reason:
                                "changed since the artifact was compiled (keccak256 \(actual), artifact has \(expected)); run `make contracts` with solc on PATH and commit contracts/artifacts"
                        ))
                }
            }
        }
        return problems
    }
}
