import Chain
import Testing

@testable import Portal

/// Pagination parameters and the admin token comparison, without a server.
struct PageTests {
    @Test func limitAndCursorAreCheckedAndRoundTrip() throws {
        #expect(try Page(limit: nil, cursor: nil) == Page(limit: 50, offset: 0))
        #expect(try Page(limit: nil, cursor: "") == Page(limit: 50, offset: 0))
        #expect(try Page(limit: "3", cursor: "o7") == Page(limit: 3, offset: 7))
        #expect(try Page(limit: "500", cursor: nil).limit == 500)
        for bad in ["0", "501", "-1", "abc", "1.5", ""] {
            #expect(throws: PortalError.self) { try Page(limit: bad, cursor: nil) }
        }
        for bad in ["x", "o", "o-1", "o+1", "1", "oo1", "o1.0", "o١", "o12345678901", "!!"] {
            #expect(throws: PortalError.self) { try Page(limit: nil, cursor: bad) }
        }
        let items = (0..<5).map { JSONValue.int($0) }
        let first = Page(limit: 2).answer(items)
        #expect(first["items"] == [0, 1])
        let cursor = try #require(first["next"]?.stringValue)
        let second = try Page(limit: "2", cursor: cursor).answer(items)
        #expect(second["items"] == [2, 3])
        let third = try Page(limit: "2", cursor: second["next"]?.stringValue).answer(items)
        #expect(third["items"] == [4])
        #expect(third["next"] == .null)
    }

    @Test func tokenComparisonNeedsTheWholeToken() {
        let gate = AdminGate(token: "s3cret-token") { _, _ in .null }
        #expect(gate.authorizes("Bearer s3cret-token"))
        #expect(gate.authorizes("bearer s3cret-token"), "the scheme is case-insensitive (RFC 7235)")
        for bad in [
            nil, "", "Bearer ", "Bearer s3cret-toke", "Bearer s3cret-token2", "Bearer S3cret-token", "s3cret-token",
        ] {
            #expect(!gate.authorizes(bad))
        }
    }
}
