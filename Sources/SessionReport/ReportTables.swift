/// The HTML tables. Every data cell carries `data-field` (the JSON key) and, unless the value is `null`,
/// `data-value` with the exact raw value of the JSON export.
enum ReportTables {
    /// available + locked + wallet, by integer arithmetic; `nil` if one of them is unknown or
    /// not an integer.
    static func finalBalance(_ member: SessionReportData.Member) -> String? {
        guard let available = member.available, let locked = member.locked, let wallet = member.wallet else {
            return nil
        }
        return ReportNumbers.sum([available, locked, wallet])
    }

    /// The exact sum of a column; `nil` when any member's value is unknown.
    static func columnSum(_ values: [String?]) -> String? {
        let known = values.compactMap { $0 }
        return known.count == values.count ? ReportNumbers.sum(known) : nil
    }

    // MARK: Cells

    static func number(_ field: String, _ raw: String?, extra: String = "", _ shown: (String) -> String) -> String {
        guard let raw else { return "<td class=\"num na\(extra)\" data-field=\"\(field)\">—</td>" }
        return "<td class=\"num\(extra)\" data-field=\"\(field)\" data-value=\"\(raw.html)\">\(shown(raw).html)</td>"
    }

    static func energy(_ field: String, _ wh: UInt64?) -> String {
        number(field, wh.map { String($0) }, ReportNumbers.kWh)
    }

    static func energy(_ field: String, _ wh: String?) -> String {
        number(field, wh, ReportNumbers.kWh)
    }

    static func money(_ field: String, _ raw: String?, _ data: SessionReportData, extra: String = "") -> String {
        number(field, raw, extra: extra) { ReportNumbers.units($0, decimals: data.tokenDecimals) }
    }

    static func integer(_ field: String, _ value: String?, extra: String = "") -> String {
        number(field, value, extra: extra) { $0 }
    }

    static func integer(_ field: String, _ value: UInt64?) -> String {
        integer(field, value.map { String($0) })
    }

    static func text(_ field: String, _ value: String, cssClass: String? = nil, shortened: Bool = false) -> String {
        let shown = shortened ? Self.shortened(value) : value
        let classAttribute = cssClass.map { " class=\"\($0)\"" } ?? ""
        let titleAttribute = shown == value ? "" : " title=\"\(value.html)\""
        return "<td\(classAttribute) data-field=\"\(field)\" data-value=\"\(value.html)\"\(titleAttribute)>"
            + "\(shown.html)</td>"
    }

    /// Long hex strings (addresses, hashes) shortened for display: `0x5fbdb231…180aa3`.
    static func shortened(_ value: String) -> String {
        value.count > 20 ? "\(value.prefix(10))…\(value.suffix(6))" : value
    }

    static func table(
        id: String, caption: String, header: [String], numeric: Set<Int>, body: String, foot: String = ""
    ) -> String {
        var out = "<div class=\"table-wrap\"><table id=\"\(id)\"><caption>\(caption.html)</caption><thead><tr>"
        for (index, title) in header.enumerated() {
            out += "<th scope=\"col\"\(numeric.contains(index) ? " class=\"num\"" : "")>\(title.html)</th>"
        }
        return out + "</tr></thead><tbody>\(body)</tbody>\(foot)</table></div>"
    }

    static func empty(_ message: String) -> String {
        "<p class=\"empty\">\(message.html)</p>"
    }

    // MARK: Tables

    static func members(_ data: SessionReportData) -> String {
        let unit = data.tokenSymbol
        let header = [
            "Member", "POD", "Role", "Bought (kWh)", "Sold (kWh)", "Delivered (kWh)", "Paid (\(unit))",
            "Received (\(unit))", "Penalty (\(unit))", "Available (\(unit))", "Locked (\(unit))",
            "Wallet (\(unit))", "Final balance (\(unit))",
        ]
        var body = ""
        for member in data.members {
            body += "<tr data-member=\"\(member.id.html)\">"
            body += "<td data-field=\"id\" data-value=\"\(member.id.html)\" title=\"\(member.address.html)\">"
            body += "<span class=\"member-id\">\(member.id.html)</span>"
            body += "<span class=\"addr\" data-field=\"address\" data-value=\"\(member.address.html)\">"
            body += "\(shortened(member.address).html)</span></td>"
            body += text("pod", member.pod, cssClass: "mono") + text("role", member.role)
            body += energy("boughtWh", member.boughtWh) + energy("soldWh", member.soldWh)
            body += energy("deliveredWh", member.deliveredWh)
            body += money("paid", member.paid, data) + money("received", member.received, data)
            body += money("penalty", member.penalty, data) + money("available", member.available, data)
            body += money("locked", member.locked, data) + money("wallet", member.wallet, data)
            body += money("finalBalance", finalBalance(member), data, extra: " strong")
            body += "</tr>"
        }
        guard !data.members.isEmpty else { return empty("No members in this session.") }
        let sums: [(String, KeyPath<SessionReportData.Member, String?>)] = [
            ("paid", \.paid), ("received", \.received), ("penalty", \.penalty), ("available", \.available),
            ("locked", \.locked), ("wallet", \.wallet),
        ]
        var foot = "<tfoot><tr class=\"sum\"><th scope=\"row\" colspan=\"3\">Sum</th>"
        foot += energy("boughtWh", data.members.reduce(0) { $0 &+ $1.boughtWh })
        foot += energy("soldWh", data.members.reduce(0) { $0 &+ $1.soldWh })
        let delivered = data.members.compactMap(\.deliveredWh)
        foot += energy(
            "deliveredWh", delivered.count == data.members.count ? delivered.reduce(0) { $0 &+ $1 } : nil)
        for (field, path) in sums {
            foot += money(field, columnSum(data.members.map { $0[keyPath: path] }), data)
        }
        foot += money("finalBalance", columnSum(data.members.map(finalBalance)), data)
        foot += "</tr></tfoot>"
        return table(
            id: "members", caption: "Member results and final balances", header: header, numeric: Set(3..<13),
            body: body, foot: foot)
    }

    static func slots(_ data: SessionReportData) -> String {
        guard !data.slots.isEmpty else { return empty("No slots in this session.") }
        var body = ""
        for slot in data.slots {
            body += "<tr data-slot=\"\(slot.slot)\"\(slot.volumeWh == 0 ? " class=\"idle\"" : "")>"
            body += integer("slot", String(slot.slot), extra: " dim")
            body += text("start", slot.start)
            body += money("price", slot.price, data) + energy("volumeWh", slot.volumeWh)
            body += energy("validatedWh", slot.validatedWh)
            body += integer("bidCount", UInt64(slot.bids.count)) + integer("offerCount", UInt64(slot.offers.count))
            body += "</tr>"
        }
        let header = [
            "#", "Start", "Price (\(data.tokenSymbol)/kWh)", "Volume (kWh)", "Validated (kWh)", "Bids", "Offers",
        ]
        return table(
            id: "slots", caption: "Clearing result per slot", header: header, numeric: [0, 2, 3, 4, 5, 6], body: body)
    }

    static func hours(_ data: SessionReportData) -> String {
        guard !data.hours.isEmpty else { return empty("No hours in this session.") }
        var body = ""
        for hour in data.hours {
            body += "<tr data-hour=\"\(hour.hour)\">"
            body += integer("hour", String(hour.hour), extra: " dim")
            body += text("start", hour.start)
            body += energy("tradedWh", hour.tradedWh) + energy("sharedEnergyWh", hour.sharedEnergyWh)
            body += "</tr>"
        }
        let header = ["#", "Start", "Traded (kWh)", "CER shared energy (kWh)"]
        return table(id: "hours", caption: "Energy per hour", header: header, numeric: [0, 2, 3], body: body)
    }

    static func totals(_ data: SessionReportData) -> String {
        let totals = data.totals
        let symbol = data.tokenSymbol
        let rows: [(String, String, String)] = [
            ("tradedWh", "Traded energy (kWh)", energy("tradedWh", totals.tradedWh)),
            ("validatedWh", "Validated energy (kWh)", energy("validatedWh", totals.validatedWh)),
            ("sharedEnergyWh", "CER shared energy (kWh)", energy("sharedEnergyWh", totals.sharedEnergyWh)),
            ("paid", "Paid by buyers (\(symbol))", money("paid", totals.paid, data)),
            ("received", "Received by sellers (\(symbol))", money("received", totals.received, data)),
            ("penalties", "Penalties (\(symbol))", money("penalties", totals.penalties, data)),
            ("dust", "Rounding dust (\(symbol))", money("dust", totals.dust, data)),
            ("treasury", "Treasury (\(symbol))", money("treasury", totals.treasury, data)),
        ]
        var out = "<div class=\"table-wrap\"><table id=\"totals\" class=\"totals\"><caption>Session totals</caption>"
        out += "<tbody>"
        for (field, label, cell) in rows {
            out += "<tr data-total=\"\(field)\"><th scope=\"row\">\(label.html)</th>\(cell)</tr>"
        }
        return out + "</tbody></table></div>"
    }

    static func transactions(_ data: SessionReportData) -> String {
        guard !data.transactions.isEmpty else { return empty("No transactions recorded for this session.") }
        var body = ""
        for tx in data.transactions {
            let status: String
            switch tx.status {
            case 1: status = "<span class=\"ok\">ok</span>"
            case 0: status = "<span class=\"bad\">reverted</span>"
            case let other?: status = String(other)
            case nil: status = tx.block == nil ? "not mined" : "unknown"
            }
            body += "<tr data-tx=\"\(tx.hash.html)\"\(tx.status == 0 ? " class=\"reverted\"" : "")>"
            body +=
                text("step", tx.step, cssClass: "mono") + text("sender", tx.sender, cssClass: "mono", shortened: true)
            body += integer("nonce", tx.nonce) + text("hash", tx.hash, cssClass: "mono", shortened: true)
            body += integer("block", tx.block)
            let statusValue = tx.status.map { " data-value=\"\($0)\"" } ?? ""
            body += "<td class=\"num\" data-field=\"status\"\(statusValue)>\(status)</td>"
            body += integer("gasUsed", tx.gasUsed) + "</tr>"
        }
        let header = ["Step", "Sender", "Nonce", "Hash", "Block", "Status", "Gas used"]
        return table(
            id: "transactions", caption: "Transactions (\(data.transactions.count))", header: header,
            numeric: [2, 4, 5, 6], body: body)
    }
}
