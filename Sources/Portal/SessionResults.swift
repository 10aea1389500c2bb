import Chain
import Foundation
import PhaseRunner
import SessionReport

/// The JSON of `GET /api/v1/sessions/{id}/results`: clearing prices and fills (`clearing.json`
/// with `book.json`), validated deliveries (`validation.json`) and member results (the session
/// report's numbers). Lists are empty before the clearing / the validation. Energy is answered
/// as decimal strings of Wh (uint64 on chain: they may exceed 2^53); a value that does not read
/// is a `.damaged` error naming the file and the field, never a zero.
public enum SessionResults {
    /// The results of `facts`' run in `state`; `member` keeps only that member's fills,
    /// deliveries and result.
    public static func json(_ facts: RunFacts, state: String, member: Address? = nil) throws(PortalError) -> JSONValue {
        let run = facts.run
        let id = run.manifest.session.id
        let clearing = try file(run, "clearing.json")
        let book = try file(run, "book.json")
        let validation = try file(run, "validation.json")
        let keep = { (address: String) in member.map { $0.hex == address.lowercased() } ?? true }

        // Orders by id (`<member lowercase>/<index>`): member, slot, side.
        var orders = [String: (member: String, slot: Int64, side: String)]()
        for order in book?["orders"]?.arrayValue ?? [] {
            guard let id = order["id"]?.stringValue, let owner = order["member"]?.stringValue,
                case .int(let slot)? = order["slot"], let side = order["side"]?.stringValue
            else { continue }
            orders[id] = ((try? Address(owner).checksummed) ?? owner, slot, side)
        }

        let prices: [JSONValue] = (clearing?["slots"]?.arrayValue ?? []).compactMap { slot in
            guard case .int(let index)? = slot["slot"] else { return nil }
            return ["slot": .int(index), "price": number(slot["price"]).map { .string($0) } ?? .null]
        }
        var fills = [JSONValue]()
        for (i, fill) in (clearing?["fills"]?.arrayValue ?? []).enumerated() {
            let field = "clearing.json fills[\(i)]"
            guard let orderID = fill["orderID"]?.stringValue, let order = orders[orderID] else {
                throw .damaged(
                    "session \(id): \(field).orderID \(fill["orderID"]?.jsonText ?? "(missing)") is not an order of "
                        + "book.json")
            }
            guard keep(order.member) else { continue }
            let quantity = try wh(fill["quantityWh"], "session \(id): \(field).quantityWh")
            guard let price = number(fill["price"]) else {
                throw .damaged("session \(id): \(field).price is not a non-negative integer")
            }
            fills.append([
                "member": .string(order.member), "slot": .int(order.slot), "side": .string(order.side),
                "quantityWh": .string(String(quantity)), "price": .string(price),
            ])
        }

        var deliveries = [JSONValue]()
        for (m, entry) in (validation?["members"]?.arrayValue ?? []).enumerated() {
            guard let address = entry["address"]?.stringValue else {
                throw .damaged("session \(id): validation.json members[\(m)].address is missing")
            }
            guard keep(address) else { continue }
            let delivered = entry["delivered"]?.arrayValue ?? []
            let memberFills = entry["fills"]?.arrayValue ?? []
            guard delivered.count == memberFills.count else {
                throw .damaged(
                    "session \(id): validation.json members[\(m)] has \(memberFills.count) fills but "
                        + "\(delivered.count) delivered values")
            }
            for (i, fill) in memberFills.enumerated() {
                let field = "validation.json members[\(m)].fills[\(i)]"
                guard case .int(let index)? = fill["orderIndex"], let order = orders["\(address.lowercased())/\(index)"]
                else {
                    throw .damaged("session \(id): \(field).orderIndex is not an order of \(address) in book.json")
                }
                let quantity = try wh(fill["quantityWh"], "session \(id): \(field).quantityWh")
                let validated = try wh(delivered[i], "session \(id): validation.json members[\(m)].delivered[\(i)]")
                deliveries.append([
                    "member": .string(order.member), "slot": .int(order.slot), "side": .string(order.side),
                    "validatedWh": .string(String(validated)),
                    "shortfallWh": .string(String(quantity > validated ? quantity - validated : 0)),
                ])
            }
        }

        var members = [JSONValue]()
        if clearing != nil {
            let data = try reportMembers(run)
            for m in data where keep(m.address) {
                members.append([
                    "address": .string(m.address), "id": .string(m.id), "boughtWh": .string(String(m.boughtWh)),
                    "soldWh": .string(String(m.soldWh)),
                    "deliveredWh": m.deliveredWh.map { .string(String($0)) } ?? .null,
                    "paid": m.paid.map { .string($0) } ?? .null, "received": m.received.map { .string($0) } ?? .null,
                    "penalty": m.penalty.map { .string($0) } ?? .null,
                ])
            }
        }
        return [
            "state": .string(state), "prices": .array(prices), "fills": .array(fills),
            "deliveries": .array(deliveries), "members": .array(members),
        ]
    }

    /// The session report's member rows: `report-data.json`'s once written, else computed from
    /// the folder the same way (`RunReport.data`).
    static func reportMembers(_ run: RunFolder) throws(PortalError) -> [SessionReportData.Member] {
        if let data = run.data("report-data.json"),
            let report = try? JSONDecoder().decode(SessionReportData.self, from: data)
        {
            return report.members
        }
        do { return try RunReport.data(run.url).members } catch {
            throw .notFound("session \(run.manifest.session.id): its results cannot be read (\(error.description))")
        }
    }

    /// An energy in Wh (a JSON integer or a decimal string, 0…2^64-1); otherwise `.damaged`
    /// naming `field`.
    static func wh(_ value: JSONValue?, _ field: String) throws(PortalError) -> UInt64 {
        guard let text = number(value), let wh = UInt64(text) else {
            throw .damaged("\(field) is \(value?.jsonText ?? "missing"), not a whole number of Wh below 2^64")
        }
        return wh
    }

    /// An integer written as a JSON number or a decimal string, as text (nil otherwise).
    static func number(_ value: JSONValue?) -> String? {
        switch value {
        case .int(let n)? where n >= 0: String(n)
        case .string(let s)? where !s.isEmpty && s.utf8.allSatisfy({ (48...57).contains($0) }): s
        default: nil
        }
    }

    static func file(_ run: RunFolder, _ name: String) throws(PortalError) -> JSONValue? {
        do { return try run.json(name) } catch {
            throw .notFound("session \(run.manifest.session.id): \(error.description)")
        }
    }
}
