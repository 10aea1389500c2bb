import Foundation
import Market
import Testing

@Suite struct ArtifactFreshnessTests {
    let store = try! ArtifactStore.locate()
    var contractsRoot: URL { store.directory.deletingLastPathComponent() }

    @Test func committedArtifactsMatchTheSources() throws {
        let problems = try ArtifactFreshness.check(store: store, contractsRoot: contractsRoot)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
        #expect(try !store.artifactFiles().isEmpty)
    }

    @Test func anEditedSourceIsNamed() throws {
        let fm = FileManager.default
        let copy = fm.temporaryDirectory.appendingPathComponent("cer-fresh-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: copy) }
        try fm.copyItem(at: contractsRoot, to: copy)
        let source = copy.appendingPathComponent("src/dev/Notary.sol")
        try (String(contentsOf: source, encoding: .utf8) + "\n// edited\n").write(
            to: source, atomically: true, encoding: .utf8)
        let problems = try ArtifactFreshness.check(
            store: ArtifactStore(directory: copy.appendingPathComponent("artifacts")), contractsRoot: copy)
        #expect(problems.contains { $0.source == "src/dev/Notary.sol" && $0.artifact == "Notary.json" })
        #expect(problems.allSatisfy { $0.source == "src/dev/Notary.sol" })
        #expect(problems.first?.description.contains("make contracts") == true)
    }
}
