import Synchronization

/// Process-wide counters of JSON-RPC traffic: how many requests went to nodes and how long the
/// process waited for their answers (wall clock, transport included). `cer-run run --stats`
/// reads them at phase boundaries to split a phase's time between waiting for the chain and
/// working.
public enum RPCStatistics {
    /// A reading of the counters; subtract two readings for what happened between them.
    public struct Reading: Sendable, Equatable {
        public var requests: Int = 0
        public var nanoseconds: Int64 = 0

        public init(requests: Int = 0, nanoseconds: Int64 = 0) {
            self.requests = requests
            self.nanoseconds = nanoseconds
        }

        /// Seconds spent waiting, as a decimal string with millisecond precision (for reports).
        public var seconds: Double { Double(nanoseconds) / 1e9 }

        public static func - (a: Reading, b: Reading) -> Reading {
            Reading(requests: a.requests - b.requests, nanoseconds: a.nanoseconds - b.nanoseconds)
        }
    }

    private static let counters = Mutex(Reading())

    /// The counters now.
    public static var current: Reading { counters.withLock { $0 } }

    /// Adds one request that took `duration`.
    static func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        counters.withLock {
            $0.requests += 1
            $0.nanoseconds += nanoseconds
        }
    }
}
