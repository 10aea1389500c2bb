import Chain
import Market
import PhaseRunner

/// The members endpoints' data: the marketplace's registered members (`MemberDirectory`) and
/// one member's funds (`checkFunds`). Both need a node (503 otherwise).
extension PortalData {
    /// The statuses `?status=` accepts.
    public static let memberStatuses: [String: MemberStatus] = [
        "pending": .pending, "active": .active, "suspended": .suspended, "rejected": .rejected,
    ]

    /// `GET /api/v1/members`.
    public func members(status: String?, page: Page) async throws(PortalError) -> JSONValue {
        var filter: MemberStatus?
        if let status {
            guard let value = Self.memberStatuses[status] else {
                throw .badRequest("status=\(status): use pending, active, suspended or rejected (or leave it out)")
            }
            filter = value
        }
        let chain = try node()
        let entries: [MemberEntry]
        do {
            entries = try await MemberDirectory.list(
                client: chain.client, marketplace: chain.marketplace.address, fromBlock: chain.memberLogsFrom,
                status: filter)
        } catch { throw chain.failure("the member list", error) }
        return page.answer(entries.map(\.json))
    }

    /// `GET /api/v1/members/{address}`: the entry plus `available` and `locked`.
    public func member(_ address: Address) async throws(PortalError) -> JSONValue {
        let chain = try node()
        let entry: MemberEntry
        do {
            entry = try await MemberDirectory.member(
                client: chain.client, marketplace: chain.marketplace.address, address: address)
        } catch { throw chain.failure("members(\(address.checksummed))", error) }
        guard entry.status != .none else {
            throw .notFound(
                "\(address.checksummed) never registered on marketplace \(chain.marketplace.address.checksummed): "
                    + "register first (registerUser with the adhesion document's hash)")
        }
        let funds = try await chain.funds(address)
        var json = entry.json.objectValue ?? [:]
        json["available"] = .string(String(funds.available))
        json["locked"] = .string(String(funds.locked))
        return .object(json)
    }

    func node() throws(PortalError) -> ChainAccess {
        guard let chain else {
            throw .unavailable(
                "this server reads no node, so it knows no members: start it with --rpc URL --marketplace 0x… "
                    + "(a dev chain's node stops when its run ends)")
        }
        return chain
    }
}
