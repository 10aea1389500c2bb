import Chain
import Foundation

/// The admin endpoints' guard: the bearer token (compared in constant time) and one admin
/// action at a time (the admin key has one nonce sequence and one journal).
public actor AdminGate {
    /// What an admin action does: the action's name, the member; the answer's JSON.
    public typealias Perform = @Sendable (_ action: String, _ member: Address) async throws -> JSONValue

    private let token: [UInt8]
    private let perform: Perform

    /// A gate for `token` (non-empty) running `perform`.
    public init(token: String, perform: @escaping Perform) {
        self.token = Array(token.utf8)
        self.perform = perform
    }

    /// Whether `header` (the `Authorization` value) is `Bearer <token>` (the scheme in any
    /// case, RFC 7235); the comparison takes the same time wherever the first difference is.
    public nonisolated func authorizes(_ header: String?) -> Bool {
        guard let credentials = Self.bearerCredentials(header) else { return false }
        return Self.constantTimeEqual(Array(credentials.utf8), token)
    }

    /// The credentials of a `Bearer` authorization (scheme case-insensitive, then one or more
    /// spaces); nil for another scheme or no credentials.
    public static func bearerCredentials(_ header: String?) -> String? {
        guard let header else { return nil }
        let text = header.trimmingCharacters(in: .whitespaces)
        let scheme = text.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else { return nil }
        let credentials = text.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        return credentials.isEmpty ? nil : credentials
    }

    /// Runs `action` on `member`, after every action asked before it has finished.
    public func apply(_ action: String, to member: Address) async throws -> JSONValue {
        // An actor re-enters at `await`: chain the calls so that they never overlap.
        let previous = tail
        let work = Task { [perform] in
            await previous.value
            return try await perform(action, member)
        }
        tail = Task { _ = try? await work.value }
        return try await work.value
    }

    private var tail: Task<Void, Never> = Task {}

    /// Compares every byte of the longer input; the time depends on the lengths only.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
