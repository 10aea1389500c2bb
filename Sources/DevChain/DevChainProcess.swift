import Chain
import Foundation
import Synchronization

/// Errors starting or talking to the local dev chain.
public struct DevChainError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Options for a dev chain process.
public struct DevChainOptions: Sendable {
    /// 0 picks a free port.
    public var port: Int = 0
    public var accounts: Int = 10
    public var chainID: UInt64 = 1337
    /// Folder that keeps the chain across restarts.
    public var stateDirectory: URL?
    /// Timestamp of block 0 of a new chain; the chain clock runs on from it (nil: now).
    public var genesisTime: Int64?
    /// Where the `devchain/` package lives; found from the working directory when nil.
    public var devchainDirectory: URL?
    /// Longest wait for the server to start answering.
    public var startupTimeout: Duration = .seconds(180)

    public init() {}
}

/// A running `devchain/` server (eth-tester + py-evm), started as a child process and stopped
/// with SIGTERM, which makes it save its state when it has a state folder.
public final class DevChainProcess: Sendable {
    /// The JSON-RPC endpoint.
    public let url: URL
    public let chainID: UInt64
    private let process: Process
    private let stdin: FileHandle
    /// The server's stderr, for diagnostics.
    public let logFile: URL

    private init(url: URL, chainID: UInt64, process: Process, stdin: FileHandle, logFile: URL) {
        self.stdin = stdin
        self.url = url
        self.chainID = chainID
        self.process = process
        self.logFile = logFile
    }

    /// Finds the `devchain/` folder: `$CER_DEVCHAIN_DIR`, or `devchain/` in the working directory or
    /// one of its parents, or next to the executable's package.
    public static func locateDevchain() throws(DevChainError) -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["CER_DEVCHAIN_DIR"] {
            return URL(fileURLWithPath: env)
        }
        var candidates = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        candidates.append(
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in candidates {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("devchain")
                if fm.fileExists(atPath: candidate.appendingPathComponent("cer_devchain/__main__.py").path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        throw DevChainError("cannot find the devchain/ folder; run from the cer-run checkout or set CER_DEVCHAIN_DIR")
    }

    /// The Python interpreter of the dev chain's venv (`$CER_DEVCHAIN_PYTHON` overrides it).
    public static func python(devchain: URL) throws(DevChainError) -> URL {
        if let env = ProcessInfo.processInfo.environment["CER_DEVCHAIN_PYTHON"] { return URL(fileURLWithPath: env) }
        let python = devchain.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw DevChainError(
                "the dev chain's Python venv is missing at \(python.path); run `make devchain-venv` (or `make test`) first"
            )
        }
        return python
    }

    /// Starts a dev chain and waits until it answers `eth_chainId`.
    public static func start(_ options: DevChainOptions = DevChainOptions()) async throws -> DevChainProcess {
        let devchain = try options.devchainDirectory ?? locateDevchain()
        let python = try python(devchain: devchain)
        let process = Process()
        process.executableURL = python
        var arguments = [
            "-u", "-m", "cer_devchain", "--host", "127.0.0.1", "--port", String(options.port),
            "--accounts", String(options.accounts), "--chain-id", String(options.chainID), "--exit-on-stdin-eof",
        ]
        if let state = options.stateDirectory { arguments += ["--state", state.path] }
        if let genesis = options.genesisTime { arguments += ["--genesis-time", String(genesis)] }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = devchain.path + (environment["PYTHONPATH"].map { ":" + $0 } ?? "")
        process.environment = environment
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cer-devchain-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logFile)
        let stdout = Pipe()
        process.standardOutput = stdout
        // The chain exits when this pipe closes, i.e. when we stop it or when this process dies.
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()

        let reader = LineReader(handle: stdout.fileHandleForReading)
        let line = await reader.firstLine(containing: "devchain listening on", timeout: options.startupTimeout)
        guard let line, let range = line.range(of: "http://"), process.isRunning else {
            if process.isRunning { process.terminate() }
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw DevChainError("the dev chain did not start: \(log.suffix(2_000))")
        }
        let urlText = line[range.lowerBound...].split(separator: " ").first.map(String.init) ?? ""
        guard let url = URL(string: urlText) else {
            throw DevChainError("cannot parse the dev chain's address from \"\(line)\"")
        }
        let chain = DevChainProcess(
            url: url, chainID: options.chainID, process: process, stdin: stdin.fileHandleForWriting, logFile: logFile)
        let client = chain.client(retry: .none)
        let clock = ContinuousClock()
        let deadline = clock.now + options.startupTimeout
        while true {
            if let id = try? await client.chainID() {
                guard id == options.chainID else {
                    throw DevChainError("dev chain answers chain id \(id), expected \(options.chainID)")
                }
                return chain
            }
            guard clock.now < deadline else { throw DevChainError("the dev chain at \(url) does not answer") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A client for this chain.
    public func client(retry: RetryPolicy = RetryPolicy()) -> EthClient {
        EthClient(url: url, timeout: 30, retry: retry)
    }

    /// The prefunded dev accounts' keys (dev chain only: `devchain_accounts`).
    public func accountKeys() async throws -> [PrivateKey] {
        let result = try await client().rpc.callNonNull("devchain_accounts")
        guard let items = result.arrayValue else { throw DevChainError("devchain_accounts: expected an array") }
        return try items.map { item in
            guard let hex = item["privateKey"]?.stringValue else {
                throw DevChainError("devchain_accounts: missing privateKey")
            }
            return try PrivateKey(hex: hex)
        }
    }

    /// True while the process runs.
    public var isRunning: Bool { process.isRunning }

    /// Sends SIGTERM and waits for the process to exit (it saves its state first); after
    /// `timeout` it is killed.
    public func stop(timeout: Duration = .seconds(20)) {
        try? stdin.close()
        if process.isRunning { process.terminate() }
        if !waitForExit(timeout: timeout) {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }

    /// Kills the process at once (SIGKILL), as a crash would: no state is saved beyond what the
    /// dev chain already journaled.
    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = waitForExit(timeout: .seconds(5))
    }

    /// Polls until the process has exited (Foundation's `waitUntilExit` spins a run loop at full
    /// CPU on Linux). Returns false on timeout.
    public func waitForExit(timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    deinit {
        try? stdin.close()
        if process.isRunning { process.terminate() }
    }
}

/// Reads lines from a child's stdout on a background thread, and keeps draining it afterwards so
/// the child never blocks on a full pipe.
final class LineReader: Sendable {
    private let handle: FileHandle
    private let state = Mutex<(lines: [String], done: Bool)>(([], false))

    init(handle: FileHandle) {
        self.handle = handle
        let thread = Thread { [self] in self.run() }
        thread.start()
    }

    private func run() {
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0a) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                state.withLock { $0.lines.append(line) }
            }
        }
        state.withLock { $0.done = true }
    }

    func firstLine(containing needle: String, timeout: Duration) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let (found, done) = state.withLock { s in (s.lines.first { $0.contains(needle) }, s.done) }
            if let found { return found }
            if done { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
