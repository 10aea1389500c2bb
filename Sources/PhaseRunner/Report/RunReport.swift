import BigInt
import Chain
import ClearingPlugins
import Foundation
import Manifest
import Market
import SessionReport

/// The session report of a run folder (`cer-run report`, and the end of `cer-run run`): the
/// numbers of `book.json`, `clearing.json`, `validation.json`, `report.json` and the journal
/// gathered into a `SessionReportData`, rendered as HTML, JSON and CSV. Reads the folder only
/// (at the end of a run, the journal and manifest come from memory: `write(_: RunFolder)`).
public enum RunReport {
    /// The report's files, by format.
    public enum Format: String, Sendable, CaseIterable {
        case html, json, csv
    }

    /// Gathers the numbers of `folder`.
    public static func data(_ folder: URL) throws(RunnerError) -> SessionReportData {
        try data(RunFolder.open(folder))
    }

    /// Gathers the numbers of an opened run folder.
    public static func data(_ run: RunFolder) throws(RunnerError) -> SessionReportData {
        let m = run.manifest
        let report = try run.json("report.json")
        let validation = try run.json("validation.json")
        let book = try run.json("book.json").map { json throws(RunnerError) in
            do { return try ClearingProtocol.decodeRequest(json) } catch { throw .input("book.json: \(error)") }
        }
        let clearing = run.data("clearing.json") == nil ? nil : try SessionReplay.decodeClearing(run)

        // Slots: clearing result, order book, validated volume; labels in the session's zone.
        var zone = Calendar(identifier: .gregorian)
        zone.timeZone = TimeZone(identifier: m.session.timeZone) ?? TimeZone(secondsFromGMT: 0)!
        func label(_ seconds: Int64) -> String {
            let c = zone.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
        }
        let slotSeconds = Int64(m.session.slotMinutes * 60)
        let validatedBySlot = Dictionary(
            (validation?["slots"]?.arrayValue ?? []).compactMap { s -> (Int, UInt64)? in
                guard case .int(let slot)? = s["slot"], let wh = s["validatedWh"]?.stringValue.flatMap({ UInt64($0) })
                else { return nil }
                return (Int(slot), wh)
            }, uniquingKeysWith: { a, _ in a })
        let slots = (0..<m.session.slots).map { slot in
            let result = clearing?.slots.first { $0.slot == slot }
            let orders = book?.orders.filter { $0.slot == slot } ?? []
            func steps(_ side: OrderSide) -> [SessionReportData.Step] {
                orders.filter { $0.side == side }.map {
                    .init(quantityWh: $0.quantityWh, limitPrice: String($0.limitPrice))
                }
            }
            return SessionReportData.Slot(
                slot: slot, start: label(m.session.deliveryStart + Int64(slot) * slotSeconds),
                price: result?.price.map { String($0) }, volumeWh: result?.volumeWh ?? 0,
                validatedWh: validation == nil ? nil : (validatedBySlot[slot] ?? 0), bids: steps(.buy),
                offers: steps(.sell))
        }

        // Hours: traded energy next to the CER's shared energy.
        let perHour = max(1, 60 / max(1, m.session.slotMinutes))
        let shared = validation?["hourlySharedEnergyWh"]?.arrayValue?.compactMap(\.stringValue)
        let hours = stride(from: 0, to: slots.count, by: perHour).enumerated().map { hour, first in
            SessionReportData.Hour(
                hour: hour, start: slots[first].start,
                tradedWh: slots[first..<min(first + perHour, slots.count)].reduce(0) { $0 + $1.volumeWh },
                sharedEnergyWh: shared.flatMap { hour < $0.count ? $0[hour] : nil })
        }

        // Members: the report of the chain's events when there is one; before it, what the
        // clearing and the validation say (balances unknown, receipts not paid yet).
        let rows = Dictionary(
            (report?["members"]?.arrayValue ?? []).compactMap { r in r["id"]?.stringValue.map { ($0, r) } },
            uniquingKeysWith: { a, _ in a })
        let validated = Dictionary(
            (validation?["members"]?.arrayValue ?? []).compactMap { v in v["address"]?.stringValue.map { ($0, v) } },
            uniquingKeysWith: { a, _ in a })
        let ordersByID = Dictionary((book?.orders ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Fills by member (an order id is `<address>/<index>`): one pass, not one per member.
        var fillsByMember = [Substring: [OrderFill]]()
        for fill in clearing?.fills ?? [] {
            guard let slash = fill.orderID.firstIndex(of: "/") else { continue }
            fillsByMember[fill.orderID[..<slash], default: []].append(fill)
        }
        let members = m.participants.map { p -> SessionReportData.Member in
            if let row = rows[p.id] {
                func wh(_ key: String) -> UInt64 { row[key]?.stringValue.flatMap { UInt64($0) } ?? 0 }
                return SessionReportData.Member(
                    id: p.id, address: p.address.checksummed, pod: p.pod, role: p.role.rawValue,
                    boughtWh: wh("boughtWh"), soldWh: wh("soldWh"), deliveredWh: wh("deliveredWh"),
                    paid: row["paid"]?.stringValue, received: row["received"]?.stringValue,
                    penalty: row["penalty"]?.stringValue, available: row["available"]?.stringValue,
                    locked: row["locked"]?.stringValue, wallet: row["wallet"]?.stringValue)
            }
            var bought: UInt64 = 0
            var sold: UInt64 = 0
            for fill in fillsByMember[Substring(p.address.hex)] ?? [] {
                if ordersByID[fill.orderID]?.side == .buy { bought += fill.quantityWh } else { sold += fill.quantityWh }
            }
            // A participant absent from a validation had nothing to deliver.
            let v = validated[p.address.hex]
            let known = validation != nil
            let delivered = v?["delivered"]?.arrayValue?.compactMap { $0.stringValue.flatMap { UInt64($0) } }
            return SessionReportData.Member(
                id: p.id, address: p.address.checksummed, pod: p.pod, role: p.role.rawValue, boughtWh: bought,
                soldWh: sold, deliveredWh: known ? (delivered ?? []).reduce(0, +) : nil,
                paid: known ? (v?["pay"]?.stringValue ?? "0") : nil, received: nil,
                penalty: known ? (v?["penalty"]?.stringValue ?? "0") : nil, available: nil, locked: nil, wallet: nil)
        }

        // Transactions, with their receipts.
        var mined = [String: JournalRecord]()
        for record in run.records where record.type == JournaledSender.RecordType.mined {
            if let hash = record.data["hash"]?.stringValue { mined[hash] = record }
        }
        let transactions = run.records.filter { $0.type == JournaledSender.RecordType.signed }.map { record in
            let hash = record.data["hash"]?.stringValue ?? ""
            func int(_ r: JournalRecord?, _ key: String) -> Int64? {
                if case .int(let v)? = r?.data[key] { return v }
                return nil
            }
            return SessionReportData.Transaction(
                step: record.data["step"]?.stringValue ?? "", sender: record.data["sender"]?.stringValue ?? "",
                hash: hash, nonce: UInt64(int(record, "nonce") ?? 0),
                block: int(mined[hash], "block").map { UInt64($0) },
                status: int(mined[hash], "status").map { Int($0) },
                gasUsed: int(mined[hash], "gasUsed").map { UInt64($0) })
        }

        let totals = report?["totals"]
        let sessionRecord = run.last("session")
        let chainSession: Int64
        if case .int(let id)? = sessionRecord?.data["id"] { chainSession = id } else { chainSession = 0 }
        func minedOK(_ step: String) -> Bool {
            run.records.contains {
                $0.type == JournaledSender.RecordType.mined && $0.data["step"]?.stringValue == step
                    && $0.data["status"] == .int(1)
            }
        }
        let state =
            report?["state"]?.stringValue
            ?? (minedOK("publish/validation/finalize")
                ? "validated" : minedOK("publish/finalize") ? "cleared" : sessionRecord != nil ? "open" : "not opened")
        var tokenSymbol = "token"
        if case .deploy = m.contracts { tokenSymbol = "CEUR" }
        let received = members.reduce(BigUInt(0)) { $0 + (BigUInt($1.received ?? "0", radix: 10) ?? 0) }
        let penalties = members.reduce(BigUInt(0)) { $0 + (BigUInt($1.penalty ?? "0", radix: 10) ?? 0) }
        let tradedWh: UInt64 = slots.reduce(0) { $0 + $1.volumeWh }
        let validatedWh: UInt64? = validation?["totals"]?["validatedWh"]?.stringValue.flatMap { UInt64($0) }
        let sharedWh: String? = validation?["totals"]?["sharedEnergyWh"]?.stringValue
        let paid: String =
            totals?["paid"]?.stringValue ?? validation?["totals"]?["buyerPayments"]?.stringValue ?? "0"
        let dust: String = totals?["dust"]?.stringValue ?? "0"
        let treasury: String = totals?["treasury"]?.stringValue ?? "0"
        let marketplace: String = report?["marketplace"]?.stringValue ?? Self.marketplace(run) ?? ""
        let sums = SessionReportData.Totals(
            tradedWh: tradedWh, validatedWh: validatedWh, sharedEnergyWh: sharedWh, paid: paid,
            received: String(received), penalties: String(penalties), dust: dust, treasury: treasury)
        return SessionReportData(
            sessionId: m.session.id, community: m.session.community, deliveryDay: m.session.deliveryDay.description,
            timeZone: m.session.timeZone, slotMinutes: m.session.slotMinutes, tokenDecimals: m.session.tokenDecimals,
            tokenSymbol: tokenSymbol, chainId: run.chainID, marketplace: marketplace,
            chainSessionId: UInt64(chainSession), state: state, plugin: m.clearing.plugin, slots: slots, hours: hours,
            members: members, transactions: transactions, totals: sums)
    }

    /// The marketplace's address from the journal (a deployment's receipt or the manifest).
    static func marketplace(_ run: RunFolder) -> String? {
        if case .existing(let address, _) = run.manifest.contracts { return address.checksummed }
        guard
            let signed = run.records.first(where: {
                $0.type == JournaledSender.RecordType.signed && $0.data["step"]?.stringValue == "deploy/marketplace"
            }), let sender = signed.data["sender"]?.stringValue, let from = try? Address(sender),
            case .int(let nonce)? = signed.data["nonce"]
        else { return nil }
        return Address.contractAddress(sender: from, nonce: UInt64(nonce)).checksummed
    }

    /// Writes the report of `folder` in `formats` into `output` (default: the run folder):
    /// `report.html`, `report-data.json`, `report-<table>.csv`; returns the files written.
    @discardableResult
    public static func write(
        _ folder: URL, formats: [Format] = Format.allCases, to output: URL? = nil, selectedSlot: Int? = nil
    ) throws(RunnerError) -> [URL] {
        try write(RunFolder.open(folder), formats: formats, to: output, selectedSlot: selectedSlot)
    }

    /// The same for an opened run folder.
    @discardableResult
    public static func write(
        _ run: RunFolder, formats: [Format] = Format.allCases, to output: URL? = nil, selectedSlot: Int? = nil
    ) throws(RunnerError) -> [URL] {
        let data = try data(run)
        let target = output ?? run.url
        var written = [URL]()
        func put(_ text: String, _ name: String) throws(RunnerError) {
            let url = target.appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch { throw .input("cannot write \(url.path): \(error)") }
            written.append(url)
        }
        for format in formats {
            switch format {
            case .html: try put(SessionReportRenderer.html(data, selectedSlot: selectedSlot), "report.html")
            case .json:
                let text: String
                do { text = try SessionReportRenderer.json(data) } catch { throw .input("report JSON: \(error)") }
                try put(text, "report-data.json")
            case .csv:
                for (table, text) in SessionReportRenderer.csv(data).sorted(by: { $0.key < $1.key }) {
                    try put(text, "report-\(table).csv")
                }
            }
        }
        return written
    }
}
