/// Why a run stopped without finishing its work.
public enum RunnerError: Error, CustomStringConvertible {
    /// Bad input (manifest, keys, files): exit code 2, nothing sent for the failing step.
    case input(String)
    /// The journal belongs to another chain, manifest or contracts.
    case mismatch(String)
    /// Something on chain is not as this run needs it.
    case chain(String)

    public var description: String {
        switch self {
        case .input(let m): return m
        case .mismatch(let m): return "this run's journal does not match: \(m)"
        case .chain(let m): return m
        }
    }
}

/// How far a run got.
public enum RunStatus: Sendable, Equatable {
    /// Every phase this version of cer-run implements is done.
    case done(lastPhase: String)
    /// A deadline lies ahead in chain time (exit code 75, which cron treats as success).
    case waiting(phase: String, untilChainTime: UInt64)
    /// The delivery is over but its meter data is not there yet (exit code 75 as well).
    case waitingForData(String)
}

/// Where a plan stops: the next step needs an outcome only sending would give.
struct PlanBoundary: Error {
    var reason: String
}

/// What `cer-run plan` shows.
public struct Plan: Sendable {
    /// The transactions `run` would send now, in order.
    public var transactions: [JournaledSender.PlannedTransaction]
    /// Why planning stopped before the end (nil: it reached the end).
    public var stop: String?
    /// How far a run would get when planning reached the end.
    public var status: RunStatus?
}
