import BigInt
import Chain
import DevChain
import Foundation
import Market
import PhaseRunner
import Testing

/// `cer-run deploy` and `cer-run member …` as real processes against dev chains of their own
/// (the tests move chain time): a member's whole flow with keystores, re-runs that send nothing,
/// and refusals that explain themselves (exit 2) and send nothing.
@Suite(.serialized) struct MemberCommandTests {
    static let binary = RunnerTests.binary
    static let password = "member test password"

    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Runs `cer-run` with `arguments`; the password is in `$CER_RUN_PASSWORD` unless `password`
    /// says otherwise.
    static func cli(
        _ arguments: [String], password: String = password, in folder: URL, environment extra: [String: String] = [:]
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = RunnerTests.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["CER_RUN_PASSWORD"] = password
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let log = folder.appendingPathComponent("out-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Waits without holding a thread of the cooperative pool (other tests go on).
        let outcome = try await RunnerTests.Running(process: process, log: log, handle: handle).finish()
        return Outcome(status: outcome.status, output: outcome.output)
    }

    /// A keystore for `key` with light scrypt parameters.
    static func keystore(_ key: PrivateKey, in folder: URL, name: String) throws -> String {
        let url = folder.appendingPathComponent("\(name).json")
        try Keystore.encrypt(key, password: password, kdf: .light).write(to: url)
        return url.path
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cer-member-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The member subcommand's common options.
    static func common(chain: DevChainProcess, market: Address, keystore: String, journal: URL) -> [String] {
        [
            "--rpc", chain.url.absoluteString, "--chain-id", String(chain.chainID), "--marketplace", market.hex,
            "--keystore", keystore, "--journal", journal.path,
        ]
    }

    /// Opens a session as the operator: commit in 1 h, reveal in 2 h, delivery in 3 h.
    static func openSession(_ market: MarketplaceContract, operatorSender: TransactionSender, now: UInt64) async throws
        -> (UInt64, SessionParams)
    {
        let params = SessionParams(
            commitDeadline: now + 3600, revealDeadline: now + 7200, deliveryStart: now + 10_800, slots: 24,
            deposit: 1_000_000, sellerBondPerKWh: 20_000, manifestHash: Keccak256.hash("member test"))
        let (id, _) = try await market.newSession(params, sender: operatorSender)
        return (id, params)
    }

    @Test func memberFlowFromDeployToReveal() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let chain = try await DevChainProcess.start()
        defer { chain.stop() }
        let client = chain.client()
        let keys = try await chain.accountKeys()
        let adminStore = try Self.keystore(keys[0], in: folder, name: "admin")
        let deployJournal = folder.appendingPathComponent("deployments.jsonl")
        let deployArgs = [
            "deploy", "--rpc", chain.url.absoluteString, "--chain-id", String(chain.chainID), "--keystore",
            adminStore, "--operator", keys[1].address.hex, "--journal", deployJournal.path,
        ]

        // Deploy, then deploy again: same addresses, nothing sent.
        let deployed = try await Self.cli(deployArgs + ["--json"], in: folder)
        #expect(deployed.status == 0, "\(deployed.output)")
        let json = try JSONValue.parse(Data(deployed.output.split(separator: "\n").last.map(String.init)!.utf8))
        let market = try Address(json["marketplace"]?.stringValue ?? "")
        let tokenAddress = try Address(json["token"]?.stringValue ?? "")
        #expect(json["sent"] == .bool(true))
        #expect(json["operator"]?.stringValue == keys[1].address.checksummed)
        #expect(json["admin"]?.stringValue == keys[0].address.checksummed)
        let adminNonce = try await client.transactionCount(of: keys[0].address)
        #expect(adminNonce == 2)
        let again = try await Self.cli(deployArgs, in: folder)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("nothing sent"))
        #expect(again.output.contains("marketplace: \"\(market.checksummed)\""))
        #expect(try await client.transactionCount(of: keys[0].address) == adminNonce)

        let artifacts = try ArtifactStore.locate()
        let marketplace = MarketplaceContract(
            contract: Contract(address: market, abi: try artifacts.artifact("Marketplace").abi, client: client))
        let token = TokenContract(
            contract: Contract(address: tokenAddress, abi: try artifacts.artifact("CommunityToken").abi, client: client)
        )
        let admin = TransactionSender(client: client, key: keys[0], chainID: chain.chainID)
        let operatorSender = TransactionSender(client: client, key: keys[1], chainID: chain.chainID)

        // The member registers with its keystore; the admin approves; the member deposits (permit).
        let member = keys[2]
        let memberStore = try Self.keystore(member, in: folder, name: "member")
        let journal = folder.appendingPathComponent("member.jsonl")
        let common = Self.common(chain: chain, market: market, keystore: memberStore, journal: journal)
        let document = folder.appendingPathComponent("adesione.pdf")
        try Data("contratto di adesione alla CER, firmato".utf8).write(to: document)
        let registered = try await Self.cli(["member", "register", "--document", document.path] + common, in: folder)
        #expect(registered.status == 0, "\(registered.output)")
        let onChain = try await marketplace.member(member.address)
        #expect(onChain.status == .pending)
        #expect(onChain.docHash == Keccak256.hash(Array(try Data(contentsOf: document))))
        let twice = try await Self.cli(["member", "register", "--document", document.path] + common, in: folder)
        #expect(twice.status == 0 && twice.output.contains("nothing sent"), "\(twice.output)")
        try await marketplace.approveMember(member.address, sender: admin)
        try await token.mint(to: member.address, amount: 50_000_000, sender: admin)
        let nonceBeforeDeposit = try await client.transactionCount(of: member.address)
        let deposit = try await Self.cli(["member", "deposit", "12.50", "--ref", "first"] + common, in: folder)
        #expect(deposit.status == 0, "\(deposit.output)")
        // One transaction: depositWithPermit, no separate approve.
        #expect(try await client.transactionCount(of: member.address) == nonceBeforeDeposit + 1)
        let sameRef = try await Self.cli(["member", "deposit", "12.50", "--ref", "first"] + common, in: folder)
        #expect(sameRef.status == 0 && sameRef.output.contains("nothing sent"), "\(sameRef.output)")
        #expect(try await marketplace.checkFunds(member.address).available == 12_500_000)
        #expect(try await token.balance(of: member.address) == 37_500_000)

        // The operator opens a session; the member commits from a CSV order file.
        let now = try await DevChainControl(client: client).now()
        let (id, params) = try await Self.openSession(marketplace, operatorSender: operatorSender, now: now)
        let orders = folder.appendingPathComponent("orders.csv")
        try "slot,side,kwh,price\n# evening\n18,buy,1.5,0.22\n19,buy,2,0.21\n".write(
            to: orders, atomically: true, encoding: .utf8)

        // Reveal before committing: nothing to reveal.
        let early = try await Self.cli(["member", "reveal", "--session", String(id)] + common, in: folder)
        #expect(early.status == 2, "\(early.output)")
        #expect(early.output.contains("has not committed"))

        let commit = try await Self.cli(
            ["member", "commit", "--session", String(id), "--orders", orders.path] + common, in: folder)
        #expect(commit.status == 0, "\(commit.output)")
        let nonceAfterCommit = try await client.transactionCount(of: member.address)
        let word = try await marketplace.contract.call("participationOf", [.unsigned(id), .address(member.address)])
        #expect(word.first?.uintValue.map { $0 & 3 } == 1)

        // The orders and salt were journaled before the commitment was signed; no key in there.
        let records = try Journal.readOnly(journal)
        let ordersRecord = try #require(records.firstIndex { $0.type == "member.orders" })
        let signedCommit = try #require(
            records.firstIndex {
                $0.type == "tx.signed" && $0.data["step"]?.stringValue?.hasPrefix("member/commit/") == true
            })
        #expect(ordersRecord < signedCommit)
        #expect(records[ordersRecord].data["salt"]?.stringValue?.count == 66)
        let journalText = try String(contentsOf: journal, encoding: .utf8)
        #expect(!journalText.contains(Hex.encode(member.secretBytes, prefix: false)))

        // Again: nothing sent, the nonce stays.
        let rerun = try await Self.cli(
            ["member", "commit", "--session", String(id), "--orders", orders.path] + common, in: folder)
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("nothing sent"))
        #expect(try await client.transactionCount(of: member.address) == nonceAfterCommit)

        // A wrong password is bad input: exit 2, nothing sent.
        let wrong = try await Self.cli(["member", "status"] + common, password: "not it", in: folder)
        #expect(wrong.status == 2, "\(wrong.output)")
        #expect(wrong.output.lowercased().contains("password"))

        // Reveal before the commit deadline: refused in plain words.
        let tooEarly = try await Self.cli(["member", "reveal", "--session", String(id)] + common, in: folder)
        #expect(tooEarly.status == 2, "\(tooEarly.output)")
        #expect(tooEarly.output.contains("reveal phase of session \(id) opens"))
        #expect(try await client.transactionCount(of: member.address) == nonceAfterCommit)

        // After the commit deadline: reveal, then the status says committed, revealed.
        try await DevChainControl(client: client).mine(at: params.commitDeadline)
        let reveal = try await Self.cli(["member", "reveal", "--session", String(id)] + common, in: folder)
        #expect(reveal.status == 0, "\(reveal.output)")
        let revealedWord = try await marketplace.contract.call(
            "participationOf", [.unsigned(id), .address(member.address)])
        #expect(revealedWord.first?.uintValue.map { $0 & 3 } == 2)
        let session = try await marketplace.session(id)
        #expect(session.reveals == 1)
        // Collateral: ceil(1500 × 220000 / 1000) + ceil(2000 × 210000 / 1000) = 330000 + 420000.
        #expect(try await marketplace.checkFunds(member.address).locked == 750_000)
        let status = try await Self.cli(["member", "status", "--session", String(id), "--json"] + common, in: folder)
        #expect(status.status == 0, "\(status.output)")
        let report = try JSONValue.parse(Data(status.output.split(separator: "\n").last.map(String.init)!.utf8))
        #expect(report["session"]?["participation"] == .array(["committed", "revealed"]))
        #expect(report["status"] == .string("active"))
        let revealAgain = try await Self.cli(["member", "reveal", "--session", String(id)] + common, in: folder)
        #expect(revealAgain.status == 0 && revealAgain.output.contains("nothing sent"), "\(revealAgain.output)")

        // A deposit killed right after its broadcast: a deposit under another reference (a
        // rerun after midnight gets a new default one) is refused until that one is finished.
        let available = try await marketplace.checkFunds(member.address).available
        let crashed = try await Self.cli(
            ["member", "deposit", "1.00", "--ref", "night"] + common, in: folder,
            environment: ["CER_RUN_CRASH_AFTER_BROADCAST": "1"])
        #expect(crashed.status == 86, "\(crashed.output)")
        let other = try await Self.cli(["member", "deposit", "1.00", "--ref", "morning"] + common, in: folder)
        #expect(other.status == 2 && other.output.contains("deposit \"night\" from an earlier run is unfinished"))
        let finished = try await Self.cli(["member", "deposit", "1.00", "--ref", "night"] + common, in: folder)
        #expect(finished.status == 0, "\(finished.output)")
        #expect(try await marketplace.checkFunds(member.address).available == available + 1_000_000)
    }

    @Test func refusalsExplainThemselvesAndSendNothing() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixture = try await MarketFixture.make()
        try await fixture.onboard([2, 3], mint: 20 * MarketFixture.unit, deposit: 10 * MarketFixture.unit)
        let now = try await fixture.control.now()
        let (id, params) = try await Self.openSession(
            fixture.market, operatorSender: fixture.operatorSender, now: now)
        let orders = folder.appendingPathComponent("orders.yaml")
        try "orders:\n  - {slot: 3, side: buy, kwh: \"1\", price: \"0.20\"}\n".write(
            to: orders, atomically: true, encoding: .utf8)

        // Member 3 commits with another tool (the bindings): its journal knows nothing to reveal.
        let other = fixture.sender(3)
        let salt = Commitment.randomSalt()
        let commitment = try Commitment.compute(
            chainID: fixture.chain.chainID, marketplace: fixture.market.address, sessionID: id, member: other.address,
            orders: [MarketOrder(slot: 3, side: .buy, quantityWh: 1000, limitPrice: 200_000)], salt: salt)
        try await fixture.market.submitCommitment(sessionID: id, commitment: commitment, sender: other)

        // Register again: already a member.
        let store2 = try Self.keystore(fixture.keys[2], in: folder, name: "m2")
        let common2 = Self.common(
            chain: fixture.chain, market: fixture.market.address, keystore: store2,
            journal: folder.appendingPathComponent("m2.jsonl"))
        let document = folder.appendingPathComponent("doc.txt")
        try Data("adesione".utf8).write(to: document)
        let nonce2 = try await fixture.client.transactionCount(of: fixture.keys[2].address)
        let register = try await Self.cli(["member", "register", "--document", document.path] + common2, in: folder)
        #expect(register.status == 2, "\(register.output)")
        #expect(register.output.contains("already a member"))

        // A bad order file: exit 2 with the line.
        let bad = folder.appendingPathComponent("bad.csv")
        try "slot,side,kwh,price\n3,buy,1,0.2\n99,sell,1,0.1\n".write(to: bad, atomically: true, encoding: .utf8)
        let badCommit = try await Self.cli(
            ["member", "commit", "--session", String(id), "--orders", bad.path] + common2, in: folder)
        #expect(badCommit.status == 2, "\(badCommit.output)")
        #expect(badCommit.output.contains("bad.csv:3"))

        // An unknown session, a node of another chain, a journal of another key.
        let unknown = try await Self.cli(
            ["member", "commit", "--session", "99", "--orders", orders.path] + common2, in: folder)
        #expect(unknown.status == 2, "\(unknown.output)")
        #expect(unknown.output.contains("session 99 does not exist"))
        let otherChain = try await Self.cli(["member", "status"] + common2 + ["--chain-id", "5"], in: folder)
        #expect(otherChain.status == 2, "\(otherChain.output)")
        #expect(otherChain.output.contains("reports chain id \(fixture.chain.chainID), not 5"))

        // Reveal without a journaled commitment.
        let store3 = try Self.keystore(fixture.keys[3], in: folder, name: "m3")
        let common3 = Self.common(
            chain: fixture.chain, market: fixture.market.address, keystore: store3,
            journal: folder.appendingPathComponent("m3.jsonl"))
        try await fixture.control.mine(at: params.commitDeadline)
        let nonce3 = try await fixture.client.transactionCount(of: fixture.keys[3].address)
        let reveal = try await Self.cli(["member", "reveal", "--session", String(id)] + common3, in: folder)
        #expect(reveal.status == 2, "\(reveal.output)")
        #expect(reveal.output.contains("nothing to reveal"))
        let store3Journal2 = Self.common(
            chain: fixture.chain, market: fixture.market.address, keystore: store3,
            journal: folder.appendingPathComponent("m2.jsonl"))
        let wrongJournal = try await Self.cli(["member", "status"] + store3Journal2, in: folder)
        #expect(wrongJournal.status == 2, "\(wrongJournal.output)")
        #expect(wrongJournal.output.contains("belongs to \(fixture.keys[2].address.hex)"))

        // Commit after the deadline (chain time).
        let late = try await Self.cli(
            ["member", "commit", "--session", String(id), "--orders", orders.path] + common2, in: folder)
        #expect(late.status == 2, "\(late.output)")
        #expect(late.output.contains("commit deadline of session \(id) has passed"))

        // Execute before validation.
        let execute = try await Self.cli(["member", "execute", "--session", String(id)] + common2, in: folder)
        #expect(execute.status == 2, "\(execute.output)")
        #expect(execute.output.contains("not validated yet"))

        // Withdraw more than available.
        let withdraw = try await Self.cli(["member", "withdraw", "99"] + common2, in: folder)
        #expect(withdraw.status == 2, "\(withdraw.output)")
        #expect(withdraw.output.contains("only 10.000000 is available"))

        #expect(try await fixture.client.transactionCount(of: fixture.keys[2].address) == nonce2)
        #expect(try await fixture.client.transactionCount(of: fixture.keys[3].address) == nonce3)
        let journal = try String(contentsOf: folder.appendingPathComponent("m2.jsonl"), encoding: .utf8)
        #expect(!journal.contains("tx.signed"))
        #expect(!journal.contains(Hex.encode(fixture.keys[2].secretBytes, prefix: false)))
    }
}
