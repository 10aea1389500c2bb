import Foundation
import PhaseRunner

/// The run folders under a runs root (`runs/<session-id>/journal.jsonl`), read only. A folder
/// is found by its name among the root's entries, so a session id never reaches the file system
/// as a path.
public struct RunCatalog: Sendable {
    /// The runs root.
    public let root: URL
    private let cache = RunCache()

    /// A catalog of `root`.
    public init(root: URL) { self.root = root }

    /// Names of the root's subfolders that hold a journal, sorted.
    public func names() -> [String] {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        return entries.filter { name in
            !name.hasPrefix(".")
                && fm.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("journal.jsonl").path)
        }.sorted()
    }

    /// Every run that opens (a folder whose journal or snapshot is broken is left out), newest
    /// delivery day first, then by session id.
    public func runs() -> [RunFolder] {
        names().compactMap { try? cache.run(root.appendingPathComponent($0)) }.sorted { a, b in
            let (da, db) = (a.manifest.session.deliveryDay.description, b.manifest.session.deliveryDay.description)
            return da != db ? da > db : a.manifest.session.id < b.manifest.session.id
        }
    }

    /// The run of session `id` (its folder name).
    public func run(_ id: String) throws(PortalError) -> RunFolder {
        guard names().contains(id) else {
            throw .notFound("no session \(id) under \(root.path): list them with GET /api/v1/sessions")
        }
        do { return try cache.run(root.appendingPathComponent(id)) } catch {
            throw .notFound("session \(id): its run folder cannot be read (\(error.description))")
        }
    }
}
