import Foundation
import Synchronization

/// Test hook for crash safety: `CER_RUN_CRASH_AFTER=<seq>` ends the process abruptly right after
/// the journal record with that sequence number is fsynced, and
/// `CER_RUN_CRASH_AFTER_BROADCAST=<n>` right after the n-th broadcast (before its outcome is
/// journaled). `CER_RUN_TEST_STARVE_CHUNKS=1` gives every chunk sized by extrapolation a gas
/// limit just above its calldata cost, so it is mined reverted (out of gas) and the run takes
/// the reverted-chunk path (docs/journal.md, "Chunked steps").
/// `CER_RUN_TEST_WITHHOLD_REVEALS=<id>,<id>` makes the run commit for those participants and
/// never reveal for them (as a replay does for members who did not reveal), so the forfeit
/// step has work. Nothing else reads these variables.
enum CrashHook {
    static let withheldReveals = Set(
        (ProcessInfo.processInfo.environment["CER_RUN_TEST_WITHHOLD_REVEALS"] ?? "").split(separator: ",").map(
            String.init))
    static let starveExtrapolatedChunks = ProcessInfo.processInfo.environment["CER_RUN_TEST_STARVE_CHUNKS"] == "1"
    static let afterRecord: Int? = ProcessInfo.processInfo.environment["CER_RUN_CRASH_AFTER"].flatMap(Int.init)
    static let afterBroadcast: Int? = ProcessInfo.processInfo.environment["CER_RUN_CRASH_AFTER_BROADCAST"].flatMap(
        Int.init)
    static let broadcasts = Atomic<Int>(0)

    static func recordAppended(_ sequence: Int) {
        if let afterRecord, afterRecord == sequence { crash("after journal record \(sequence)") }
    }

    static func broadcastDone() {
        let count = broadcasts.add(1, ordering: .relaxed).newValue
        if let afterBroadcast, afterBroadcast == count { crash("after broadcast \(count)") }
    }

    private static func crash(_ what: String) -> Never {
        FileHandle.standardError.write(Data("cer-run: simulated crash \(what) (CER_RUN_CRASH_AFTER*)\n".utf8))
        _exit(86)
    }
}
