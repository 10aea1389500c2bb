import Synchronization

extension Phases {
    /// How many members' own transactions the runner has in flight at once (each member's
    /// nonces are its own; the operator's are never sent concurrently).
    static let memberConcurrency = 8

    /// `body` for every item, at most `limit` at a time; results in the items' order. The first
    /// error cancels the rest and is thrown.
    static func concurrently<Item: Sendable, Result: Sendable>(
        _ items: [Item], limit: Int = memberConcurrency, _ body: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: items.count)
            var next = 0
            while next < min(limit, items.count) {
                let index = next
                group.addTask { (index, try await body(items[index])) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await body(items[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}

/// Counts finished items of a concurrent phase and reports progress.
final class ProgressCounter: Sendable {
    private let done = Mutex(0)
    private let context: RunContext
    private let phase: String
    private let total: Int

    init(_ context: RunContext, phase: String, total: Int) {
        self.context = context
        self.phase = phase
        self.total = total
    }

    func step() {
        let count = done.withLock {
            $0 += 1
            return $0
        }
        context.emit(.progress(phase: phase, done: count, total: total))
    }
}
