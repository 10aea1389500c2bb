import Chain
import Foundation
import PhaseRunner
import SessionReport

/// The JSON of `GET /api/v1/sessions/{id}/results`: clearing prices and fills (`clearing.json`
/// with `book.json`), validated deliveries (`validation.json`) and member results (the session
/// report's numbers). Lists are empty before the clearing / the validation.
public enum SessionResults {
    /// The results of `facts`' run in `state`; `member` keeps only that member's fills,
    /// deliveries and result.
    public static func json(_ facts: RunFacts, state: String, member: Address? = nil) throws(PortalError) -> JSONValue {
        let run = facts.run
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
        let fills: [JSONValue] = (clearing?["fills"]?.arrayValue ?? []).compactMap { fill in
            guard let id = fill["orderID"]?.stringValue, let order = orders[id], keep(order.member),
                let quantity = number(fill["quantityWh"]), let price = number(fill["price"])
            else { return nil }
            return [
                "member": .string(order.member), "slot": .int(order.slot), "side": .string(order.side),
                "quantityWh": .int(Int64(quantity) ?? 0), "price": .string(price),
            ]
        }

        var deliveries = [JSONValue]()
        for entry in validation?["members"]?.arrayValue ?? [] {
            guard let address = entry["address"]?.stringValue, keep(address) else { continue }
            let delivered = entry["delivered"]?.arrayValue ?? []
            let penalty = entry["penalty"]?.stringValue ?? "0"
            for (i, fill) in (entry["fills"]?.arrayValue ?? []).enumerated() {
                guard case .int(let index)? = fill["orderIndex"],
                    let order = orders["\(address.lowercased())/\(index)"],
                    let quantity = number(fill["quantityWh"]).flatMap({ Int64($0) })
                else { continue }
                let validated = i < delivered.count ? (number(delivered[i]).flatMap { Int64($0) } ?? 0) : 0
                deliveries.append([
                    "member": .string(order.member), "slot": .int(order.slot), "side": .string(order.side),
                    "validatedWh": .int(validated), "shortfallWh": .int(max(0, quantity - validated)),
                    "penalty": .string(penalty),
                ])
            }
        }

        var members = [JSONValue]()
        if clearing != nil {
            let data = try reportMembers(run)
            for m in data where keep(m.address) {
                members.append([
                    "address": .string(m.address), "id": .string(m.id), "boughtWh": .int(Int64(m.boughtWh)),
                    "soldWh": .int(Int64(m.soldWh)), "deliveredWh": m.deliveredWh.map { .int(Int64($0)) } ?? .null,
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

    /// An integer written as a JSON number or a decimal string, as text (nil otherwise).
    static func number(_ value: JSONValue?) -> String? {
        switch value {
        case .int(let n)?: String(n)
        case .string(let s)? where !s.isEmpty && s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber): s
        default: nil
        }
    }

    static func file(_ run: RunFolder, _ name: String) throws(PortalError) -> JSONValue? {
        do { return try run.json(name) } catch {
            throw .notFound("session \(run.manifest.session.id): \(error.description)")
        }
    }
}
