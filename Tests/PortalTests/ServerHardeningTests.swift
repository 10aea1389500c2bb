import Chain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Market
import PhaseRunner
import Testing

@testable import Portal

/// Results that do not read are 500s naming the file and field (never zeros, never a trap);
/// node failures and 500s tell clients no URL; one failing node read leaves the session list
/// to the journal; security headers; HEAD; the bearer scheme in any case.
@Suite struct ServerHardeningTests {
    let fixture = PortalFixture.shared

    /// A copy of the fixture's run (its files, not its dev chain) with `edit` applied to the
    /// text of file `name`; settings reading it without a node.
    func tampered(_ name: String, _ edit: (String) -> String) async throws -> PortalServer.Settings {
        let source = try await fixture.folder()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cer-tampered-\(UUID().uuidString)")
        let folder = root.appendingPathComponent(PortalFixture.sessionID)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            var isDirectory: ObjCBool = false
            let url = source.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            try FileManager.default.copyItem(at: url, to: folder.appendingPathComponent(file))
        }
        let target = folder.appendingPathComponent(name)
        let text = try String(contentsOf: target, encoding: .utf8)
        let edited = edit(text)
        #expect(edited != text, "the edit of \(name) changed nothing")
        try Data(edited.utf8).write(to: target)
        return PortalServer.Settings(port: 0, data: PortalData(catalog: RunCatalog(root: root), chain: nil))
    }

    /// `text` with the first match of `pattern` replaced by `replacement`.
    func replacingFirst(_ pattern: String, in text: String, with replacement: String) -> String {
        guard let range = text.range(of: pattern, options: .regularExpression) else { return text }
        return text.replacingCharacters(in: range, with: replacement)
    }

    static let results = "/api/v1/sessions/fixture-dst/results"

    @Test func whAbove2To53AreAnsweredExactlyAsStrings() async throws {
        let max = String(UInt64.max)
        let clearing = try await tampered("clearing.json") {
            replacingFirst(#""quantityWh" *: *[0-9]+"#, in: $0, with: "\"quantityWh\":\"\(max)\"")
        }
        let fill = try #require(try await get(clearing, Self.results)[0].json["fills"]?.arrayValue?.first)
        #expect(fill["quantityWh"] == .string(max))

        let report = try await tampered("report-data.json") {
            replacingFirst(#""soldWh" *: *[0-9]+"#, in: $0, with: "\"soldWh\": \(max)")
        }
        let answer = try await get(report, Self.results)[0]
        #expect(answer.status == 200)
        let sold = answer.json["members"]?.arrayValue?.compactMap { $0["soldWh"]?.stringValue } ?? []
        #expect(sold.contains(max), "\(sold)")
    }

    @Test func resultsThatDoNotReadAreProblemsNamingTheFileAndField() async throws {
        let cases: [(String, String, String, String)] = [
            (
                "clearing.json", #""quantityWh" *: *[0-9]+"#, "\"quantityWh\":\"12x\"",
                "clearing.json fills[0].quantityWh"
            ),
            ("clearing.json", #""quantityWh" *: *[0-9]+"#, "\"quantityWh\":-5", "clearing.json fills[0].quantityWh"),
            ("clearing.json", #""orderID" *: *"[^"]*""#, "\"orderID\":\"0xnobody/9\"", "not an order of book.json"),
            ("validation.json", #""delivered" *: *\[ *"[0-9]+""#, "\"delivered\":[\"4.5\"", "delivered[0]"),
            ("validation.json", #""orderIndex" *: *[0-9]+"#, "\"orderIndex\":77", "orderIndex"),
        ]
        for (file, pattern, replacement, words) in cases {
            let settings = try await tampered(file) { replacingFirst(pattern, in: $0, with: replacement) }
            let answer = try await get(settings, Self.results)[0]
            #expect(answer.status == 500, "\(file) \(replacement)")
            #expect(answer.contentType == "application/problem+json")
            let detail = answer.json["detail"]?.stringValue ?? ""
            #expect(detail.contains(words), "\(detail)")
            #expect(detail.contains("see the server log"), "\(detail)")
        }
    }

    @Test func aFailingNodeLeavesTheListToTheJournalAndNamesNoURL() async throws {
        let root = try await fixture.runsRoot()
        let catalog = RunCatalog(root: root)
        let facts = RunFacts(try catalog.run(PortalFixture.sessionID))
        // The run's own chain id, genesis and marketplace, behind a node that does not answer,
        // at a URL with credentials in it.
        let rpc = try #require(URL(string: "http://operator:s3cret@127.0.0.1:9/v3/KEY-IN-PATH?apikey=QUERYKEY"))
        let client = EthClient(url: rpc, timeout: 2, retry: RetryPolicy(maxAttempts: 1))
        let abi = try ArtifactStore.locate().artifact("Marketplace").abi
        let marketplace = try #require(facts.marketplace)
        let chain = ChainAccess(
            rpc: rpc, chainID: facts.run.chainID, genesis: try #require(facts.genesis), client: client,
            marketplace: MarketplaceContract(contract: Contract(address: marketplace, abi: abi, client: client)))
        let settings = PortalServer.Settings(port: 0, data: PortalData(catalog: catalog, chain: chain))
        let answers = try await get(
            settings, "/api/v1/sessions", "/api/v1/sessions/fixture-dst", Self.results)
        #expect(answers[0].status == 200)
        #expect(answers[0].json["items"]?.arrayValue?.first?["state"] == .string(facts.state))
        for answer in answers[1...] {
            #expect(answer.status == 502)
            let detail = answer.json["detail"]?.stringValue ?? ""
            #expect(detail.contains("the node did not answer getSession"), "\(detail)")
            #expect(detail.contains("see the server log"))
            for secret in ["s3cret", "operator", "KEY-IN-PATH", "QUERYKEY", "127.0.0.1"] {
                #expect(!answer.text.contains(secret), "\(secret) in \(answer.text)")
            }
        }
        // Start-up messages name the node without its user and password.
        #expect(
            ChainAccess.redacting(rpc, "no answer from \(rpc.absoluteString)") == "no answer from http://127.0.0.1:9")
    }

    @Test func otherErrorsAre500sWithAGenericDetail() async throws {
        struct Boom: Error, CustomStringConvertible {
            var description: String { "boom at http://user:pw@node.example/key" }
        }
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.get("/boom") { _, _ -> Response in throw Boom() }
        let answer = try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/boom", method: .get)
        }
        #expect(answer.status == .internalServerError)
        let body = String(buffer: answer.body)
        #expect(body.contains("internal error; see the server log"), "\(body)")
        #expect(!body.contains("pw") && !body.contains("node.example"), "\(body)")
    }

    @Test func adminErrorsOtherThanAdminErrorsAreNodeFailures() {
        let rpc = URL(string: "http://u:p@10.0.0.1:8545/secret")!
        let error = ServeAdmin.failure(
            RPCError.transport(url: rpc.absoluteString, method: "eth_call", reason: "refused"), "approve 0x…", rpc: rpc)
        #expect(Problem(error).status == .badGateway)
        #expect(!Problem(error).detail.contains("10.0.0.1"))
        #expect(error.logDescription.contains("refused"))
        #expect(Problem(ServeAdmin.failure(URLError(.timedOut), "x", rpc: rpc)).status == .badGateway)
        #expect(Problem(ServeAdmin.failure(AdminError.impossible("no"), "x", rpc: rpc)).status == .conflict)
        let failed = Problem(ServeAdmin.failure(AdminError.failed("reverted at \(rpc.absoluteString)"), "x", rpc: rpc))
        #expect(failed.status == .badGateway && !failed.detail.contains("u:p@") && !failed.detail.contains("secret"))
    }

    @Test func securityHeadersEverywhereAndACSPOnHTML() async throws {
        let answers = try await get(
            try await journalOnly(), "/", "/api/v1/info", "/api/v1/sessions/nope", "/openapi.yaml")
        for answer in answers {
            #expect(answer.headers[.xContentTypeOptions] == "nosniff")
            #expect(answer.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        }
        #expect(answers[0].contentType == "text/html; charset=utf-8")
        let csp = answers[0].headers[.contentSecurityPolicy] ?? ""
        for directive in [
            "default-src 'self'", "img-src 'self' data: blob:", "style-src 'self' 'unsafe-inline'", "connect-src *",
            "frame-ancestors 'self'", "base-uri 'none'", "form-action 'self'",
        ] {
            #expect(csp.contains(directive), "\(directive) in \(csp)")
        }
        #expect(!csp.contains("script-src") && !csp.contains("unsafe-eval"))
        for answer in answers[1...] { #expect(answer.headers[.contentSecurityPolicy] == nil) }
    }

    @Test func headIsAnsweredLikeGetWithoutTheBody() async throws {
        let settings = try await journalOnly()
        let paths = ["/api/v1/info", "/api/v1/sessions/fixture-dst", "/", "/api/v1/sessions/nope"]
        let gets = try await ask(settings, paths.map { (method: .get, uri: $0, headers: HTTPFields()) })
        let heads = try await ask(settings, paths.map { (method: .head, uri: $0, headers: HTTPFields()) })
        for (path, (g, h)) in zip(paths, zip(gets, heads)) {
            #expect(h.status == g.status, "\(path)")
            #expect(h.contentType == g.contentType, "\(path)")
            #expect(h.bytes.isEmpty, "\(path)")
            #expect(!g.bytes.isEmpty, "\(path)")
            #expect(h.headers[.contentLength] == String(g.bytes.count), "\(path)")
        }
        let delete = try await ask(settings, [(.delete, "/api/v1/info", [:])])[0]
        #expect(delete.status == 405 && delete.headers[.allow] == "GET, HEAD")
    }

    @Test func theBearerSchemeInAnyCase() {
        #expect(AdminGate.bearerCredentials("Bearer abc") == "abc")
        #expect(AdminGate.bearerCredentials("bearer abc") == "abc")
        #expect(AdminGate.bearerCredentials("BEARER   abc ") == "abc")
        #expect(AdminGate.bearerCredentials("Basic abc") == nil)
        #expect(AdminGate.bearerCredentials("Bearer") == nil)
        #expect(AdminGate.bearerCredentials("Bearer   ") == nil)
        #expect(AdminGate.bearerCredentials("Bearerabc") == nil)
        #expect(AdminGate.bearerCredentials(nil) == nil)
        let gate = AdminGate(token: "t0ken") { _, _ in .null }
        #expect(gate.authorizes("bEaReR t0ken"))
        #expect(!gate.authorizes("Bearer t0ke"))
        #expect(!gate.authorizes("t0ken"))
    }
}
