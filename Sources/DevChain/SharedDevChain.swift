import Chain
import Foundation

/// One dev chain shared by a whole test process, started on first use on a free port. Test
/// suites call `SharedDevChain.shared.chain()`; the process ends with the test runner (the dev
/// chain exits when its stdin closes).
public actor SharedDevChain {
    public static let shared = SharedDevChain()

    private var running: DevChainProcess?
    private var starting: Task<DevChainProcess, any Error>?

    /// The running chain, started if needed.
    public func chain() async throws -> DevChainProcess {
        if let running, running.isRunning { return running }
        if let starting { return try await starting.value }
        let task = Task { try await DevChainProcess.start() }
        starting = task
        defer { starting = nil }
        let chain = try await task.value
        running = chain
        return chain
    }
}
