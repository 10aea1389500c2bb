import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One run of `/bin/sh -c COMMAND` in a process group of its own: `input` is written to its
/// stdin while stdout and stderr are read concurrently (so a large book cannot deadlock on a
/// full pipe); the exit is polled with a short sleep (never a busy wait); at `timeout` the
/// whole group is killed. Blocking: call it off the cooperative pool (see `runDetached`).
struct ChildProcess {
    struct Outcome {
        /// The exit status, or nil when killed by a signal.
        var exitStatus: Int32?
        var signal: Int32?
        var timedOut: Bool
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    let command: String
    let timeout: Duration

    /// Runs the command; throws only when it cannot be started.
    func run(input: [UInt8]) throws(ExternalPluginError) -> Outcome {
        #if os(Linux)
            return try runOnLinux(input: input)
        #else
            throw ExternalPluginError(plugin: "exec:\(command)", problem: "exec plugins need Linux")
        #endif
    }

    /// Runs `run(input:)` on a thread of its own and awaits it.
    func runDetached(input: [UInt8]) async throws(ExternalPluginError) -> Outcome {
        let result: Result<Outcome, ExternalPluginError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                do throws(ExternalPluginError) {
                    continuation.resume(returning: .success(try run(input: input)))
                } catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }

    #if os(Linux)
        private func runOnLinux(input: [UInt8]) throws(ExternalPluginError) -> Outcome {
            let name = "exec:\(command)"
            // stdin is a socket pair so that writing to a plugin that exits early returns EPIPE
            // (send with MSG_NOSIGNAL) instead of raising SIGPIPE in cer-run.
            var stdinPair: [Int32] = [-1, -1]
            var stdoutPipe: [Int32] = [-1, -1]
            var stderrPipe: [Int32] = [-1, -1]
            let streamType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            guard socketpair(AF_UNIX, streamType, 0, &stdinPair) == 0, pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0
            else {
                throw ExternalPluginError(plugin: name, problem: "cannot create pipes (errno \(errno))")
            }
            for fd in stdoutPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_adddup2(&actions, stdinPair[1], 0)
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            // Own process group (killed as one); no signal blocked or ignored by cer-run's threads
            // is inherited.
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(
                &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            posix_spawnattr_setpgroup(&attributes, 0)
            let words: [String] = ["/bin/sh", "-c", command]
            var arguments: [UnsafeMutablePointer<CChar>?] = words.map { word in word.withCString { strdup($0) } }
            arguments.append(nil)
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, environ)
            arguments.forEach { free($0) }
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
            for fd in [stdinPair[1], stdoutPipe[1], stderrPipe[1]] { close(fd) }
            guard spawned == 0 else {
                for fd in [stdinPair[0], stdoutPipe[0], stderrPipe[0]] { close(fd) }
                throw ExternalPluginError(plugin: name, problem: "cannot start /bin/sh (error \(spawned))")
            }
            let (stdinFD, stdoutFD, stderrFD) = (stdinPair[0], stdoutPipe[0], stderrPipe[0])
            let writer = Drain.start { Drain.write(input, to: stdinFD) }
            let out = Drain.start { Drain.readAll(stdoutFD) }
            let err = Drain.start { Drain.readAll(stderrFD) }

            let deadline = ContinuousClock.now + timeout
            var status: Int32 = 0
            var timedOut = false
            while true {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid || (waited == -1 && errno != EINTR) { break }
                if ContinuousClock.now >= deadline {
                    timedOut = true
                    kill(-pid, SIGKILL)
                    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                    break
                }
                usleep(2_000)
            }
            // Output still buffered is read to the end; a descendant left holding the pipes open
            // is killed with the group after a grace period.
            if !out.wait(seconds: 2) || !err.wait(seconds: 0.5) { kill(-pid, SIGKILL) }
            let stdout = out.finish()
            let stderr = err.finish()
            _ = writer.wait(seconds: 2)
            for fd in [stdinFD, stdoutFD, stderrFD] { close(fd) }
            let signal = status & 0x7f
            return Outcome(
                exitStatus: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
                timedOut: timedOut, stdout: stdout, stderr: stderr)
        }
    #endif
}

/// A blocking read or write on a thread of its own, its bytes collected under a lock.
final class Drain: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var bytes = [UInt8]()
    private var finished = false

    static func start(_ body: @escaping @Sendable () -> [UInt8]) -> Drain {
        let drain = Drain()
        Thread.detachNewThread {
            let result = body()
            drain.lock.withLock {
                drain.bytes = result
                drain.finished = true
            }
            drain.done.signal()
        }
        return drain
    }

    /// Waits until the body returned (true) or the time is up (false).
    func wait(seconds: Double) -> Bool {
        if lock.withLock({ finished }) { return true }
        guard done.wait(timeout: .now() + seconds) == .success else { return false }
        done.signal()
        return true
    }

    /// The collected bytes, waiting for the body to return.
    func finish() -> [UInt8] {
        done.wait()
        done.signal()
        return lock.withLock { bytes }
    }

    #if os(Linux)
        static func readAll(_ fd: Int32) -> [UInt8] {
            var result = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    result += buffer[0..<n]
                } else if n == 0 || errno != EINTR {
                    return result
                }
            }
        }

        static func write(_ input: [UInt8], to fd: Int32) -> [UInt8] {
            var offset = 0
            while offset < input.count {
                let n = input.withUnsafeBytes {
                    send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
                }
                if n > 0 {
                    offset += n
                } else if n == -1 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            shutdown(fd, Int32(SHUT_WR))
            return []
        }
    #endif
}
