import Chain
import PhaseRunner
import Synchronization
import Testing

@Suite struct DemoTests {
    @Test func foundationDemoRunsEndToEnd() async throws {
        let f = try await DevChainFixture.make()
        let lines = Mutex<[String]>([])
        let demo = FoundationDemo(
            client: f.client, operatorKey: try await f.fundedKey(), artifacts: f.artifacts,
            log: { line in lines.withLock { $0.append(line) } })
        let report = try await demo.run(document: Array("test adhesion".utf8), label: "test.pdf")
        #expect(report.transactions.map(\.label) == ["deploy", "fund", "notarise"])
        #expect(report.transactions.map(\.type) == [2, 0, 2])
        #expect(report.notarisation.by == report.member)
        #expect(report.notarisation.docHash == Keccak256.hash("test adhesion"))
        #expect(report.duplicateRejection.contains("AlreadyNotarised"))
        let text = lines.withLock { $0.joined(separator: "\n") }
        #expect(text.contains("Notary deployed at"))
        #expect(text.contains("✔ notarise document (EIP-1559)"))
    }
}
