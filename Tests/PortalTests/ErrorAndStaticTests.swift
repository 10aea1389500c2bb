import Chain
import Foundation
import Hummingbird
import Testing

@testable import Portal

/// Every refusal is problem+json with a status and a detail that says what to fix; static
/// files come from the bundle's Public folder and never from outside it.
@Suite struct ErrorAndStaticTests {
    func expectProblem(_ answer: Answer, _ status: Int, mentioning words: String, _ uri: String) {
        #expect(answer.status == status, "\(uri)")
        #expect(answer.contentType == "application/problem+json", "\(uri)")
        let json = answer.json
        #expect(json["status"] == .int(Int64(status)), "\(uri)")
        #expect(json["type"] == "about:blank", "\(uri)")
        #expect(json["title"]?.stringValue?.isEmpty == false, "\(uri)")
        let detail = json["detail"]?.stringValue ?? ""
        #expect(detail.contains(words), "\(uri): \(detail)")
    }

    @Test func badRequestsAreProblems() async throws {
        let settings = try await journalOnly()
        let cases: [(String, Int, String)] = [
            ("/api/v1/sessions/no-such-session", 404, "GET /api/v1/sessions"),
            ("/api/v1/sessions/no-such-session/results", 404, "no session"),
            ("/api/v1/sessions/..%2F..%2Fetc/results", 404, "no session"),
            ("/api/v1/sessions?limit=0", 400, "1 to 500"),
            ("/api/v1/sessions?limit=501", 400, "1 to 500"),
            ("/api/v1/sessions?limit=ten", 400, "1 to 500"),
            ("/api/v1/sessions?cursor=bogus", 400, "`next`"),
            ("/api/v1/sessions?cursor=o-1", 400, "`next`"),
            ("/api/v1/sessions/fixture-dst/results?member=0x123", 400, "40 hex digits"),
            ("/api/v1/sessions/fixture-dst/exports/journal.jsonl", 404, "not an export"),
            ("/api/v1/sessions/fixture-dst/exports/..%2Fjournal.jsonl", 404, "not an export"),
            ("/api/v1/sessions/fixture-dst/exports/report-nothing.csv", 404, "no report-nothing.csv"),
            ("/api/v1/members", 503, "--rpc"),
            ("/api/v1/members/0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc", 503, "--rpc"),
            ("/api/v1/members/not-an-address", 400, "40 hex digits"),
            ("/api/v1/nothing-here", 404, "/openapi.yaml"),
            ("/no-such-file.html", 404, "no file"),
            ("/%2e%2e/Package.swift", 400, "`..`"),
            ("/js/%2e%2e/%2e%2e/%2e%2e/Package.swift", 400, "`..`"),
            ("/.hidden", 400, "hidden"),
        ]
        let answers = try await get(settings, "/")
        #expect(answers[0].status == 200)
        for (uri, status, words) in cases {
            expectProblem(try await get(settings, uri)[0], status, mentioning: words, uri)
        }
    }

    @Test func wrongMethodsAndAdminWithoutAdmin() async throws {
        let settings = try await journalOnly()
        let member = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc"
        let answers = try await ask(
            settings,
            [
                (.delete, "/api/v1/sessions", [:]),
                (.post, "/api/v1/admin/members/\(member)/approve", [:]),
                (.post, "/api/v1/admin/members/\(member)/approve", [.authorization: "Bearer anything"]),
                (.get, "/api/v1/admin/members/\(member)/approve", [:]),
                (.post, "/api/v1/admin/members/\(member)/promote", [:]),
            ])
        expectProblem(answers[0], 405, mentioning: "use GET", "DELETE /api/v1/sessions")
        #expect(answers[0].headers[.allow] == "GET, HEAD")
        expectProblem(answers[1], 401, mentioning: "Bearer", "admin disabled, no token")
        #expect(answers[1].headers[.wwwAuthenticate] == "Bearer")
        expectProblem(answers[2], 403, mentioning: "--admin-token-env", "admin disabled, with a token")
        expectProblem(answers[3], 405, mentioning: "use POST", "GET admin")
        expectProblem(answers[4], 404, mentioning: "approve, reject, suspend, reinstate", "unknown action")
    }

    @Test func staticFilesAndTheOpenAPIDocument() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cer-public-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("css"), withIntermediateDirectories: true)
        try Data("<!doctype html><p>hi".utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("p{}".utf8).write(to: folder.appendingPathComponent("css/site.css"))
        try Data("let a = 1".utf8).write(to: folder.appendingPathComponent("app.js"))
        try Data("secret".utf8).write(to: folder.deletingLastPathComponent().appendingPathComponent("outside.txt"))
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("link.txt"),
            withDestinationURL: folder.deletingLastPathComponent().appendingPathComponent("outside.txt"))
        var settings = try await journalOnly()
        settings.files = StaticFiles(root: folder)
        let answers = try await get(
            settings, "/", "/index.html", "/css/site.css", "/app.js", "/css/", "/link.txt", "/../outside.txt",
            "/openapi.yaml")
        #expect(answers[0].status == 200 && answers[0].text == "<!doctype html><p>hi")
        #expect(answers[0].contentType == "text/html; charset=utf-8")
        #expect(answers[1].bytes == answers[0].bytes)
        #expect(answers[2].contentType == "text/css; charset=utf-8" && answers[2].text == "p{}")
        #expect(answers[3].contentType == "text/javascript; charset=utf-8")
        expectProblem(answers[4], 404, mentioning: "no file", "a folder without index.html: no listing")
        expectProblem(answers[5], 404, mentioning: "no file", "a symlink out of the folder")
        #expect(answers[6].status == 400 || answers[6].status == 404)
        #expect(!answers[6].text.contains("secret"))

        let document = try Data(contentsOf: PortalFixture.packageRoot.appendingPathComponent("docs/openapi.yaml"))
        #expect(answers[7].status == 200)
        #expect(answers[7].contentType == "application/yaml")
        #expect(
            answers[7].bytes == Array(document),
            "Sources/Portal/OpenAPI/openapi.yaml must be a copy of docs/openapi.yaml")
    }

    @Test func theBundledPortalHasAnIndexPage() async throws {
        let answer = try await get(try await journalOnly(), "/")[0]
        #expect(answer.status == 200)
        #expect(answer.contentType == "text/html; charset=utf-8")
        #expect(answer.text.lowercased().contains("<html"))
    }
}
