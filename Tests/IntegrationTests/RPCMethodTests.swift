import BigInt
import Chain
import Testing

/// The JSON-RPC methods later issues rely on, against the dev chain.
@Suite struct RPCMethodTests {
    @Test func readsChainState() async throws {
        let f = try await DevChainFixture.make()
        let key = try await f.fundedKey()
        #expect(try await f.client.chainID() == f.chain.chainID)
        let head = try #require(try await f.client.block(.latest))
        #expect(head.gasLimit > 0)
        #expect(try await f.client.blockNumber() >= head.number)
        #expect(try await f.client.balance(of: key.address) > 0)
        #expect(try await f.client.code(at: key.address).isEmpty)
        #expect(try await f.client.receipt([UInt8](repeating: 0xab, count: 32)) == nil)
        #expect(try await f.client.transaction([UInt8](repeating: 0xab, count: 32)) == nil)
        let latest = try await f.client.transactionCount(of: key.address, at: .latest)
        #expect(try await f.client.transactionCount(of: key.address, at: .pending) >= latest)
        _ = try await f.client.gasPrice()
        _ = try await f.client.maxPriorityFeePerGas()
        let history = try await f.client.feeHistory(blockCount: 1, newest: .latest, percentiles: [50])
        #expect(history.baseFeePerGas.count == 2)
    }

    @Test func batchesAnswerEachCall() async throws {
        let f = try await DevChainFixture.make()
        let results = try await f.client.rpc.batch([
            RPCCall("eth_chainId"), RPCCall("no_such_method"), RPCCall("eth_blockNumber"),
        ])
        #expect(try results[0].get() == .string(Quantity.encode(f.chain.chainID)))
        #expect(throws: RPCError.self) { try results[1].get() }
        #expect(try results[2].get().stringValue?.hasPrefix("0x") == true)
    }

    @Test func logsAcrossManyChunks() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let (notary, deploy) = try await sender.deploy(try f.artifacts.artifact("Notary"))
        var hashes = [[UInt8]]()
        for i in 0..<4 {
            let docHash = Keccak256.hash("chunk doc \(i)")
            let receipt = try await sender.transact(notary, "notarise", [.fixedBytes(docHash), .string("\(i)")])
            hashes.append(receipt.transactionHash)
        }
        let head = try await f.client.blockNumber()
        let event = try notary.abi.event("Notarised")
        let filter = LogFilter(
            fromBlock: deploy.blockNumber, toBlock: head, addresses: [notary.address], topics: [[event.topic]])
        let chunked = try await f.client.logs(filter, chunkSize: 1)
        #expect(chunked.map(\.transactionHash) == hashes)
        // Filtering on the indexed sender topic.
        let bySender = LogFilter(
            fromBlock: deploy.blockNumber, addresses: [notary.address],
            topics: [[event.topic], [[UInt8](repeating: 0, count: 12) + sender.address.bytes]])
        #expect(try await f.client.logs(bySender).count == 4)
        let byStranger = LogFilter(
            fromBlock: deploy.blockNumber, addresses: [notary.address],
            topics: [nil, [[UInt8](repeating: 0, count: 32)]])
        #expect(try await f.client.logs(byStranger).isEmpty)
    }
}
