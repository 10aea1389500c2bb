import Chain
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where one run's time and gas go, phase by phase (`cer-run run --stats FILE`): wall time, the
/// runner's CPU time, the time spent waiting for JSON-RPC answers, the transactions mined and
/// their gas, and — on the dev chain — the time the node itself spent handling requests.
public final class RunStatistics: Sendable {
    /// One phase's figures.
    public struct Phase: Sendable, Equatable {
        public var name: String
        public var wallNanoseconds: Int64 = 0
        public var cpuMicroseconds: Int64 = 0
        public var rpc = RPCStatistics.Reading()
        public var transactions = 0
        public var gasUsed: UInt64 = 0
        /// Seconds the dev chain spent handling requests (nil on other nodes).
        public var nodeSeconds: Double?
        /// The dev chain's handling time by JSON-RPC method (empty on other nodes); a method's
        /// time includes the mining it caused (`eth_sendRawTransaction` mines on arrival).
        public var nodeMethods: [String: NodeMethod] = [:]
        /// Seconds of the dev chain's `nodeSeconds` spent building blocks (nil on other nodes).
        public var nodeMiningSeconds: Double?
    }

    /// Requests of one JSON-RPC method the dev chain handled, and the seconds they took.
    public struct NodeMethod: Sendable, Equatable {
        public var calls: Int
        public var seconds: Double

        public init(calls: Int, seconds: Double) {
            self.calls = calls
            self.seconds = seconds
        }
    }

    /// One `devchain_stats` answer: the totals this file reads from it.
    struct NodeReading: Sendable {
        var seconds: Double
        var miningSeconds: Double?
        var methods: [String: NodeMethod]

        init?(_ answer: JSONValue) {
            guard let seconds = RunStatistics.number(answer["totals"]?["seconds"]) else { return nil }
            self.seconds = seconds
            miningSeconds = RunStatistics.number(answer["miningSeconds"])
            var methods = [String: NodeMethod]()
            if case .object(let entries)? = answer["methods"] {
                for (name, entry) in entries {
                    guard let calls = RunStatistics.number(entry["calls"]),
                        let seconds = RunStatistics.number(entry["seconds"])
                    else { continue }
                    methods[name] = NodeMethod(calls: Int(calls), seconds: seconds)
                }
            }
            self.methods = methods
        }

        /// What happened between `earlier` and this reading, methods without calls left out.
        func since(_ earlier: NodeReading) -> [String: NodeMethod] {
            var delta = [String: NodeMethod]()
            for (name, now) in methods {
                let before = earlier.methods[name] ?? NodeMethod(calls: 0, seconds: 0)
                if now.calls > before.calls {
                    delta[name] = NodeMethod(calls: now.calls - before.calls, seconds: now.seconds - before.seconds)
                }
            }
            return delta
        }
    }

    private struct Mark {
        var name: String
        var wall: ContinuousClock.Instant
        var cpu: Int64
        var rpc: RPCStatistics.Reading
        var mined: Int
        var node: NodeReading?
    }

    private struct State {
        var phases: [Phase] = []
        var open: Mark?
        var journal: Journal?
        var node: EthClient?
        var members = 0
        var started = ContinuousClock.now
        var startCPU: Int64 = 0
    }

    private let state = Mutex(State())

    public init() {
        let cpu = Self.cpuMicroseconds()
        state.withLock {
            $0.started = .now
            $0.startCPU = cpu
        }
    }

    /// The run's journal (for mined transactions and gas), the dev chain's client (for its own
    /// timing) and the number of participants.
    func attach(journal: Journal, devChain: EthClient?, members: Int) {
        state.withLock {
            $0.journal = journal
            $0.node = devChain
            $0.members = members
        }
    }

    /// Closes the phase in progress (if any) and opens `name`.
    func enter(_ name: String?) async {
        let node = state.withLock { $0.node }
        var reading: NodeReading?
        if let node, let answer = try? await node.rpc.call("devchain_stats") {
            reading = NodeReading(answer)
        }
        let wall = ContinuousClock.now
        let cpu = Self.cpuMicroseconds()
        let rpc = RPCStatistics.current
        state.withLock { s in
            let mined = s.journal?.records(ofType: JournaledSender.RecordType.mined) ?? []
            if let open = s.open {
                var phase = Phase(name: open.name)
                phase.wallNanoseconds = Self.nanoseconds(wall - open.wall)
                phase.cpuMicroseconds = cpu - open.cpu
                phase.rpc = rpc - open.rpc
                for record in mined.dropFirst(open.mined) {
                    phase.transactions += 1
                    if case .int(let gas)? = record.data["gasUsed"] { phase.gasUsed += UInt64(max(0, gas)) }
                }
                if let before = open.node, let after = reading {
                    phase.nodeSeconds = after.seconds - before.seconds
                    phase.nodeMethods = after.since(before)
                    if let end = after.miningSeconds, let start = before.miningSeconds {
                        phase.nodeMiningSeconds = end - start
                    }
                }
                s.phases.append(phase)
            }
            s.open = name.map { Mark(name: $0, wall: wall, cpu: cpu, rpc: rpc, mined: mined.count, node: reading) }
            // The last phase is closed before the dev chain stops: it is not asked again.
            if name == nil { s.node = nil }
        }
    }

    /// The figures so far as JSON (`--stats`): per phase and in total, with the peak resident
    /// memory of the runner.
    public func json() async -> JSONValue {
        await enter(nil)
        let cpu = Self.cpuMicroseconds()
        return state.withLock { s in
            func seconds(_ nanoseconds: Int64) -> JSONValue {
                .string(String(format: "%.3f", Double(nanoseconds) / 1e9))
            }
            var phases = [JSONValue]()
            var totalGas: UInt64 = 0
            var totalTransactions = 0
            for phase in s.phases {
                totalGas += phase.gasUsed
                totalTransactions += phase.transactions
                var entry: [String: JSONValue] = [
                    "phase": .string(phase.name), "wallSeconds": seconds(phase.wallNanoseconds),
                    "cpuSeconds": seconds(phase.cpuMicroseconds * 1_000), "rpcSeconds": seconds(phase.rpc.nanoseconds),
                    "rpcCalls": .int(Int64(phase.rpc.requests)), "transactions": .int(Int64(phase.transactions)),
                    "gasUsed": .string(String(phase.gasUsed)),
                    "gasPerMember": .string(s.members > 0 ? String(phase.gasUsed / UInt64(s.members)) : "0"),
                ]
                if let node = phase.nodeSeconds { entry["nodeSeconds"] = .string(String(format: "%.3f", node)) }
                if let mining = phase.nodeMiningSeconds {
                    entry["nodeMiningSeconds"] = .string(String(format: "%.3f", mining))
                }
                if !phase.nodeMethods.isEmpty {
                    entry["nodeMethods"] = .object(
                        phase.nodeMethods.mapValues {
                            ["calls": .int(Int64($0.calls)), "seconds": .string(String(format: "%.3f", $0.seconds))]
                        })
                }
                phases.append(.object(entry))
            }
            return [
                "members": .int(Int64(s.members)),
                "wallSeconds": seconds(Self.nanoseconds(ContinuousClock.now - s.started)),
                "cpuSeconds": seconds((cpu - s.startCPU) * 1_000),
                "peakRSSBytes": .int(Self.peakRSSBytes()),
                "transactions": .int(Int64(totalTransactions)),
                "gasUsed": .string(String(totalGas)),
                "phases": .array(phases),
            ]
        }
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let n)?: return Double(n)
        case .double(let d)?: return d
        case .string(let text)?: return Double(text)
        default: return nil
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// User plus system CPU time of this process, in microseconds.
    static func cpuMicroseconds() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Int64(usage.ru_utime.tv_sec) * 1_000_000 + Int64(usage.ru_utime.tv_usec)
        let system = Int64(usage.ru_stime.tv_sec) * 1_000_000 + Int64(usage.ru_stime.tv_usec)
        return user + system
    }

    /// The largest resident set this process has had.
    static func peakRSSBytes() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1_024
    }
}
