import BigInt
import Chain
import Testing

/// Our ABI codec against solc's own encoder, event encoder and revert encoder on a real EVM.
@Suite struct AbiProbeTests {
    static let orderType = ABIType.tuple([.uint(16), .bool, .uint(64), .uint(128)])

    static func order(_ slot: Int, _ buy: Bool, _ wh: UInt64, _ price: BigUInt) -> ABIValue {
        .tuple([.unsigned(slot), .bool(buy), .unsigned(wh), .uint(price)])
    }

    static let orders: ABIValue = .array([
        order(0, true, 1_500, 210_000), order(23, false, UInt64.max, (BigUInt(1) << 128) - 1), order(7, true, 0, 0),
    ])

    func probe(_ f: DevChainFixture) async throws -> Contract {
        try await f.sender().deploy(try f.artifacts.artifact("AbiProbe")).0
    }

    @Test func encodingMatchesTheEVM() async throws {
        let f = try await DevChainFixture.make()
        let probe = try await probe(f)
        let note = ABIValue.bytes(Array("nota con accenti: è".utf8))
        let tags = ABIValue.array([.string("a"), .string(""), .string(String(repeating: "x", count: 70))])
        let onChain = try await probe.call("hashEncoding", [Self.orders, note, tags])
        let ours = Keccak256.hash(
            try ABI.encode([.array(Self.orderType), .bytes, .array(.string)], [Self.orders, note, tags]))
        #expect(onChain == [.fixedBytes(ours)])
    }

    @Test func nestedOutputsDecode() async throws {
        let f = try await DevChainFixture.make()
        let probe = try await probe(f)
        let deltas = ABIValue.array([.int(-1), .int(BigInt(Int64.min)), .int(BigInt(Int64.max))])
        let result = try await probe.call("echo", [Self.orders, deltas, .string("ciao ☀️")])
        #expect(result == [Self.orders, deltas, .string("ciao ☀️")])
    }

    @Test func eventsDecodeIncludingIndexedStringAndAnonymous() async throws {
        let f = try await DevChainFixture.make()
        let sender = try await f.sender()
        let probe = try await probe(f)
        let receipt = try await sender.transact(
            probe, "emitEvents", [.string("tag-1"), Self.orders, .bytes([1, 2, 3])])
        #expect(receipt.logs.count == 2)
        let probed = try #require(probe.events(in: receipt).first)
        #expect(probed.event.name == "Probed")
        #expect(probed["sender"] == .value(.address(sender.address)))
        #expect(probed["tag"] == .indexedHash(Keccak256.hash("tag-1")))
        #expect(probed["orders"] == .value(Self.orders))
        #expect(probed["note"] == .value(.bytes([1, 2, 3])))
        let anonymous = try probe.abi.event("Anonymous")
        let log = receipt.logs[1]
        let decoded = try anonymous.decode(topics: log.topics, data: log.data)
        #expect(decoded["value"] == .value(.unsigned(3)))
        // The same events through eth_getLogs with a topic filter.
        let fetched = try await probe.logs("Probed", fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber)
        #expect(fetched.count == 1)
        #expect(fetched.first?.1.transactionHash == receipt.transactionHash)
    }

    @Test func revertsDecode() async throws {
        let f = try await DevChainFixture.make()
        let probe = try await probe(f)
        let caller = PrivateKey.random().address
        func reason(_ kind: Int) async throws -> RevertReason? {
            do {
                _ = try await probe.call("fail", [.unsigned(kind)], from: caller)
                return nil
            } catch ContractCallError.reverted(let reason) { return reason }
        }
        #expect(try await reason(1) == .message("probe: message"))
        #expect(try await reason(2) == .panic(code: 0x12))
        let custom = try await reason(3)
        #expect(custom?.customErrorName == "ProbeFailed")
        if case .custom(_, let args)? = custom {
            #expect(args == [.unsigned(42), .string("custom"), .address(caller)])
        }
        #expect(try await reason(4) == .empty)
        #expect(try await probe.call("fail", [.unsigned(9)]) == [.unsigned(9)])
    }
}
