import BigInt
import Chain
import Market
import Testing

/// Transactions signed by our code, sent raw, accepted by py-evm (an independent implementation)
/// and checked from the receipts back.
@Suite struct SignedTransactionTests {
    @Test func legacyAndEIP1559TransactionsAreAcceptedAndDecoded() async throws {
        let f = try await DevChainFixture.make()
        let operatorSender = try await f.sender()
        let (notary, deploy) = try await NotaryContract.deploy(artifacts: f.artifacts, sender: operatorSender)
        #expect(deploy.succeeded)
        #expect(deploy.type == 2)
        #expect(deploy.contractAddress == notary.contract.address)
        let deployTx = try #require(try await f.client.transaction(deploy.transactionHash))
        #expect(
            notary.contract.address == Address.contractAddress(sender: operatorSender.address, nonce: deployTx.nonce))

        for fees in [FeePolicy.legacyNodePrice, .eip1559Auto] {
            var sender = operatorSender
            sender.fees = fees
            let docHash = Keccak256.hash("document signed with \(fees)")
            let data = try notary.contract.abi.function("notarise").encodeCall([.fixedBytes(docHash), .string("doc")])
            let signed = try await sender.prepare(to: notary.contract.address, data: data)
            // Our own decoder reads back what we signed.
            let decoded = try SignedTransaction(raw: signed.raw)
            #expect(decoded.sender == operatorSender.address)
            #expect(decoded.transaction.type == (fees == .legacyNodePrice ? 0 : 2))

            let nodeHash = try await f.client.sendRawTransaction(signed.raw)
            #expect(nodeHash == signed.hash)
            let receipt = try await sender.waitForReceipt(signed.hash)
            #expect(receipt.succeeded)
            #expect(receipt.type == UInt64(signed.transaction.type))
            #expect(receipt.transactionHash == signed.hash)
            // The node recovered the same sender from our signature.
            let onChain = try #require(try await f.client.transaction(signed.hash))
            #expect(onChain.from == operatorSender.address)
            #expect(onChain.nonce == signed.transaction.nonce)
            #expect(onChain.input == data)
            // The event, decoded by our ABI code.
            let events = notary.contract.events(in: receipt)
            #expect(events.count == 1)
            #expect(events.first?["by"] == .value(.address(operatorSender.address)))
            #expect(events.first?["docHash"] == .value(.fixedBytes(docHash)))
            #expect(events.first?["label"] == .value(.string("doc")))
            #expect(try await notary.isNotarised(docHash))
        }
    }

    @Test func valueTransferChangesBalancesExactly() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender(fees: .legacyNodePrice)
        let recipient = PrivateKey.random().address
        let amount = BigUInt(123_456_789)
        let receipt = try await sender.send(to: recipient, data: [], value: amount, gasLimit: 21_000)
        #expect(receipt.gasUsed == 21_000)
        #expect(try await f.client.balance(of: recipient) == amount)
    }

    @Test func resendingAMinedTransactionIsATypedNodeError() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let signed = try await sender.prepare(to: PrivateKey.random().address, data: [], value: 1, gasLimit: 21_000)
        try await sender.broadcast(signed)
        _ = try await sender.waitForReceipt(signed.hash)
        do {
            _ = try await f.client.sendRawTransaction(signed.raw)
            Issue.record("a mined transaction was accepted twice")
        } catch {
            #expect(error.rpcCode != nil)
            #expect(error.rpcMessage?.lowercased().contains("nonce") == true)
        }
    }

    @Test func wrongChainIDIsRejected() async throws {
        let f = try await DevChainFixture.make()
        let key = try await f.fundedKey()
        let nonce = try await f.client.transactionCount(of: key.address, at: .pending)
        let tx = Transaction(
            chainID: f.chain.chainID + 1, nonce: nonce, fees: .legacy(gasPrice: try await f.client.gasPrice()),
            gasLimit: 21_000, to: .zero, value: 1)
        await #expect(throws: RPCError.self) { try await f.client.sendRawTransaction(try tx.signed(with: key).raw) }
    }
}
