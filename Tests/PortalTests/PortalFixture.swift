import Chain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PhaseRunner
import Portal

/// The DST fixture session (`fixtures/manifests/dst-settlement.yaml`, 25 slots) run once,
/// in-process, into a temporary runs folder; and helpers to ask the API about it.
actor PortalFixture {
    static let shared = PortalFixture()
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sessionID = "fixture-dst"

    private var runs: Task<URL, any Error>?

    /// The runs root holding `fixture-dst` (run to the end: settled, report written).
    func runsRoot() async throws -> URL {
        if let runs { return try await runs.value }
        let task = Task<URL, any Error> {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("cer-portal-\(UUID().uuidString)")
            let runner = SessionRunner(
                manifestPath: Self.packageRoot.appendingPathComponent("fixtures/manifests/dst-settlement.yaml").path,
                runsRoot: root, events: { _ in })
            _ = try await runner.run()
            return root
        }
        runs = task
        return try await task.value
    }

    /// The fixture's run folder.
    func folder() async throws -> URL { try await runsRoot().appendingPathComponent(Self.sessionID) }

    /// A JSON file of the fixture's run folder.
    func json(_ name: String) async throws -> JSONValue {
        try JSONValue.parse(try Data(contentsOf: try await folder().appendingPathComponent(name)))
    }
}

/// One answer of the API.
struct Answer: Sendable {
    let status: Int
    let contentType: String?
    let headers: HTTPFields
    let bytes: [UInt8]

    var json: JSONValue { (try? JSONValue.parse(Data(bytes))) ?? .null }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Asks the API (Hummingbird's router test client: no socket) each of `requests`.
func ask(
    _ settings: PortalServer.Settings, _ requests: [(method: HTTPRequest.Method, uri: String, headers: HTTPFields)]
) async throws -> [Answer] {
    var logger = Logger(label: "portal-tests")
    logger.logLevel = .warning
    let app = PortalServer.application(settings, logger: logger)
    return try await app.test(.router) { client in
        var answers = [Answer]()
        for request in requests {
            let response = try await client.execute(uri: request.uri, method: request.method, headers: request.headers)
            answers.append(
                Answer(
                    status: Int(response.status.code), contentType: response.headers[.contentType],
                    headers: response.headers, bytes: Array(buffer: response.body)))
        }
        return answers
    }
}

/// GETs `uris`.
func get(_ settings: PortalServer.Settings, _ uris: String...) async throws -> [Answer] {
    try await ask(settings, uris.map { (.get, $0, [:]) })
}

/// Settings for the fixture's runs without a node.
func journalOnly() async throws -> PortalServer.Settings {
    PortalServer.Settings(
        port: 0, data: PortalData(catalog: RunCatalog(root: try await PortalFixture.shared.runsRoot()), chain: nil))
}
