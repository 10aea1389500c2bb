import BigInt
import Chain

/// The marketplace's list views: one `eth_call` answers for many members (a 1,000-member
/// community read one by one costs the node thousands of calls).
extension MarketplaceContract {
    /// Members per `eth_call`: a call of a 10,000-member list could exceed a node's gas cap for
    /// calls (each member costs a few thousand gas of storage reads).
    public static let listViewPart = 500

    /// Each member's status, in order (`statusesOf`).
    public func statuses(of members: [Address]) async throws -> [MemberStatus] {
        let columns = try await listView("statusesOf", members, outputs: 1)
        return try columns[0].map { raw in
            guard let status = UInt8(exactly: raw).flatMap(MemberStatus.init(rawValue:)) else {
                throw ContractCallError.rpc(.malformedResponse(method: "statusesOf", reason: "no member status \(raw)"))
            }
            return status
        }
    }

    /// Each member's available and locked funds, in order (`fundsOf`, `checkFunds` for a list).
    public func funds(of members: [Address]) async throws -> [(available: BigUInt, locked: BigUInt)] {
        let columns = try await listView("fundsOf", members, outputs: 2)
        return members.indices.map { (columns[0][$0], columns[1][$0]) }
    }

    /// `function(part)` for consecutive parts of `members`: its `outputs` lists of unsigned
    /// integers, each checked to hold one entry per member, joined.
    private func listView(_ function: String, _ members: [Address], outputs: Int) async throws -> [[BigUInt]] {
        var columns = [[BigUInt]](repeating: [], count: outputs)
        for start in stride(from: 0, to: members.count, by: Self.listViewPart) {
            let part = members[start..<min(members.count, start + Self.listViewPart)]
            let values = try await read(function, [.array(part.map { .address($0) })])
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
}
