import Chain
import Foundation
import PhaseRunner
import SessionReport
import Testing

@testable import Portal

/// The session endpoints' numbers against the DST fixture run's own files: the journal,
/// `resolved-*.json`, `reveals.json`, `clearing.json`, `validation.json`, `report.json` and
/// `report-data.json`. No node: the journal's view.
@Suite struct SessionEndpointTests {
    let fixture = PortalFixture.shared

    func resolved() async throws -> JSONValue {
        let folder = try await fixture.folder()
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("resolved-") })
        return try await fixture.json(name)
    }

    @Test func infoAndSessionListMatchTheJournal() async throws {
        let settings = try await journalOnly()
        let answers = try await get(settings, "/api/v1/info", "/api/v1/sessions")
        let report = try await fixture.json("report-data.json")
        let info = answers[0].json
        #expect(answers[0].status == 200)
        #expect(info["community"] == "CER Fixture")
        #expect(info["chainId"] == .int(1337))
        #expect(info["marketplace"]?.stringValue?.lowercased() == report["marketplace"]?.stringValue?.lowercased())
        #expect(info["tokenDecimals"] == .int(6))
        #expect(info["tokenSymbol"] == "CEUR")
        #expect(info["chain"] == false)
        #expect(info["admin"] == false)
        #expect(info["version"] == "0.1.0")

        let resolved = try await resolved()
        let reveals = try await fixture.json("reveals.json")
        let list = answers[1].json
        #expect(list["next"] == .null)
        let items = try #require(list["items"]?.arrayValue)
        #expect(items.count == 1)
        let s = items[0]
        #expect(s["id"] == "fixture-dst")
        #expect(s["community"] == "CER Fixture")
        #expect(s["deliveryDay"] == "2026-10-25")
        #expect(s["timeZone"] == "Europe/Rome")
        #expect(s["chainSessionId"] == .string(String(report["chainSessionId"].flatMap(int) ?? -1)))
        #expect(s["state"] == (try await fixture.json("report.json"))["state"])
        #expect(s["state"] == "settled")
        #expect(
            s["commitDeadline"]
                == resolved["deadlines"]?["commit"]?.stringValue.flatMap { Int64($0) }.map(JSONValue.int))
        #expect(
            s["revealDeadline"]
                == resolved["deadlines"]?["reveal"]?.stringValue.flatMap { Int64($0) }.map(JSONValue.int))
        #expect(s["slots"] == .int(25))
        #expect(s["commits"] == .int(Int64(reveals["committed"]?.arrayValue?.count ?? -1)))
        #expect(s["reveals"] == .int(Int64(reveals["revealed"]?.arrayValue?.count ?? -1)))
        #expect(s["reportAvailable"] == true)
    }

    @Test func theMemberListStartsAtTheMarketplaceDeployment() async throws {
        let root = try await fixture.runsRoot()
        let records = try Journal.readOnly(try await fixture.folder().appendingPathComponent("journal.jsonl"))
        let mined = try #require(
            records.last { $0.type == "tx.mined" && $0.data["step"]?.stringValue == "deploy/marketplace" })
        guard case .int(let block)? = mined.data["block"] else {
            Issue.record("no block in \(mined.data)")
            return
        }
        let sources = try PortalSources.resolve(manifest: nil, runs: root.path, rpc: nil, marketplace: nil)
        #expect(sources.memberLogsFrom == UInt64(block))
        let overridden = try PortalSources.resolve(
            manifest: nil, runs: root.path, rpc: nil, marketplace: nil, fromBlock: 12)
        #expect(overridden.memberLogsFrom == 12)
        let other = try PortalSources.resolve(
            manifest: nil, runs: root.path, rpc: nil, marketplace: "0x" + String(repeating: "1", count: 40))
        #expect(other.memberLogsFrom == 0, "another marketplace's list is read from block 0")
        // With a node, only the runs of the node's own chain count.
        let header = try #require(records.first { $0.type == "header" })
        let genesis = try #require(header.data["genesis"]?.stringValue)
        let market = sources.marketplace
        #expect(PortalSources.deploymentBlock(root, market, chainID: 1337, genesis: genesis) == UInt64(block))
        #expect(
            PortalSources.deploymentBlock(
                root, market, chainID: 1337, genesis: "0x" + String(repeating: "0", count: 64)) == nil)
        #expect(PortalSources.deploymentBlock(root, market, chainID: 1, genesis: genesis) == nil)
    }

    @Test func oneSessionHasItsSlotsMoneyAndPhase() async throws {
        let answer = try await get(try await journalOnly(), "/api/v1/sessions/fixture-dst")[0]
        #expect(answer.status == 200)
        #expect(answer.contentType == "application/json")
        let s = answer.json
        let session = try #require(try await resolved()["session"])
        let start = try #require(session["deliveryStart"]?.stringValue.flatMap { Int64($0) })
        let starts = try #require(s["slotStarts"]?.arrayValue)
        #expect(starts.count == 25)
        for (i, slot) in starts.enumerated() {
            #expect(slot["slot"] == .int(Int64(i)))
            #expect(slot["time"] == .int(start + Int64(i) * 3600))
        }
        // 25 hours: the clocks go back at 03:00, so 02:00 comes twice.
        let labels = starts.compactMap { $0["start"]?.stringValue }
        #expect(labels.filter { $0 == "02:00" }.count == 2)
        #expect(labels.first == "00:00" && labels.last == "23:00")
        #expect(s["slotMinutes"] == .int(60))
        #expect(s["deposit"] == session["deposit"])
        #expect(s["sellerBondPerKWh"] == session["sellerBondPerKWh"])
        #expect(s["tokenDecimals"] == .int(6))
        #expect(s["participants"] == .int(4))
        #expect(s["phase"] == "report")
        let report = try await fixture.json("report-data.json")
        #expect(s["marketplace"]?.stringValue?.lowercased() == report["marketplace"]?.stringValue?.lowercased())
        #expect(s["token"]?.stringValue?.count == 42)
    }

    @Test func resultsAreTheClearingValidationAndReportNumbers() async throws {
        let answer = try await get(try await journalOnly(), "/api/v1/sessions/fixture-dst/results")[0]
        #expect(answer.status == 200)
        let r = answer.json
        let clearing = try await fixture.json("clearing.json")
        let validation = try await fixture.json("validation.json")
        let report = try await fixture.json("report-data.json")
        #expect(r["state"] == "settled")

        let prices = try #require(r["prices"]?.arrayValue)
        let slots = try #require(clearing["slots"]?.arrayValue)
        #expect(prices.count == slots.count)
        for (price, slot) in zip(prices, slots) {
            #expect(price["slot"] == slot["slot"])
            #expect(price["price"] == (slot["price"].flatMap(int).map { .string(String($0)) } ?? .null))
        }

        // Energy is answered as decimal strings of Wh (uint64 on chain; they may exceed 2^53).
        let fills = try #require(r["fills"]?.arrayValue)
        let expected = try #require(clearing["fills"]?.arrayValue)
        #expect(fills.count == expected.count)
        for (fill, e) in zip(fills, expected) {
            #expect(fill["quantityWh"] == .string(String(try #require(e["quantityWh"].flatMap(int)))))
            #expect(fill["price"] == .string(String(try #require(e["price"].flatMap(int)))))
            let owner = try #require(e["orderID"]?.stringValue?.split(separator: "/").first)
            #expect(fill["member"]?.stringValue?.lowercased() == String(owner))
        }
        #expect(Set(fills.compactMap { $0["side"]?.stringValue }) == ["buy", "sell"])

        // Deliveries: per fill, what validation.json says was delivered; no penalty (it is per
        // member: members[].penalty).
        let deliveries = try #require(r["deliveries"]?.arrayValue)
        #expect(!deliveries.isEmpty)
        for member in validation["members"]?.arrayValue ?? [] {
            let address = try #require(member["address"]?.stringValue)
            let mine = deliveries.filter { $0["member"]?.stringValue?.lowercased() == address }
            let delivered = (member["delivered"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { Int64($0) } }
            #expect(mine.compactMap { $0["validatedWh"]?.stringValue.flatMap { Int64($0) } } == delivered)
            let quantities = (member["fills"]?.arrayValue ?? []).compactMap {
                $0["quantityWh"]?.stringValue.flatMap { Int64($0) }
            }
            let shortfalls = mine.compactMap { $0["shortfallWh"]?.stringValue.flatMap { Int64($0) } }
            #expect(shortfalls == zip(quantities, delivered).map { max(0, $0 - $1) })
            #expect(mine.allSatisfy { $0["penalty"] == nil && $0.objectValue?.count == 5 })
        }

        // Members: the report's rows, Wh as strings.
        let members = try #require(r["members"]?.arrayValue)
        let rows = try #require(report["members"]?.arrayValue)
        #expect(members.count == rows.count)
        for (m, row) in zip(members, rows) {
            for key in ["address", "id", "paid", "received", "penalty"] {
                #expect(m[key] == row[key], "\(key) of \(row["id"] ?? .null)")
            }
            for key in ["boughtWh", "soldWh", "deliveredWh"] {
                #expect(
                    m[key] == .string(String(try #require(row[key].flatMap(int)))), "\(key) of \(row["id"] ?? .null)")
            }
        }
    }

    @Test func resultsOfOneMember() async throws {
        let vera = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
        let answers = try await get(
            try await journalOnly(), "/api/v1/sessions/fixture-dst/results?member=\(vera)",
            "/api/v1/sessions/fixture-dst/results?member=\(vera.lowercased())")
        #expect(answers[0].bytes == answers[1].bytes)
        let r = answers[0].json
        let fills = try #require(r["fills"]?.arrayValue)
        #expect(
            fills == [["member": .string(vera), "slot": 3, "side": "sell", "quantityWh": "1000", "price": "110000"]])
        #expect(r["deliveries"]?.arrayValue?.count == 1)
        #expect(r["members"]?.arrayValue?.first?["received"] == "110000")
        #expect(r["members"]?.arrayValue?.count == 1)
        #expect(r["prices"]?.arrayValue?.count == 25)
    }

    @Test func reportAndExportsAreTheFilesAsTheyAre() async throws {
        let folder = try await fixture.folder()
        let settings = try await journalOnly()
        let answers = try await get(
            settings, "/api/v1/sessions/fixture-dst/report", "/api/v1/sessions/fixture-dst/exports")
        #expect(answers[0].status == 200)
        #expect(answers[0].bytes == Array(try Data(contentsOf: folder.appendingPathComponent("report-data.json"))))
        let items = try #require(answers[1].json["items"]?.arrayValue)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0 == "report-data.json" || ($0.hasPrefix("report-") && $0.hasSuffix(".csv"))
        }.sorted()
        #expect(items.compactMap { $0["name"]?.stringValue } == onDisk)
        #expect(onDisk.contains("report-members.csv"))
        for item in items {
            let name = try #require(item["name"]?.stringValue)
            let file = try await get(settings, "/api/v1/sessions/fixture-dst/exports/\(name)")[0]
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(file.status == 200)
            #expect(file.bytes == bytes)
            #expect(item["bytes"] == .int(Int64(bytes.count)))
            #expect(file.contentType == item["mediaType"]?.stringValue)
            #expect(file.contentType == (name.hasSuffix(".csv") ? "text/csv; charset=utf-8" : "application/json"))
        }
    }

    @Test func theReportPageIsTheReportsRendererWithTheSlotAsked() async throws {
        let folder = try await fixture.folder()
        let settings = try await journalOnly()
        let base = "/api/v1/sessions/fixture-dst/report.html"
        let answers = try await get(
            settings, base, base + "?slot=3", base + "?slot=25", base + "?slot=x", "/api/v1/sessions/nope/report.html")
        // Without a slot: the page `cer-run run` wrote, byte for byte.
        #expect(answers[0].status == 200)
        #expect(answers[0].contentType == "text/html; charset=utf-8")
        #expect(answers[0].bytes == Array(try Data(contentsOf: folder.appendingPathComponent("report.html"))))
        // With one: the report's own renderer, that slot drawn large.
        let data = try JSONDecoder().decode(
            SessionReportData.self, from: try Data(contentsOf: folder.appendingPathComponent("report-data.json")))
        #expect(answers[1].status == 200)
        #expect(answers[1].bytes == Array(SessionReportRenderer.html(data, selectedSlot: 3).utf8))
        #expect(answers[1].bytes != answers[0].bytes, "slot 3 is not the default slot of the fixture")
        #expect(answers[2].status == 404, "a slot the session does not have")
        #expect(answers[3].status == 400)
        #expect(answers[4].status == 404)
        for answer in answers[2...] { #expect(answer.contentType == "application/problem+json") }
    }
}

/// An integer JSON value, or a decimal string of one.
func int(_ value: JSONValue) -> Int64? {
    switch value {
    case .int(let v): v
    case .string(let s): Int64(s)
    default: nil
    }
}
