import BigInt
import Chain
import DevChain
import Foundation
import Hummingbird
import Market
import Testing

@testable import Portal

/// The members and admin endpoints against a dev chain of their own (not the shared one: dev
/// account 0 signs here without the integration tests' funder): a fresh marketplace with
/// members in each status, one with funds.
@Suite(.serialized) struct MemberEndpointTests {
    static let unit = BigUInt(1_000_000)

    @Test func membersFundsAndAdminActions() async throws {
        var options = DevChainOptions()
        options.accounts = 8
        let chain = try await DevChainProcess.start(options)
        defer { chain.stop() }
        let client = chain.client()
        let keys = try await chain.accountKeys()
        func sender(_ i: Int) -> TransactionSender {
            TransactionSender(client: client, key: keys[i], chainID: chain.chainID)
        }
        let deployment = try await MarketDeployment.deploy(
            artifacts: try ArtifactStore.locate(), deployer: sender(0), operatorAddress: keys[1].address)
        let market = deployment.marketplace
        // 2: active with funds, 3: suspended, 4: rejected, 5: pending, 6: never registered.
        for i in 2...5 {
            try await market.registerUser(adhesionDocHash: Keccak256.hash("adesione \(i)"), sender: sender(i))
        }
        try await market.approveMember(keys[2].address, sender: sender(0))
        try await market.approveMember(keys[3].address, sender: sender(0))
        try await market.suspendMember(keys[3].address, sender: sender(0))
        try await market.rejectMember(keys[4].address, sender: sender(0))
        try await deployment.token.mint(to: keys[2].address, amount: 7 * Self.unit, sender: sender(0))
        try await deployment.token.approve(spender: market.address, amount: 3 * Self.unit, sender: sender(2))
        try await market.deposit(3 * Self.unit, sender: sender(2))

        let access = try await ChainAccess.connect(rpc: chain.url, marketplace: market.address)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("cer-empty-\(UUID().uuidString)")
        let journal = empty.appendingPathComponent("admin.jsonl")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let gate = try await ServeAdmin.gate(token: "t0ken-for-tests", key: keys[0], chain: access, journal: journal)
        let settings = PortalServer.Settings(
            port: 0, data: PortalData(catalog: RunCatalog(root: empty), chain: access, adminEnabled: true), admin: gate)

        let a = keys.map(\.address.checksummed)
        let answers = try await get(
            settings, "/api/v1/info", "/api/v1/members", "/api/v1/members?status=active", "/api/v1/members?limit=3",
            "/api/v1/members/\(a[2])", "/api/v1/members/\(a[6])", "/api/v1/members?status=gone",
            "/api/v1/sessions")
        #expect(answers[0].json["chain"] == true)
        #expect(answers[0].json["admin"] == true)
        #expect(answers[0].json["chainId"] == .int(Int64(chain.chainID)))
        #expect(answers[0].json["marketplace"] == .string(market.address.checksummed))

        let all = try #require(answers[1].json["items"]?.arrayValue)
        #expect(all.compactMap { $0["address"]?.stringValue } == Array(a[2...5]))
        #expect(all.compactMap { $0["status"]?.stringValue } == ["active", "suspended", "rejected", "pending"])
        for (entry, i) in zip(all, 2...5) {
            let onChain = try await market.member(keys[i].address)
            #expect(entry["adhesionHash"] == .string(Keccak256.hash("adesione \(i)").hex))
            #expect(entry["adhesionHash"] == .string(onChain.docHash.hex))
            #expect(entry["registeredAt"] == .int(Int64(onChain.registeredAt)))
            if case .int(let block)? = entry["registeredBlock"] { #expect(block > 0) } else { Issue.record("block") }
        }
        #expect(answers[1].json["next"] == .null)

        // The list reads logs from `memberLogsFrom`: from the first registration's block it finds
        // every member, from the block after the head none (the logs before it are not read).
        var fromFirst = access
        fromFirst.memberLogsFrom = try #require(
            all.first.flatMap { entry -> UInt64? in
                if case .int(let block)? = entry["registeredBlock"] { return UInt64(block) }
                return nil
            })
        var fromHead = access
        fromHead.memberLogsFrom = try await client.blockNumber() + 1
        for (view, expected) in [(fromFirst, 4), (fromHead, 0)] {
            let data = PortalData(catalog: RunCatalog(root: empty), chain: view, adminEnabled: false)
            let listed = try await get(PortalServer.Settings(port: 0, data: data), "/api/v1/members")[0].json
            #expect(listed["items"]?.arrayValue?.count == expected, "from block \(view.memberLogsFrom)")
        }
        #expect(answers[2].json["items"]?.arrayValue?.compactMap { $0["address"]?.stringValue } == [a[2]])
        #expect(answers[3].json["items"]?.arrayValue?.count == 3)
        let cursor = try #require(answers[3].json["next"]?.stringValue)
        let rest = try await get(settings, "/api/v1/members?limit=3&cursor=\(cursor)")[0].json
        #expect(rest["items"]?.arrayValue?.compactMap { $0["address"]?.stringValue } == [a[5]])
        #expect(rest["next"] == .null)

        let one = answers[4].json
        let funds = try await market.checkFunds(keys[2].address)
        #expect(one["status"] == "active")
        #expect(one["available"] == .string(String(funds.available)))
        #expect(one["available"] == .string(String(3 * Self.unit)))
        #expect(one["locked"] == .string(String(funds.locked)))
        #expect(one["adhesionHash"] == all[0]["adhesionHash"])
        #expect(answers[5].status == 404)
        #expect(answers[5].json["detail"]?.stringValue?.contains("never registered") == true)
        #expect(answers[6].status == 400)
        #expect(answers[7].json["items"] == [])

        // Admin: the token, then the journaled, idempotent action; 409 for an impossible one.
        let url = "/api/v1/admin/members/\(a[5].lowercased())/approve"
        let bearer: HTTPFields = [.authorization: "Bearer t0ken-for-tests"]
        let admin = try await ask(
            settings,
            [
                (.post, url, [:]), (.post, url, [.authorization: "Bearer t0ken-for-test"]),
                (.post, url, [.authorization: "t0ken-for-tests"]), (.post, url, bearer), (.post, url, bearer),
                (.post, "/api/v1/admin/members/\(a[3])/approve", bearer),
                (.post, "/api/v1/admin/members/\(a[3])/reinstate", bearer),
                (.post, "/api/v1/admin/members/0x12/approve", bearer),
                (.post, "/api/v1/admin/members/\(swapCase(a[4]))/approve", bearer),
                (.post, url, [.authorization: "bearer t0ken-for-tests"]),
            ])
        for refused in admin[0...2] {
            #expect(refused.status == 401)
            #expect(refused.contentType == "application/problem+json")
            #expect(refused.headers[.wwwAuthenticate] == "Bearer")
        }
        let sent = admin[3].json
        #expect(admin[3].status == 200)
        #expect(sent["member"] == .string(a[5]))
        #expect(sent["action"] == "approve")
        #expect(sent["before"] == "pending")
        #expect(sent["after"] == "active")
        #expect(sent["sent"] == true)
        #expect(sent["transactionHash"]?.stringValue?.count == 66)
        #expect(sent["message"]?.stringValue?.isEmpty == false)
        let again = admin[4].json
        #expect(again["sent"] == false)
        #expect(again["transactionHash"] == .null)
        #expect(again["before"] == "active" && again["after"] == "active")
        #expect(admin[5].status == 409)
        #expect(admin[5].contentType == "application/problem+json")
        #expect(admin[5].json["detail"]?.stringValue?.isEmpty == false)
        #expect(admin[6].status == 200 && admin[6].json["after"] == "active")
        #expect(admin[7].status == 400)
        #expect(admin[8].status == 400)
        #expect(admin[8].json["detail"]?.stringValue?.contains("EIP-55") == true)
        // The scheme in any case (RFC 7235): authorized, and idempotent as before.
        #expect(admin[9].status == 200 && admin[9].json["sent"] == false)
        // Reads take an address in any case (a wrong checksum reads the same account).
        let anyCase = try await get(settings, "/api/v1/members/\(swapCase(a[2]))")[0]
        #expect(anyCase.status == 200 && anyCase.json["address"] == .string(a[2]))
        #expect(try await market.member(keys[5].address).status == .active)
        #expect(try await market.member(keys[3].address).status == .active)
        let after = try await get(settings, "/api/v1/members/\(a[5])")[0].json
        #expect(after["status"] == "active")
    }
}

/// `0x` and the address's letters in the other case (a wrong EIP-55 checksum).
func swapCase(_ address: String) -> String {
    "0x"
        + String(
            address.dropFirst(2).map { c -> Character in
                c.isUppercase ? Character(c.lowercased()) : Character(c.uppercased())
            })
}
