import BigInt
import Chain
import Foundation
import Testing

/// Inputs a hostile node, file or peer could send: each ends in a typed error, never a trap or a
/// runaway allocation. (Found by an independent review of the foundation.)
@Suite struct HostileInputTests {
    @Test func legacyTransactionWithOversizedRIsAnError() throws {
        let key = PrivateKey.random()
        let tx = Transaction(chainID: 1, nonce: 0, fees: .legacy(gasPrice: 1), gasLimit: 21_000, to: .zero, value: 1)
        let raw = try tx.signed(with: key).raw
        guard case .list(var fields) = try RLP.decode(raw) else { Issue.record("not a list"); return }
        fields[7] = .bytes([0x01] + [UInt8](repeating: 0xff, count: 32))  // a 33-byte r
        #expect(throws: TransactionError.self) { try SignedTransaction(raw: RLP.encode(.list(fields))) }
    }

    @Test func aliasedBytesOffsetsCannotBlowUpMemory() throws {
        // bytes[] of 4,000 elements whose offsets all point at one 4 KiB element.
        let count = 4_000
        var data = ABI.encode(uint: 32) + ABI.encode(uint: BigUInt(count))
        let elementOffset = BigUInt(count * 32)
        for _ in 0..<count { data += ABI.encode(uint: elementOffset) }
        data += ABI.encode(uint: 4_096) + [UInt8](repeating: 0xaa, count: 4_096)
        #expect(throws: ABIError.self) { try ABI.decode([.array(.bytes)], data) }
    }

    @Test func eip712RejectsMalformedDecimals() throws {
        var data = try TypedData(json: Data(EIP712Tests.json.utf8))
        data.domain = [
            "name": "Ether Mail", "version": "1", "chainId": "1+000000000000000001",
            "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
        ]
        #expect(throws: TypedData.Failure.self) { try data.domainSeparator() }
    }

    @Test func keystoreAddressIsCheckedStrictly() throws {
        let key = PrivateKey.random()
        let json = try Keystore.encrypt(key, password: "pw", kdf: .pbkdf2(iterations: 1_000))
        var document = try JSONValue.parse(json).objectValue!
        document["address"] = .string("0X" + Hex.encode(key.address.bytes, prefix: false).uppercased())
        let upper = try JSONEncoder().encode(JSONValue.object(document))
        #expect(try Keystore.decrypt(json: upper, password: "pw").address == key.address)
        document["address"] = .string(Hex.encode(PrivateKey.random().address.bytes, prefix: false))
        #expect(throws: KeystoreError.self) {
            try Keystore.decrypt(json: JSONEncoder().encode(JSONValue.object(document)), password: "pw")
        }
        document["address"] = .string("not an address")
        #expect(throws: KeystoreError.self) {
            try Keystore.decrypt(json: JSONEncoder().encode(JSONValue.object(document)), password: "pw")
        }
    }

    @Test func sendRawTransactionIsNeverRetriedBlindly() async {
        let transport = ScriptedTransport([
            { _ in throw RPCError.transport(url: "x", method: "eth_sendRawTransaction", reason: "timeout") },
            reply(.string("0x" + String(repeating: "00", count: 32))),
        ])
        let client = EthClient(
            rpc: JSONRPCClient(
                transport: transport, retry: RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(1))))
        await #expect(throws: RPCError.self) { try await client.sendRawTransaction([0x01]) }
        #expect(transport.requests.withLock { $0.count } == 1)
    }

    @Test func logChunksNearTheTopOfTheRangeTerminate() async throws {
        let transport = ScriptedTransport([reply([]), reply([])])
        let client = EthClient(rpc: JSONRPCClient(transport: transport))
        let logs = try await client.logs(LogFilter(fromBlock: UInt64.max - 2, toBlock: UInt64.max), chunkSize: 5_000)
        #expect(logs.isEmpty)
        #expect(transport.requests.withLock { $0.count } == 1)
    }

    @Test func answersWithAnotherRequestsIdAreRejected() async {
        let transport = ScriptedTransport([
            { _ in ["jsonrpc": "2.0", "id": 999_999, "error": ["code": -32000, "message": "not yours"]] }
        ])
        let client = JSONRPCClient(transport: transport)
        do {
            _ = try await client.call("eth_chainId")
            Issue.record("an answer for another id was accepted")
        } catch {
            #expect(error.rpcCode == nil)
        }
    }
}

extension ABI {
    fileprivate static func encode(uint value: BigUInt) -> [UInt8] { value.paddedBytes(32) }
}
