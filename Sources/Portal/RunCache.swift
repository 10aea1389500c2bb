import Foundation
import PhaseRunner

/// Run folders already opened, kept while none of their files changed (names, sizes and
/// modification times of the folder's entries), so a request does not re-read and re-check a
/// journal that did not move.
final class RunCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries = [String: (fingerprint: [String], run: RunFolder)]()

    /// The run of `folder`, opened again only when a file of it changed.
    func run(_ folder: URL) throws(RunnerError) -> RunFolder {
        let fingerprint = Self.fingerprint(folder)
        if let hit = lock.withLock({ entries[folder.path] }), hit.fingerprint == fingerprint { return hit.run }
        let run = try RunFolder.open(folder)
        lock.withLock { entries[folder.path] = (fingerprint, run) }
        return run
    }

    static func fingerprint(_ folder: URL) -> [String] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        return names.map { name in
            let attributes = (try? fm.attributesOfItem(atPath: folder.appendingPathComponent(name).path)) ?? [:]
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name) \(size) \(time)"
        }
    }
}
