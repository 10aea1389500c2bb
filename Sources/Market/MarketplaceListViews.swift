import BigInt
import Chain

/// The marketplace's list views: one `eth_call` answers for many members (a 1,000-member
/// community read one by one costs the node thousands of calls).
///
/// A marketplace deployed before the list views existed reverts with empty data on them; the
/// reads then fall back to one `members` or `checkFunds` call per member, sent as JSON-RPC
/// batches, so cer-run keeps working against communities deployed by an older release.
extension MarketplaceContract {
    /// Members per `eth_call`: a call of a 10,000-member list could exceed a node's gas cap for
    /// calls (each member costs a few thousand gas of storage reads).
    public static let listViewPart = 500

    /// Each member's status, in order (`statusesOf`).
    public func statuses(of members: [Address]) async throws -> [MemberStatus] {
        let columns = try await listView("statusesOf", members, outputs: 1, fallback: "members")
        return try columns[0].map { raw in
            guard let status = UInt8(exactly: raw).flatMap(MemberStatus.init(rawValue:)) else {
                throw ContractCallError.rpc(.malformedResponse(method: "statusesOf", reason: "no member status \(raw)"))
            }
            return status
        }
    }

    /// Each member's available and locked funds, in order (`fundsOf`, `checkFunds` for a list).
    public func funds(of members: [Address]) async throws -> [(available: BigUInt, locked: BigUInt)] {
        let columns = try await listView("fundsOf", members, outputs: 2, fallback: "checkFunds")
        return members.indices.map { (columns[0][$0], columns[1][$0]) }
    }

    /// `function(part)` for consecutive parts of `members`: its `outputs` lists of unsigned
    /// integers, each checked to hold one entry per member, joined. When the contract has no
    /// such function, the first `outputs` results of `fallback(member)` for each member.
    private func listView(_ function: String, _ members: [Address], outputs: Int, fallback: String) async throws
        -> [[BigUInt]]
    {
        var columns = [[BigUInt]](repeating: [], count: outputs)
        for start in stride(from: 0, to: members.count, by: Self.listViewPart) {
            let part = members[start..<min(members.count, start + Self.listViewPart)]
            let values: [ABIValue]
            do {
                values = try await read(function, [.array(part.map { .address($0) })])
            } catch ContractCallError.reverted(.empty) where start == 0 {
                // No such function (a contract of an older release): its dispatcher reverts
                // without data. Nothing else in these views can revert.
                return try await perMember(fallback, members, outputs: outputs)
            }
            guard values.count == outputs else {
                throw ContractCallError.rpc(
                    .malformedResponse(method: function, reason: "\(values.count) outputs, expected \(outputs)"))
            }
            for (index, value) in values.enumerated() {
                guard case .array(let items) = value, items.count == part.count else {
                    throw ContractCallError.rpc(
                        .malformedResponse(
                            method: function, reason: "output \(index) has not one entry per member (\(part.count))"))
                }
                for item in items {
                    guard let number = item.uintValue else {
                        throw ContractCallError.rpc(
                            .malformedResponse(method: function, reason: "\(item) is not an unsigned integer"))
                    }
                    columns[index].append(number)
                }
            }
        }
        return columns
    }

    /// `function(member)` for each member (`Contract.callEach`): the first `outputs` results of
    /// each, as columns.
    private func perMember(_ function: String, _ members: [Address], outputs: Int) async throws -> [[BigUInt]] {
        var columns = [[BigUInt]](repeating: [], count: outputs)
        for decoded in try await contract.callEach(
            function, members.map { [.address($0)] }, batchSize: Self.listViewPart)
        {
            guard decoded.count >= outputs else {
                throw ContractCallError.rpc(
                    .malformedResponse(method: function, reason: "\(decoded.count) outputs, expected \(outputs)"))
            }
            for index in 0..<outputs {
                guard let number = decoded[index].uintValue else {
                    throw ContractCallError.rpc(
                        .malformedResponse(method: function, reason: "\(decoded[index]) is not an unsigned integer"))
                }
                columns[index].append(number)
            }
        }
        return columns
    }
}
