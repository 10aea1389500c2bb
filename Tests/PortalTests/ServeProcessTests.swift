import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `cer-run serve` as a process: the first stdout line names the port it listens on, one log
/// line per request goes to stderr, SIGINT and SIGTERM stop it with exit code 0.
@Suite struct ServeProcessTests {
    static let binary = PortalFixture.packageRoot.appendingPathComponent(".build/debug/cer-run").path

    @Test(arguments: [SIGINT, SIGTERM]) func listensLogsAndStopsGracefully(_ signal: Int32) async throws {
        let runs = try await PortalFixture.shared.runsRoot()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cer-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("out.log")
        let err = scratch.appendingPathComponent("err.log")
        for file in [out, err] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--runs", runs.path, "--port", "0"]
        process.currentDirectoryURL = PortalFixture.packageRoot
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Polls (never blocks a thread of the pool) for the first line.
        var first = ""
        for _ in 0..<600 where first.isEmpty {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first { first = String(line) }
            if first.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(first.hasPrefix("listening on http://127.0.0.1:"))
        let port = try #require(Int(first.split(separator: ":").last ?? ""))
        #expect(port > 0)

        let url = try #require(URL(string: "http://127.0.0.1:\(port)/api/v1/sessions/fixture-dst"))
        let (body, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"id\":\"fixture-dst\""))

        kill(process.processIdentifier, signal)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        let line = log.split(separator: "\n").first { $0.contains("GET /api/v1/sessions/fixture-dst 200 ") }
        #expect(line?.hasSuffix("ms") == true, "request log line in:\n\(log)")
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        #expect(stdout.split(separator: "\n").count == 1, "only the listening line on stdout")
    }

    /// A node that does not answer at start-up: exit 2, the node named without its user and
    /// password.
    @Test func aNodeThatDoesNotAnswerIsNamedWithoutItsCredentials() async throws {
        let runs = try await PortalFixture.shared.runsRoot()
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("cer-serve-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "serve", "--runs", runs.path, "--port", "0", "--rpc", "http://operator:s3cret@127.0.0.1:9",
            "--marketplace", "0x" + String(repeating: "1", count: 40),
        ]
        process.currentDirectoryURL = PortalFixture.packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        for _ in 0..<1200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(process.terminationStatus == 2)
        let text = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        #expect(text.contains("127.0.0.1:9"), "\(text)")
        #expect(!text.contains("s3cret") && !text.contains("operator"), "\(text)")
    }
}
