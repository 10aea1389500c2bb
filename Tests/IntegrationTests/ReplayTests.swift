import Chain
import Foundation
import PhaseRunner
import Testing

/// `cer-run replay`: the DST fixture session replayed off chain and on a fresh dev chain, and a
/// changed meter reading named by the replay.
@Suite(.serialized) struct ReplayTests {
    /// Runs the cer-run binary with `arguments`; exit status and output.
    static func cerRun(_ arguments: [String], in folder: URL) async throws -> RunnerTests.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RunnerTests.binary)
        process.arguments = arguments
        process.currentDirectoryURL = RunnerTests.packageRoot
        let log = folder.appendingPathComponent("replay-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let outcome = try await RunnerTests.Running(process: process, log: log, handle: handle).finish()
        try? FileManager.default.removeItem(at: log)
        return outcome
    }

    /// The steps of a `--json` replay report by name, and its first difference.
    static func steps(_ output: String) throws -> (steps: [String: JSONValue], report: JSONValue) {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{\"") && $0.contains("\"steps\"") })
        else { throw ReplayTestError(output) }
        let report = try JSONValue.parse(Data(line.utf8))
        var steps = [String: JSONValue]()
        for step in report["steps"]?.arrayValue ?? [] { steps[step["step"]?.stringValue ?? ""] = step }
        return (steps, report)
    }

    struct ReplayTestError: Error, CustomStringConvertible {
        var description: String
        init(_ output: String) { description = "no replay report in:\n\(output)" }
    }

    @Test func aSettledSessionReplaysIdenticallyOffChainAndOnAFreshDevChain() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let outcome = try await RunnerTests.run(runs, manifest: SettlementTests.manifest)
        #expect(outcome.status == 0, "\(outcome.output)")
        let folder = runs.appendingPathComponent(SettlementTests.runID)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(names.contains { $0.hasPrefix("resolved-0x") && $0.hasSuffix(".json") }, "\(names)")
        for file in ["reveals.json", "meters.json", "book.json", "clearing.json", "validation.json"] {
            #expect(names.contains(file), "\(file)")
        }

        // Off chain: on a copy in another place, as on a machine that never saw the run.
        let copy = runs.appendingPathComponent("elsewhere")
        try FileManager.default.copyItem(at: folder, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("devchain"))
        let offChain = try await Self.cerRun(["replay", copy.path, "--json"], in: runs)
        #expect(offChain.status == 0, "\(offChain.output)")
        let (steps, report) = try Self.steps(offChain.output)
        #expect(report["identical"] == .bool(true))
        for name in ["manifest", "clearing input", "clearing", "meter data", "validation", "settlement"] {
            #expect(
                steps[name]?["outcome"]?.stringValue == "identical", "\(name): \(steps[name]?.jsonText ?? "absent")")
        }
        let text = try await Self.cerRun(["replay", copy.path], in: runs)
        #expect(text.status == 0 && text.output.contains("OK: every recomputed result equals the recorded one"))

        // The session report written at the end of the run: its numbers are the chain's.
        let data = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("report-data.json")))
        let chainReport = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("report.json")))
        #expect(data["totals"]?["paid"] == chainReport["totals"]?["paid"])
        #expect(data["totals"]?["treasury"]?.stringValue == "45000")
        #expect(data["slots"]?.arrayValue?.count == 25)
        for row in chainReport["members"]?.arrayValue ?? [] {
            let mine = data["members"]?.arrayValue?.first { $0["id"] == row["id"] }
            for key in ["paid", "received", "penalty", "available", "locked", "wallet"] {
                #expect(mine?[key] == row[key], "\(row["id"]?.stringValue ?? "?") \(key)")
            }
        }
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("data-member=\"sara\""))
        for table in ["members", "slots", "hours", "transactions"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report-\(table).csv").path))
        }
        // The run wrote them from the journal and manifest it held; `cer-run report` reads both
        // from the folder (the manifest from its snapshot) and writes the same bytes.
        let again = runs.appendingPathComponent("report-again")
        let rewritten = try await Self.cerRun(["report", copy.path, "--out", again.path], in: runs)
        #expect(rewritten.status == 0, "\(rewritten.output)")
        let written = try FileManager.default.contentsOfDirectory(atPath: again.path).sorted()
        #expect(written.contains("report.html") && written.contains("report-data.json"), "\(written)")
        for name in written {
            #expect(
                try Data(contentsOf: folder.appendingPathComponent(name))
                    == Data(contentsOf: again.appendingPathComponent(name)), "\(name)")
        }

        // On a fresh dev chain: the recorded orders and salts sent again, same results and balances.
        let onChain = try await Self.cerRun(["replay", copy.path, "--on-devchain", "--json"], in: runs)
        #expect(onChain.status == 0, "\(onChain.output)")
        let (chainSteps, _) = try Self.steps(onChain.output)
        for name in ["chain: clearing input", "chain: clearing", "chain: validation", "chain: results and balances"] {
            #expect(
                chainSteps[name]?["outcome"]?.stringValue == "identical",
                "\(name): \(chainSteps[name]?.jsonText ?? "absent")")
        }
    }

    @Test func aChangedMeterReadingIsReportedExactly() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let outcome = try await RunnerTests.run(runs, manifest: SettlementTests.manifest)
        #expect(outcome.status == 0, "\(outcome.output)")
        let folder = runs.appendingPathComponent(SettlementTests.runID)
        // sara (IT001E20000001) injected 1600 Wh in slot 13; the recording now says 1800.
        let metersURL = folder.appendingPathComponent("meters.json")
        let meters = try JSONValue.parse(Data(contentsOf: metersURL))
        guard case .object(var top) = meters, case .object(var pods)? = top["pods"],
            case .object(var sara)? = pods["IT001E20000001"], case .array(var injection)? = sara["injectionWh"]
        else {
            Issue.record("meters.json has no injection for IT001E20000001: \(meters.jsonText)")
            return
        }
        #expect(injection[13] == .string("1600"))
        injection[13] = .string("1800")
        sara["injectionWh"] = .array(injection)
        pods["IT001E20000001"] = .object(sara)
        top["pods"] = .object(pods)
        try Data(JSONValue.object(top).jsonText.utf8).write(to: metersURL)

        let replay = try await Self.cerRun(["replay", folder.path, "--json"], in: runs)
        #expect(replay.status == 1, "\(replay.output)")
        let (steps, report) = try Self.steps(replay.output)
        #expect(report["identical"] == .bool(false))
        for name in ["manifest", "clearing input", "clearing"] {
            #expect(steps[name]?["outcome"]?.stringValue == "identical", "\(name)")
        }
        // Exactly that reading, first.
        let meterDifferences = steps["meter data"]?["differences"]?.arrayValue ?? []
        #expect(meterDifferences.count == 1)
        #expect(meterDifferences.first?["field"]?.stringValue == "pods.IT001E20000001.injectionWh[13]")
        #expect(meterDifferences.first?["journaled"]?.stringValue == "\"1600\"")
        #expect(meterDifferences.first?["recomputed"]?.stringValue == "\"1800\"")
        // And what it changes: sara (members[1] by address) delivered 1800 of her 2000 Wh fill.
        let validation = steps["validation"]?["differences"]?.arrayValue ?? []
        let delivered = validation.first { $0["field"]?.stringValue == "members[1].delivered[0]" }
        #expect(delivered?["journaled"]?.stringValue == "\"1600\"", "\(validation)")
        #expect(delivered?["recomputed"]?.stringValue == "\"1800\"")
        #expect(steps["settlement"]?["outcome"]?.stringValue == "different")

        let text = try await Self.cerRun(["replay", folder.path], in: runs)
        #expect(text.status == 1)
        #expect(
            text.output.contains(
                "first difference: meter data: meters.json pods.IT001E20000001.injectionWh[13]: journaled \"1600\", "
                    + "recomputed \"1800\""), "\(text.output)")
    }

    /// Members that are not dev accounts of the replay's chain (here dev accounts 25–28) get
    /// accounts in the same address order: a tie the clearing breaks by order id (two buyers at
    /// one price sharing 1001 Wh) is broken the same way on the replay chain.
    @Test func membersMappedByAddressOrderReplayTheSameTieBreaks() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let fixtures = RunnerTests.packageRoot.appendingPathComponent("fixtures/manifests")
        let site = runs.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        for folder in ["docs", "meters"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(folder), to: site.appendingPathComponent(folder))
        }
        var text = try String(contentsOf: URL(fileURLWithPath: SettlementTests.manifest), encoding: .utf8)
        for (from, to) in [
            ("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0xDf37F81dAAD2b0327A0A50003740e1C935C70913"),
            ("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x553BC17A05702530097c3677091C5BB47a3a7931"),
            ("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x87BdCE72c06C21cd96219BD8521bDF1F42C78b5e"),
            ("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "0x40Fc963A729c542424cD800349a7E4Ecc4896624"),
            ("{dev_account: 2}", "{dev_account: 25}"), ("{dev_account: 3}", "{dev_account: 26}"),
            ("{dev_account: 4}", "{dev_account: 27}"), ("{dev_account: 5}", "{dev_account: 28}"),
            (
                "      - {slot: 14, side: buy, kwh: \"1\", price: \"0.15\"}\n",
                "      - {slot: 14, side: buy, kwh: \"1\", price: \"0.15\"}\n      - {slot: 3, side: buy, kwh: \"1\", price: \"0.12\"}\n"
            ),
            (
                "{slot: 3, side: sell, kwh: \"1\", price: \"0.10\"}",
                "{slot: 3, side: sell, kwh: \"1.001\", price: \"0.10\"}"
            ),
        ] {
            #expect(text.contains(from), "\(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        let manifest = site.appendingPathComponent("tie.yaml")
        try Data(text.utf8).write(to: manifest)
        let outcome = try await RunnerTests.run(runs, manifest: manifest.path)
        #expect(outcome.status == 0, "\(outcome.output)")
        let folder = runs.appendingPathComponent(SettlementTests.runID)
        // The tie: tino (0x553b…, its order 2) and ugo (0x87bd…, order 0) bid 0.12 for 1001 Wh;
        // the odd Wh goes to one of them by order id.
        let clearing = try JSONValue.parse(Data(contentsOf: folder.appendingPathComponent("clearing.json")))
        let fills = Dictionary(
            (clearing["fills"]?.arrayValue ?? []).compactMap { f in
                f["orderID"]?.stringValue.map { ($0, f["quantityWh"]) }
            }, uniquingKeysWith: { a, _ in a })
        let tied = [
            fills["0x553bc17a05702530097c3677091c5bb47a3a7931/2"],
            fills["0x87bdce72c06c21cd96219bd8521bdf1f42c78b5e/0"],
        ]
        #expect(Set(tied.compactMap { $0 }) == [.int(500), .int(501)], "\(clearing.jsonText)")

        let replay = try await Self.cerRun(["replay", folder.path, "--on-devchain", "--json"], in: runs)
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("mapped to dev accounts in the same address order"))
        let (steps, report) = try Self.steps(replay.output)
        #expect(report["identical"] == .bool(true), "\(steps)")
        #expect(steps["chain: results and balances"]?["outcome"]?.stringValue == "identical")
    }

    @Test func devAccountsAreAssignedInAddressOrder() throws {
        let dev = (0..<6).map { _ in PrivateKey.random().address }
        let members = (0..<4).map { _ in PrivateKey.random().address }
        let assignment = SessionReplay.devAccountAssignment(members: members, devAddresses: dev)
        #expect(Set(assignment.values) == Set(1...4))
        for a in members {
            for b in members where a < b { #expect(dev[assignment[a]!] < dev[assignment[b]!]) }
        }
        // Dev accounts keep their own.
        let own = SessionReplay.devAccountAssignment(members: [dev[3], dev[5]], devAddresses: dev)
        #expect(own == [dev[3]: 3, dev[5]: 5])
    }

    @Test func anIncompleteRunFolderIsAnInputError() async throws {
        let runs = RunnerTests.temporaryRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let missing = try await Self.cerRun(["replay", runs.appendingPathComponent("nothing").path], in: runs)
        #expect(missing.status == 2)
        #expect(missing.output.contains("journal.jsonl does not exist"))
    }

    @Test func jsonDifferencesArePathsInOrder() throws {
        let a: JSONValue = ["b": [.string("1"), .string("2")], "a": ["x": .int(1)]]
        let b: JSONValue = ["b": [.string("1"), .string("3"), .string("4")], "a": ["x": .int(1), "y": .null]]
        let list = JSONDifference.differences(a, b)
        #expect(list.map(\.path) == ["a.y", "b[1]", "b[2]"])
        #expect(list[1].description == "b[1]: journaled \"2\", recomputed \"3\"")
        #expect(list[2].journaled == nil)
        #expect(JSONDifference.differences(a, a).isEmpty)
    }
}
