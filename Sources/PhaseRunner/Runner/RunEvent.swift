import Chain

/// What a run reports while it works. The CLI renders these for people (with `--verbose` and
/// `--quiet` levels and progress bars) or as JSON lines (`--json`).
public enum RunEvent: Sendable, Equatable {
    /// A phase starts.
    case phase(String)
    /// A line for the operator.
    case info(String)
    /// A line shown only with `--verbose`.
    case detail(String)
    /// Something the operator should look at; the run goes on.
    case warning(String)
    /// `done` of `total` steps of a phase with many transactions are finished.
    case progress(phase: String, done: Int, total: Int)

    /// The line a person reads (without level prefix for `info`).
    public var text: String {
        switch self {
        case .phase(let name): return "== \(name)"
        case .info(let line), .detail(let line): return line
        case .warning(let line): return "warning: \(line)"
        case .progress(let phase, let done, let total): return "\(phase): \(done)/\(total)"
        }
    }

    /// The machine-readable form: one JSON object per event.
    public var json: JSONValue {
        switch self {
        case .phase(let name): return ["event": "phase", "phase": .string(name)]
        case .info(let line): return ["event": "info", "message": .string(line)]
        case .detail(let line): return ["event": "detail", "message": .string(line)]
        case .warning(let line): return ["event": "warning", "message": .string(line)]
        case .progress(let phase, let done, let total):
            return [
                "event": "progress", "phase": .string(phase), "done": .int(Int64(done)), "total": .int(Int64(total)),
            ]
        }
    }
}
