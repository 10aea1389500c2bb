import Chain
import ClearingPlugins
import Foundation
import Testing

/// `exec:` and `http:` plugins, with the example plugins in examples/plugins.
@Suite struct ExternalPluginTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let examples = root.appendingPathComponent("examples/plugins").path

    /// The worked book of docs/clearing.md plus a second slot: A 300 @ 200, B 200 @ 150 against
    /// X 400 @ 100. The example plugin fills in merit order (A 300, B 100, X 400) at
    /// floor((150 + 100) / 2) = 125.
    let book = [
        order("a", .buy, 300, 200), order("b", .buy, 200, 150), order("x", .sell, 400, 100),
        order("y", .sell, 50, 900, slot: 1),
    ]

    func expectExampleResult(_ result: ClearingResult) {
        #expect(
            result.slots == [
                SlotClearing(slot: 0, price: 125, volumeWh: 400), SlotClearing(slot: 1, price: nil, volumeWh: 0),
            ])
        #expect(result.fills.map(\.quantityWh) == [300, 100, 400])
        #expect(result.fills.allSatisfy { $0.price == 125 })
    }

    func exec(_ command: String, timeout: Int64 = 30) throws -> ClearingPlugin {
        try ClearingPlugin.resolve("exec:\(command)", params: ["timeout_seconds": .int(timeout)])
    }

    /// The error text of clearing `book` with `plugin`, or nil if it succeeded.
    func failure(_ plugin: ClearingPlugin) async -> String? {
        do {
            _ = try await plugin.clear(orders: book, slots: 2, params: [:])
            return nil
        } catch { return "\(error)" }
    }

    @Test func pythonExecPluginClears() async throws {
        let plugin = try exec("python3 '\(Self.examples)/uniform_price.py'")
        expectExampleResult(try await plugin.clear(orders: book, slots: 2, params: [:]))
    }

    /// A book far larger than a pipe buffer both ways (stdin and stdout read concurrently).
    @Test func largeBookDoesNotDeadlock() async throws {
        let orders = (0..<4_000).map { i in order("o\(i)", i % 2 == 0 ? .buy : .sell, 10, 100 + UInt64(i % 7)) }
        let plugin = try exec("python3 '\(Self.examples)/uniform_price.py'")
        let result = try await plugin.clear(orders: orders, slots: 1, params: [:])
        // Both fill the largest tradable volume.
        let builtIn = UniformPriceClearing().clear(orders: orders, slots: 1)
        #expect(result.slots[0].volumeWh == builtIn.slots[0].volumeWh)
        #expect(result.fills.count > 500)
    }

    @Test func timeoutKillsTheCommand() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let message = await failure(try exec("echo $$ > '\(pidFile.path)'; exec sleep 600", timeout: 1))
        #expect(message?.contains("timed out after 1") == true, "\(message ?? "succeeded")")
        // Killed, not waited for: the command's process no longer exists.
        let pid = try #require(
            Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
    }

    @Test func nonZeroExitCarriesStderr() async throws {
        let message = await failure(try exec("cat > /dev/null; echo 'no market today' >&2; exit 3"))
        #expect(message?.contains("exited with status 3") == true, "\(message ?? "succeeded")")
        #expect(message?.contains("no market today") == true)
    }

    @Test func garbageOutputIsNotJSON() async throws {
        let message = await failure(try exec("cat > /dev/null; echo garbage"))
        #expect(message?.contains("output is not JSON") == true, "\(message ?? "succeeded")")
    }

    @Test func malformedOutputNamesTheJSONPath() async throws {
        let output =
            #"{"protocol":"cer-clearing/1","slots":[{"slot":0,"price":null,"volumeWh":"0"},"#
            + #"{"slot":1,"price":null,"volumeWh":"0"}],"fills":[{"orderId":"a","quantityWh":"-5","price":"1"}]}"#
        let message = await failure(try exec("cat > /dev/null; echo '\(output)'"))
        #expect(message?.contains("fills[0].quantityWh") == true, "\(message ?? "succeeded")")
    }

    /// Well-formed output that sells X above what A may pay is rejected by the verifier, naming
    /// the order and the rule.
    @Test func verifierRejectsAnExternalResult() async throws {
        let output =
            #"{"protocol":"cer-clearing/1","slots":[{"slot":0,"price":"250","volumeWh":"300"},"#
            + #"{"slot":1,"price":null,"volumeWh":"0"}],"fills":[{"orderId":"a","quantityWh":"300","price":"250"},"#
            + #"{"orderId":"x","quantityWh":"300","price":"250"}]}"#
        let message = await failure(try exec("cat > /dev/null; echo '\(output)'"))
        #expect(message?.contains("order a") == true, "\(message ?? "succeeded")")
        #expect(message?.contains("above its limit 200") == true, "\(message ?? "succeeded")")
    }

    @Test func pythonHTTPPluginClears() async throws {
        let server = try ExampleServer()
        defer { server.stop() }
        let plugin = try ClearingPlugin.resolve("http:http://127.0.0.1:\(server.port)/clear", params: [:])
        expectExampleResult(try await plugin.clear(orders: book, slots: 2, params: [:]))
        let missing = try ClearingPlugin.resolve("http:http://127.0.0.1:\(server.port)/nowhere", params: [:])
        let message = await failure(missing)
        #expect(message?.contains("HTTP status 404") == true, "\(message ?? "succeeded")")
    }

    @Test func unreachableHTTPPluginFails() async throws {
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let plugin = try ClearingPlugin.resolve("http:http://127.0.0.1:9/clear", params: ["timeout_seconds": 5])
        let message = await failure(plugin)
        #expect(message?.contains("request failed") == true, "\(message ?? "succeeded")")
    }

    /// A loopback socket that accepts connections (the kernel's backlog) but never answers.
    @Test func silentHTTPPluginTimesOut() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let plugin = try ClearingPlugin.resolve("http:http://127.0.0.1:\(port)/clear", params: ["timeout_seconds": 1])
        let message = await failure(plugin)
        #expect(message?.contains("request failed") == true, "\(message ?? "succeeded")")
    }

    @Test func namesAreCheckedBeforeAnythingRuns() {
        #expect(ClearingPlugin.nameProblem("sdr") == nil)
        #expect(ClearingPlugin.nameProblem("exec:python3 x.py") == nil)
        #expect(ClearingPlugin.nameProblem("http:https://clearing.example/clear") == nil)
        #expect(ClearingPlugin.nameProblem("http://127.0.0.1:8080/clear") == nil)
        #expect(ClearingPlugin.nameProblem("vickrey")?.contains("not built in") == true)
        #expect(ClearingPlugin.nameProblem("exec:  ") != nil)
        #expect(ClearingPlugin.nameProblem("http:ftp://host/x") != nil)
        do {
            _ = try ClearingPlugin.resolve("exec:true", params: ["timeout_seconds": 0])
            Issue.record("timeout 0 accepted")
        } catch { #expect(error.path == "params.timeout_seconds") }
    }
}

/// examples/plugins/http_server.py on a free loopback port, for one test.
final class ExampleServer: Sendable {
    let process: Process
    let port: Int

    init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(ExternalPluginTests.examples)/http_server.py", "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "listening on PORT\n" once the socket is bound.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = Int(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        else {
            process.terminate()
            throw ServerDidNotStart(output: text)
        }
        self.process = process
        self.port = port
    }

    /// SIGKILL (the test runner's blocked signals are inherited, SIGTERM may not arrive), then
    /// polls /proc until the server has exited (Process.waitUntilExit busy-spins on Linux).
    func stop() {
        let pid = process.processIdentifier
        kill(pid, SIGKILL)
        for _ in 0..<500 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let state = stat.split(separator: ")").last?.split(separator: " ").first, state != "Z"
            else { return }
            usleep(10_000)
        }
    }
}

struct ServerDidNotStart: Error {
    let output: String
}
