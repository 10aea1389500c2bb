import BigInt
import Chain
import Foundation
import Market

/// One registered member as the chain has it.
public struct MemberEntry: Sendable, Equatable {
    /// The member's address.
    public let address: Address
    /// Its current status (`members(address)`).
    public let status: MemberStatus
    /// keccak-256 of its signed adhesion document (32 bytes; zero when never registered).
    public let adhesionHash: [UInt8]
    /// Unix seconds: the block time of its (latest) registration; 0 when never registered.
    public let registeredAt: UInt64
    /// The block of its (latest) `MemberRegistered` log; 0 when never registered.
    public let registeredBlock: UInt64

    /// An entry as read from the chain.
    public init(
        address: Address, status: MemberStatus, adhesionHash: [UInt8], registeredAt: UInt64, registeredBlock: UInt64
    ) {
        self.address = address
        self.status = status
        self.adhesionHash = adhesionHash
        self.registeredAt = registeredAt
        self.registeredBlock = registeredBlock
    }

    /// `{address, status, adhesionHash, registeredAt, registeredBlock}` (EIP-55 address, status
    /// word, 0x-hex hash, integers).
    public var json: JSONValue {
        [
            "address": .string(address.checksummed), "status": .string(MemberDirectory.statusName(status)),
            "adhesionHash": .string(adhesionHash.hex), "registeredAt": .int(Int64(registeredAt)),
            "registeredBlock": .int(Int64(registeredBlock)),
        ]
    }
}

/// Read-only view of a marketplace's members: who registered (`MemberRegistered` logs, chunked
/// `eth_getLogs`) and their current status (`members(addr)`, JSON-RPC batches of `eth_call`s).
public enum MemberDirectory {
    /// Every address that ever emitted MemberRegistered on `marketplace` (logs from `fromBlock`,
    /// chunked getLogs as the runner does), each once (latest registration), with its current
    /// status read from `members(addr)` (JSON-RPC batches); ordered by registration block, then
    /// log index. `status` filters.
    public static func list(
        client: EthClient, marketplace: Address, fromBlock: UInt64 = 0, status: MemberStatus? = nil
    ) async throws -> [MemberEntry] {
        let abi = try marketplaceABI()
        let head = try await client.blockNumber()
        let event = try abi.event("MemberRegistered")
        let logs = try await client.logs(
            LogFilter(fromBlock: fromBlock, toBlock: head, addresses: [marketplace], topics: [[event.topic]]))
        // The latest registration of each address (a rejected member may register again).
        var latest = [Address: (block: UInt64, index: UInt64)]()
        for log in logs where !log.removed && log.topics.count > 1 {
            guard let member = Address(bytes: Array(log.topics[1].suffix(20))) else { continue }
            let position = (log.blockNumber ?? 0, log.logIndex ?? 0)
            if let seen = latest[member], seen > position { continue }
            latest[member] = position
        }
        let members = latest.sorted { ($0.value.block, $0.value.index) < ($1.value.block, $1.value.index) }.map(\.key)
        let fields = try await batchMembers(client: client, marketplace: marketplace, abi: abi, members, at: head)
        var entries = [MemberEntry]()
        for (member, value) in zip(members, fields) {
            let entry = MemberEntry(
                address: member, status: value.status, adhesionHash: value.docHash, registeredAt: value.registeredAt,
                registeredBlock: latest[member]?.block ?? 0)
            if let status, entry.status != status { continue }
            entries.append(entry)
        }
        return entries
    }

    /// One member (status .none when never registered).
    public static func member(
        client: EthClient, marketplace: Address, address: Address, fromBlock: UInt64 = 0
    ) async throws -> MemberEntry {
        let abi = try marketplaceABI()
        let head = try await client.blockNumber()
        let event = try abi.event("MemberRegistered")
        let logs = try await client.logs(
            LogFilter(
                fromBlock: fromBlock, toBlock: head, addresses: [marketplace],
                topics: [[event.topic], [try ABI.encode(.address, .address(address))]]))
        let block = logs.filter { !$0.removed }.compactMap(\.blockNumber).max() ?? 0
        let value = try await batchMembers(client: client, marketplace: marketplace, abi: abi, [address], at: head)[0]
        return MemberEntry(
            address: address, status: value.status, adhesionHash: value.docHash, registeredAt: value.registeredAt,
            registeredBlock: value.status == .none ? 0 : block)
    }

    /// The status word used by the CLI and the API: `none`, `pending`, `active`, `suspended`,
    /// `rejected`.
    public static func statusName(_ status: MemberStatus) -> String {
        switch status {
        case .none: return "none"
        case .pending: return "pending"
        case .active: return "active"
        case .suspended: return "suspended"
        case .rejected: return "rejected"
        }
    }

    /// The status for a word of `statusName` (case-insensitive); nil for anything else.
    public static func status(named name: String) -> MemberStatus? {
        switch name.lowercased() {
        case "none": return MemberStatus.none
        case "pending": return .pending
        case "active": return .active
        case "suspended": return .suspended
        case "rejected": return .rejected
        default: return nil
        }
    }

    /// The Marketplace ABI from the compiled artifacts.
    static func marketplaceABI() throws -> ContractABI {
        do { return try ArtifactStore.locate().artifact("Marketplace").abi } catch {
            throw AdminError.refused("cannot load the Marketplace contract's ABI: \(error)")
        }
    }

    /// `members(addr)` of each address at block `at`, as JSON-RPC batches of at most 500 calls.
    static func batchMembers(
        client: EthClient, marketplace: Address, abi: ContractABI, _ members: [Address], at block: UInt64
    ) async throws -> [(status: MemberStatus, registeredAt: UInt64, docHash: [UInt8])] {
        let function = try abi.function("members")
        var out = [(status: MemberStatus, registeredAt: UInt64, docHash: [UInt8])]()
        for part in Phases.chunked(members, size: 500) {
            let calls = try part.map { member in
                RPCCall(
                    "eth_call",
                    [
                        CallRequest(to: marketplace, data: try function.encodeCall([.address(member)])).json,
                        BlockTag.number(block).json,
                    ])
            }
            for result in try await client.rpc.batch(calls) {
                let value = try result.get()
                guard let text = value.stringValue, let bytes = try? Hex.decode(text) else {
                    throw AdminError.failed("members(): unexpected answer \(value) from the node")
                }
                let fields = try function.decodeOutput(bytes)
                guard fields.count == 3 else {
                    throw AdminError.failed(
                        "members(): expected 3 fields, got \(fields.count); is it a cer-run Marketplace?")
                }
                out.append(
                    (
                        MemberStatus(rawValue: UInt8(fields[0].uintValue ?? 0)) ?? .none,
                        UInt64(fields[1].uintValue ?? 0), fields[2].bytesValue ?? []
                    ))
            }
        }
        return out
    }
}
