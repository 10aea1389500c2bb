/// The report page: header, key figures, the three charts and the tables.
enum ReportHTML {
    static func page(_ data: SessionReportData, selectedSlot: Int?) -> String {
        let title = "\(data.community) — \(data.sessionId) — session report"
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"generator\" content=\"cer-run SessionReport (\(data.version.html))\">\n"
        out += "<title>\(title.html)</title>\n<style>\n\(ReportStyle.css)</style>\n</head>\n<body>\n<main>\n"
        out += header(data)
        out += section("supply-demand", "Supply and demand", supplyDemand(data, selectedSlot: selectedSlot))
        out += section("day", "Clearing price and traded volume across the day", dayProfile(data))
        out += section("shared", "CER shared energy and traded energy per hour", sharedEnergy(data))
        out += section("results", "Member results", ReportTables.members(data))
        out += section("totals-section", "Totals", ReportTables.totals(data))
        out += section("slot-table", "Slots", ReportTables.slots(data))
        out += section("hour-table", "Hours", ReportTables.hours(data))
        out += section("tx-table", "Transactions", ReportTables.transactions(data))
        out += "<footer>Report format \(data.version.html). Amounts in \(data.tokenSymbol.html) are exact "
        out += "(\(data.tokenDecimals) decimals, no rounding); energy in kWh with 3 decimals (exact Wh). "
        out += "The same numbers are in the JSON and CSV exports.</footer>\n"
        return out + "</main>\n</body>\n</html>\n"
    }

    static func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(title.html)</h2>\n\(body)\n</section>\n"
    }

    static func header(_ data: SessionReportData) -> String {
        var out = "<header class=\"page\">\n<p class=\"kicker\">Renewable energy community · local energy market</p>\n"
        out += "<h1>\(data.community.html)<span class=\"session\">Session \(data.sessionId.html) · delivery day "
        out += "\(data.deliveryDay.html)</span></h1>\n<dl class=\"meta\">"
        let items: [(String, String, Bool)] = [
            ("Session id", data.sessionId, true), ("Delivery day", data.deliveryDay, false),
            ("Time zone", data.timeZone, false), ("Slot length", "\(data.slotMinutes) min", false),
            ("Clearing mechanism", data.plugin, false), ("State", data.state, false),
            ("Chain id", String(data.chainId), true), ("Marketplace", data.marketplace, true),
            ("Chain session id", String(data.chainSessionId), true),
            ("Token", "\(data.tokenSymbol) (\(data.tokenDecimals) decimals)", false),
        ]
        for (label, value, mono) in items {
            out += "<div><dt>\(label.html)</dt><dd\(mono ? " class=\"mono\"" : "")>\(value.html)</dd></div>"
        }
        out += "</dl>\n" + keyFigures(data)
        out += "<nav class=\"toc\"><a href=\"#supply-demand\">Supply &amp; demand</a><a href=\"#day\">Day profile</a>"
        out +=
            "<a href=\"#shared\">Shared energy</a><a href=\"#results\">Members</a><a href=\"#totals-section\">Totals</a>"
        out +=
            "<a href=\"#slot-table\">Slots</a><a href=\"#hour-table\">Hours</a><a href=\"#tx-table\">Transactions</a>"
        return out + "</nav>\n</header>\n"
    }

    static func keyFigures(_ data: SessionReportData) -> String {
        let totals = data.totals
        let symbol = data.tokenSymbol
        let money = { (raw: String) in ReportNumbers.units(raw, decimals: data.tokenDecimals) }
        let tradedSlots = data.slots.filter { $0.volumeWh > 0 }.count
        let figures: [(String, String, String)] = [
            ("Traded energy", ReportNumbers.kWh(totals.tradedWh), "kWh"),
            ("Validated energy", totals.validatedWh.map { ReportNumbers.kWh($0) } ?? "—", "kWh"),
            ("CER shared energy", totals.sharedEnergyWh.map { ReportNumbers.kWh($0) } ?? "—", "kWh"),
            ("Paid by buyers", money(totals.paid), symbol), ("Penalties", money(totals.penalties), symbol),
            ("Members", String(data.members.count), ""),
            ("Slots with trades", "\(tradedSlots) of \(data.slots.count)", ""),
        ]
        var out = "<div class=\"kpis\">"
        for (label, value, unit) in figures {
            out += "<div class=\"kpi\"><div class=\"k\">\(label.html)</div><div class=\"v\">\(value.html)"
            out += unit.isEmpty || value == "—" ? "" : " <span class=\"u\">\(unit.html)</span>"
            out += "</div></div>"
        }
        return out + "</div>\n"
    }

    static func supplyDemand(_ data: SessionReportData, selectedSlot: Int?) -> String {
        let chosen =
            selectedSlot.flatMap { index in data.slots.first { $0.slot == index } }
            ?? SupplyDemandChart.defaultSlot(data.slots)
        guard let chosen else {
            return ReportTables.empty("No orders were placed in this session: there are no curves to draw.")
        }
        let symbol = data.tokenSymbol
        var out = "<h3>Slot \(chosen.start.html) (#\(chosen.slot))"
        if selectedSlot == chosen.slot {
            out += "</h3>\n"
        } else if chosen.volumeWh > 0 {
            out += " — the slot with the largest traded volume</h3>\n"
        } else {
            out += " — nothing traded; the slot with the most orders</h3>\n"
        }
        out += "<p class=\"note\">Demand: bids sorted by limit price, highest first; supply: offers sorted by limit "
        out += "price, lowest first. x: cumulative quantity (kWh); y: limit price (\(symbol.html)/kWh). "
        if let price = chosen.price {
            out += "Clearing price \(ReportNumbers.units(price, decimals: data.tokenDecimals).html) "
            out += "\(symbol.html)/kWh, traded volume \(ReportNumbers.kWh(chosen.volumeWh)) kWh.</p>\n"
        } else {
            out += "Nothing traded in this slot.</p>\n"
        }
        out += "<figure class=\"large\">\(SupplyDemandChart.svg(chosen, data: data, layout: .large))</figure>\n"
        let withOrders = data.slots.filter(SupplyDemandChart.hasOrders)
        out += "<h3>All slots with orders (\(withOrders.count) of \(data.slots.count))</h3>\n"
        out += "<p class=\"note\">Same axes as above in each panel: kWh across, \(symbol.html)/kWh up; each panel has "
        out += "its own scale. Slots without orders are left out.</p>\n<div class=\"multiples\">\n"
        for slot in withOrders {
            let price = slot.price.map { ReportNumbers.units($0, decimals: data.tokenDecimals) } ?? "no trade"
            out += "<figure id=\"sd-slot-\(slot.slot)\"\(slot.slot == chosen.slot ? " class=\"selected\"" : "")>"
            out += "<figcaption><b>\(slot.start.html)</b><span>\(price.html)"
            out += slot.price == nil ? "" : " · \(ReportNumbers.kWh(slot.volumeWh)) kWh"
            out += "</span></figcaption>\(SupplyDemandChart.svg(slot, data: data, layout: .small))</figure>\n"
        }
        return out + "</div>"
    }

    static func dayProfile(_ data: SessionReportData) -> String {
        var out = "<p class=\"note\">Bars: traded volume per \(data.slotMinutes)-minute slot (left axis). Points: "
        out += "clearing price (right axis); slots without a price have no point.</p>\n"
        out += "<figure>\(ReportCharts.dayProfile(data))</figure>"
        return out
    }

    static func sharedEnergy(_ data: SessionReportData) -> String {
        var out = "<p class=\"note\">Per hour: energy traded in the market next to the CER shared energy, "
        out += "the minimum of the community's total injection and total withdrawal measured by the meters.</p>\n"
        out += "<figure>\(ReportCharts.sharedEnergy(data))</figure>"
        return out
    }
}
