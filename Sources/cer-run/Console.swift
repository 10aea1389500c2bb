import Chain
import Foundation
import PhaseRunner
import Synchronization

/// Renders run events: for people (levels, progress bars on a terminal) or as JSON lines.
final class Console: Sendable {
    enum Mode: Sendable { case quiet, normal, verbose, json }

    let mode: Mode
    let progressBars: Bool
    /// Whether a progress bar is on the current terminal line.
    private let barShown = Mutex(false)

    init(mode: Mode, progressBars: Bool) {
        self.mode = mode
        self.progressBars = progressBars
    }

    /// The sink handed to the runner.
    var events: @Sendable (RunEvent) -> Void { { [self] in self.show($0) } }

    func show(_ event: RunEvent) {
        switch mode {
        case .json:
            write(event.json.jsonText)
        case .quiet:
            if case .warning = event { line(event.text, error: true) }
        case .normal, .verbose:
            switch event {
            case .detail where mode != .verbose: return
            case .progress(let phase, let done, let total):
                guard progressBars else {
                    if mode == .verbose { line(event.text) }
                    return
                }
                bar(phase: phase, done: done, total: total)
            case .warning: line(event.text, error: true)
            default: line(event.text)
            }
        }
    }

    /// A final result: a line for people, an object for `--json` (always shown, even `--quiet`).
    func result(_ text: String, _ json: JSONValue) {
        if mode == .json { write(json.jsonText) } else { line(text) }
    }

    /// Plain lines (reports, tables); in JSON mode they are wrapped as `{"event":"line"}`.
    func lines(_ lines: [String]) {
        for text in lines {
            if mode == .json {
                write(JSONValue.object(["event": "line", "message": .string(text)]).jsonText)
            } else {
                line(text)
            }
        }
    }

    private func line(_ text: String, error: Bool = false) {
        clearBar()
        if error {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        } else {
            write(text)
        }
    }

    private func bar(phase: String, done: Int, total: Int) {
        let width = 30
        let filled = total == 0 ? width : min(width, done * width / total)
        let text =
            "\r\(phase) [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            + "] \(done)/\(total)"
        FileHandle.standardOutput.write(Data(text.utf8))
        if done >= total {
            FileHandle.standardOutput.write(Data("\n".utf8))
            barShown.withLock { $0 = false }
        } else {
            barShown.withLock { $0 = true }
        }
    }

    private func clearBar() {
        let shown = barShown.withLock { value in
            defer { value = false }
            return value
        }
        if shown { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
