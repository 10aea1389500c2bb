import Foundation

/// The CSV exports (RFC 4180: comma separated, CRLF line ends, a header row, quoted fields where needed).
///
/// Values are the exact raw numbers of the JSON export: energy in Wh, money in token base units; a missing
/// (`null`) value is an empty field.
enum ReportCSV {
    /// All tables by name.
    static func tables(_ data: SessionReportData) -> [String: String] {
        [
            "members": members(data), "slots": slots(data), "hours": hours(data),
            "transactions": transactions(data), "orders": orders(data), "totals": totals(data),
        ]
    }

    static func members(_ data: SessionReportData) -> String {
        let header = [
            "id", "address", "pod", "role", "boughtWh", "soldWh", "deliveredWh", "paid", "received", "penalty",
            "available", "locked", "wallet", "finalBalance",
        ]
        let rows = data.members.map { member in
            [
                member.id, member.address, member.pod, member.role, String(member.boughtWh), String(member.soldWh),
                member.deliveredWh.map { String($0) } ?? "", member.paid ?? "", member.received ?? "",
                member.penalty ?? "", member.available ?? "", member.locked ?? "", member.wallet ?? "",
                ReportTables.finalBalance(member) ?? "",
            ]
        }
        return document(header, rows)
    }

    static func slots(_ data: SessionReportData) -> String {
        let header = ["slot", "start", "price", "volumeWh", "validatedWh", "bidCount", "offerCount"]
        let rows = data.slots.map { slot in
            [
                String(slot.slot), slot.start, slot.price ?? "", String(slot.volumeWh),
                slot.validatedWh.map { String($0) } ?? "", String(slot.bids.count), String(slot.offers.count),
            ]
        }
        return document(header, rows)
    }

    static func orders(_ data: SessionReportData) -> String {
        let header = ["slot", "start", "side", "quantityWh", "limitPrice"]
        var rows: [[String]] = []
        for slot in data.slots {
            for bid in slot.bids {
                rows.append([String(slot.slot), slot.start, "bid", String(bid.quantityWh), bid.limitPrice])
            }
            for offer in slot.offers {
                rows.append([String(slot.slot), slot.start, "offer", String(offer.quantityWh), offer.limitPrice])
            }
        }
        return document(header, rows)
    }

    static func hours(_ data: SessionReportData) -> String {
        let rows = data.hours.map { hour in
            [String(hour.hour), hour.start, String(hour.tradedWh), hour.sharedEnergyWh ?? ""]
        }
        return document(["hour", "start", "tradedWh", "sharedEnergyWh"], rows)
    }

    static func transactions(_ data: SessionReportData) -> String {
        let header = ["step", "sender", "hash", "nonce", "block", "status", "gasUsed"]
        let rows = data.transactions.map { tx in
            [
                tx.step, tx.sender, tx.hash, String(tx.nonce), tx.block.map { String($0) } ?? "",
                tx.status.map { String($0) } ?? "", tx.gasUsed.map { String($0) } ?? "",
            ]
        }
        return document(header, rows)
    }

    static func totals(_ data: SessionReportData) -> String {
        let totals = data.totals
        let header = [
            "tradedWh", "validatedWh", "sharedEnergyWh", "paid", "received", "penalties", "dust", "treasury",
        ]
        let row = [
            String(totals.tradedWh), totals.validatedWh.map { String($0) } ?? "", totals.sharedEnergyWh ?? "",
            totals.paid, totals.received, totals.penalties, totals.dust, totals.treasury,
        ]
        return document(header, [row])
    }

    /// Header and rows joined with CRLF, every line (the last too) ending in CRLF.
    static func document(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// A field, quoted when it holds a comma, a quote, a line break or surrounding spaces.
    static func field(_ value: String) -> String {
        let needsQuotes =
            value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || value.hasPrefix(" ") || value.hasSuffix(" ")
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
