import BigInt
import Chain
import Foundation
import Market

extension ManifestParser {
    /// `D-1 18:00` (local time, days relative to the delivery day) or ISO 8601 with an offset.
    static func deadline(_ f: YAMLField, session: SessionManifest.Session) -> Int64? {
        guard let text = f.string(hint: "\"D-1 18:00\" or \"2026-11-25T18:00:00+01:00\"") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("D") {
            let parts = trimmed.split(separator: " ")
            let dayPart = parts.first.map { String($0.dropFirst()) } ?? ""
            let offset: Int? = dayPart.isEmpty ? 0 : Int(dayPart)
            let clock = parts.count == 2 ? parts[1].split(separator: ":") : []
            guard parts.count == 2, let offset, (-7...1).contains(offset), clock.count == 2, clock[0].count == 2,
                clock[1].count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]), (0...23).contains(hour),
                (0...59).contains(minute)
            else {
                f.fail("\"\(text)\" is not a deadline", hint: "D-1 18:00 means 18:00 the day before delivery (D-7…D+1)")
                return nil
            }
            let calendar = DeliveryCalendar(timeZone: TimeZone(identifier: session.timeZone)!)
            guard let time = calendar.time(day: session.deliveryDay, offset: offset, hour: hour, minute: minute) else {
                f.fail("\(text) does not exist in \(session.timeZone) on that day (DST gap)", hint: "pick another time")
                return nil
            }
            return time
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard trimmed.contains("T"), trimmed.hasSuffix("Z") || trimmed.dropLast(6).count + 6 == trimmed.count,
            let date = formatter.date(from: trimmed)
        else {
            f.fail("\"\(text)\" is not a deadline", hint: "ISO 8601 with an offset, e.g. 2026-11-25T18:00:00+01:00")
            return nil
        }
        return Int64(date.timeIntervalSince1970)
    }

    static func parseDeadlines(_ f: YAMLField, session: SessionManifest.Session) -> SessionManifest.Deadlines? {
        guard f.isPresent else {
            f.fail("missing", hint: "add `deadlines:` with commit and reveal")
            return nil
        }
        f.checkKeys(["commit", "reveal"])
        let commit = deadline(f["commit"], session: session)
        let reveal = deadline(f["reveal"], session: session)
        guard let commit, let reveal else { return nil }
        if reveal <= commit {
            f["reveal"].fail("the reveal deadline must come after the commit deadline")
            return nil
        }
        if reveal > session.deliveryStart {
            f["reveal"].fail("the reveal deadline is after the delivery day starts", hint: "e.g. D-1 20:00")
            return nil
        }
        return .init(commit: commit, reveal: reveal)
    }

    static func parseParticipants(_ f: YAMLField, session: SessionManifest.Session?, isDev: Bool)
        -> [SessionManifest.Participant]?
    {
        let items = f.elements()
        if f.isPresent, items.isEmpty, case .sequence? = f.node { f.fail("no participants") }
        var result = [SessionManifest.Participant]()
        var ok = true
        var seenIDs = [String: String]()
        var seenAddresses = [Address: String]()
        var seenPODs = [String: String]()
        for item in items {
            item.checkKeys(["id", "address", "pod", "role", "adhesion", "key", "orders", "orders_csv"])
            let id = item["id"].string()
            if let id, id.range(of: "^[A-Za-z0-9_.-]{1,64}$", options: .regularExpression) == nil {
                item["id"].fail("\"\(id)\" is not a valid id", hint: "letters, digits, _ . - (at most 64)")
            }
            if let id {
                if let first = seenIDs[id] { item["id"].fail("duplicate id \"\(id)\"", hint: "first used at \(first)") }
                seenIDs[id] = seenIDs[id] ?? item.path
            }
            let address = self.address(item["address"])
            if let address {
                if let first = seenAddresses[address] {
                    item["address"].fail("address \(address) is used twice", hint: "first used at \(first)")
                }
                seenAddresses[address] = seenAddresses[address] ?? item.path
            }
            let pod = item["pod"].string(hint: "the point of delivery code, e.g. IT001E12345678")
            if let pod {
                if pod.range(of: "^IT[0-9]{3}E[0-9]{8,9}$", options: .regularExpression) == nil {
                    item["pod"].fail("\"\(pod)\" is not an Italian POD code", hint: "IT + 3 digits + E + 8 digits")
                }
                if let first = seenPODs[pod] {
                    item["pod"].fail("POD \(pod) is used twice", hint: "first used at \(first)")
                }
                seenPODs[pod] = seenPODs[pod] ?? item.path
            }
            let role = item["role"].choice(["consumer", "prosumer", "producer"]).flatMap(SessionManifest.Role.init)
            let adhesion = item["adhesion"].string(hint: "path to the signed adhesion document")
            let key = parseKey(item["key"], isDev: isDev, required: false)
            if item["key"].isPresent, key == nil { ok = false }
            var orders = [MarketOrder]()
            if item["orders"].isPresent && item["orders_csv"].isPresent {
                item["orders_csv"].fail("give orders or orders_csv, not both")
            } else if item["orders"].isPresent, let session {
                orders = parseOrders(item["orders"], session: session, role: role)
            }
            let csv = item["orders_csv"].string(required: false)
            if (item["orders"].isPresent || csv != nil), !item["key"].isPresent {
                item["key"].fail(
                    "orders are given but the runner has no key to sign them",
                    hint: "add `key:` (agent mode) or remove the orders: the member then trades on its own")
            }
            guard let id, let address, let pod, let role, let adhesion else {
                ok = false
                continue
            }
            result.append(
                .init(
                    id: id, address: address, pod: pod, role: role, adhesionDocument: adhesion, key: key,
                    orders: orders,
                    ordersCSV: csv))
        }
        return ok ? result : nil
    }

    static func parseOrders(_ f: YAMLField, session: SessionManifest.Session, role: SessionManifest.Role?)
        -> [MarketOrder]
    {
        parseOrders(
            f, slots: session.slots, tokenDecimals: session.tokenDecimals, day: "on \(session.deliveryDay)", role: role)
    }

    /// The order list `{slot, side, kwh|wh, price}` for a session of `slots` slots; `day` names
    /// the delivery day in hints. Shared by manifests and member order files (`OrderFile`).
    static func parseOrders(
        _ f: YAMLField, slots: Int, tokenDecimals: Int, day: String, role: SessionManifest.Role?
    ) -> [MarketOrder] {
        var orders = [MarketOrder]()
        for item in f.elements() {
            item.checkKeys(["slot", "side", "kwh", "wh", "price"])
            let slot = item["slot"].integer(range: 0...(slots - 1), hint: "0…\(slots - 1) \(day)")
            let side = item["side"].choice(["buy", "sell"]).map { $0 == "buy" ? OrderSide.buy : .sell }
            var wh: BigUInt?
            if item["kwh"].isPresent && item["wh"].isPresent {
                item["wh"].fail("give kwh or wh, not both")
            } else if item["wh"].isPresent {
                wh = item["wh"].integer().map { BigUInt($0) }
            } else if let text = item["kwh"].string(hint: "energy in kWh, e.g. 1.5 (or wh: 1500)") {
                wh = DecimalAmount.parse(text, decimals: 3)
                if wh == nil { item["kwh"].fail("\"\(text)\" is not a quantity with at most 3 decimals (Wh)") }
            }
            if let value = wh, value == 0 || value.bitWidth > 64 {
                item[item["wh"].isPresent ? "wh" : "kwh"].fail(value == 0 ? "zero quantity" : "quantity too large")
                wh = nil
            }
            let price = amount(item["price"], decimals: tokenDecimals, limit: BigUInt(1) << 64)
            if let side, let role {
                if role == .consumer && side == .sell {
                    item["side"].fail("a consumer cannot sell", hint: "make the participant a prosumer")
                }
                if role == .producer && side == .buy {
                    item["side"].fail("a producer cannot buy", hint: "make the participant a prosumer")
                }
            }
            guard let slot, let side, let wh, let price else { continue }
            orders.append(
                MarketOrder(slot: UInt16(slot), side: side, quantityWh: UInt64(wh), limitPrice: UInt64(price)))
        }
        return orders
    }
}
