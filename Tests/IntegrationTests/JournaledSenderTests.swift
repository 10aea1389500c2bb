import BigInt
import Chain
import DevChain
import Foundation
import PhaseRunner
import Testing

/// Exactly-once sending across crashes, against the dev chain.
@Suite struct JournaledSenderTests {
    func journal() throws -> (Journal, URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cer-js-\(UUID().uuidString)/journal.jsonl")
        return (try Journal.open(url), url)
    }

    @Test func aFinishedStepSendsNothingAgain() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let (journal, url) = try journal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let js = JournaledSender(journal: journal, sender: sender)
        let target = PrivateKey.random().address
        let first = try await js.ensure(step: "pay/1", to: target, data: [], value: 7, gasLimit: 21_000)
        #expect(first.sentNow)
        let nonce = try await f.client.transactionCount(of: sender.address)
        let again = try await js.ensure(step: "pay/1", to: target, data: [], value: 7, gasLimit: 21_000)
        #expect(!again.sentNow)
        #expect(again.receipt.transactionHash == first.receipt.transactionHash)
        #expect(try await f.client.transactionCount(of: sender.address) == nonce)
        #expect(try await f.client.balance(of: target) == 7)
        #expect(journal.records.map(\.type) == ["tx.signed", "tx.mined"])
    }

    /// With 3 confirmations a step is done only when two more blocks sit on its receipt's.
    @Test func confirmationsWaitForBlocksOnTop() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let (journal, url) = try journal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let js = JournaledSender(journal: journal, sender: sender, confirmations: 3)
        let target = PrivateKey.random().address
        let client = f.client
        let task = Task {
            let outcome = try await js.ensure(step: "pay/c", to: target, data: [], value: 3, gasLimit: 21_000)
            return (outcome, try await client.blockNumber())
        }
        // Mined (the target has its 3 wei), now waiting for blocks on top.
        while try await client.balance(of: target) != 3 { try await Task.sleep(for: .milliseconds(20)) }
        let control = DevChainControl(client: client)
        try await control.mine()
        try await control.mine()
        let (outcome, headAtReturn) = try await task.value
        #expect(headAtReturn >= outcome.receipt.blockNumber + 2)
    }

    /// Crash after the signed transaction was journaled but before it was broadcast: the resume
    /// broadcasts the journaled bytes, so the transaction on chain is the one journaled.
    @Test func signedButNeverBroadcastIsRebroadcastAsIs() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let (journal, url) = try journal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let target = PrivateKey.random().address
        let signed = try await sender.prepare(to: target, data: [], value: 5, gasLimit: 21_000)
        try journal.append(
            JournaledSender.RecordType.signed,
            [
                "step": "pay/2", "sender": .string(sender.address.hex), "nonce": .int(Int64(signed.transaction.nonce)),
                "hash": .string(signed.hash.hex), "raw": .string(signed.raw.hex), "type": .int(0),
            ])
        let outcome = try await JournaledSender(journal: journal, sender: sender).ensure(
            step: "pay/2", to: target, data: [], value: 5, gasLimit: 21_000)
        #expect(outcome.receipt.transactionHash == signed.hash)
        #expect(try await f.client.balance(of: target) == 5)
    }

    /// Crash after broadcast, before the outcome was journaled: the resume adopts the receipt.
    @Test func broadcastButNotRecordedIsAdopted() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let (journal, url) = try journal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let target = PrivateKey.random().address
        let signed = try await sender.prepare(to: target, data: [], value: 9, gasLimit: 21_000)
        try journal.append(
            JournaledSender.RecordType.signed,
            [
                "step": "pay/3", "sender": .string(sender.address.hex), "nonce": .int(Int64(signed.transaction.nonce)),
                "hash": .string(signed.hash.hex), "raw": .string(signed.raw.hex), "type": .int(0),
            ])
        try await sender.broadcast(signed)
        _ = try await sender.waitForReceipt(signed.hash)
        let nonce = try await f.client.transactionCount(of: sender.address)
        let outcome = try await JournaledSender(journal: journal, sender: sender).ensure(
            step: "pay/3", to: target, data: [], value: 9, gasLimit: 21_000)
        #expect(!outcome.sentNow)
        #expect(try await f.client.transactionCount(of: sender.address) == nonce)
        #expect(try await f.client.balance(of: target) == 9)
    }

    /// Another process used the nonce of our journaled (never broadcast) attempt: ours can never
    /// land, so it is marked superseded and the step is signed again with a fresh nonce.
    @Test func externalInterferenceIsDetected() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let (journal, url) = try journal()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let target = PrivateKey.random().address
        let ours = try await sender.prepare(to: target, data: [], value: 11, gasLimit: 21_000)
        try journal.append(
            JournaledSender.RecordType.signed,
            [
                "step": "pay/4", "sender": .string(sender.address.hex), "nonce": .int(Int64(ours.transaction.nonce)),
                "hash": .string(ours.hash.hex), "raw": .string(ours.raw.hex), "type": .int(0),
            ])
        // Someone else sends from the same account with the same nonce.
        try await sender.send(to: PrivateKey.random().address, data: [], value: 1, gasLimit: 21_000)
        let outcome = try await JournaledSender(journal: journal, sender: sender).ensure(
            step: "pay/4", to: target, data: [], value: 11, gasLimit: 21_000)
        #expect(outcome.sentNow)
        #expect(outcome.receipt.transactionHash != ours.hash)
        #expect(try await f.client.balance(of: target) == 11)
        #expect(journal.records.map(\.type) == ["tx.signed", "tx.superseded", "tx.signed", "tx.mined"])
    }
}
