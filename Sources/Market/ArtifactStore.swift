import Chain
import Foundation

/// Finds and loads the committed contract artifacts (`contracts/artifacts/*.json`).
public struct ArtifactStore: Sendable {
    /// The folder holding `<ContractName>.json` files.
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `$CER_CONTRACTS_DIR/artifacts`, or `contracts/artifacts` in the working directory or one of
    /// its parents, or next to the executable.
    public static func locate() throws -> ArtifactStore {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["CER_CONTRACTS_DIR"] {
            return ArtifactStore(directory: URL(fileURLWithPath: env).appendingPathComponent("artifacts"))
        }
        let starts = [
            URL(fileURLWithPath: fm.currentDirectoryPath),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent(),
        ]
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("contracts/artifacts")
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return ArtifactStore(directory: candidate)
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw ContractArtifact.LoadError(
            path: "contracts/artifacts",
            reason: "not found; run from the cer-run checkout or set CER_CONTRACTS_DIR to the contracts/ folder")
    }

    /// Loads `<name>.json`.
    public func artifact(_ name: String) throws -> ContractArtifact {
        try ContractArtifact(contentsOf: directory.appendingPathComponent("\(name).json"))
    }

    /// Every artifact file in the folder, sorted by name.
    public func artifactFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
