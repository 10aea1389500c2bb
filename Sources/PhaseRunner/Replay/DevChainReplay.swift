import Chain
import DevChain
import Foundation
import Manifest
import Market
import Validation

extension SessionReplay {
    /// Replays the whole session, transactions included, on a fresh dev chain: the recorded
    /// members commit, reveal (with the recorded orders and salts) or withhold their reveal as
    /// they did, the recorded meter day validates, and settlement runs as the manifest says.
    /// The published results and final balances are then compared with the recording.
    ///
    /// Members get dev-chain accounts: the original addresses when they are dev accounts,
    /// otherwise dev accounts assigned in the same address order (so every tie broken by
    /// order id is broken the same way); results are compared with addresses mapped back.
    /// Balances are compared for the members the original run funded itself (`funded/<id>`);
    /// others brought their own funds, so only what they paid, received and forfeited is compared.
    public static func onDevChain(
        _ folder: URL, workFolder: URL, allowExternalPlugin: Bool = false,
        events: @escaping @Sendable (RunEvent) -> Void
    ) async throws -> ReplayReport {
        let run = try RunFolder.open(folder)
        try run.checkPlugin(allowExternal: allowExternalPlugin)
        // The inputs replayed must be the ones journaled.
        let changed = [
            run.hashDifference(RunSnapshots.revealsFile, record: run.last("clearing"), field: "reveals"),
            run.hashDifference(RunSnapshots.metersFile, record: run.last("validation"), field: "meters"),
        ].compactMap { $0 }
        let recording = ReplayReport.Step(
            name: "recording", outcome: changed.isEmpty ? .identical : .different(changed))
        guard let revealsJSON = try run.json(RunSnapshots.revealsFile) else {
            throw RunnerError.input(
                "\(folder.path)/\(RunSnapshots.revealsFile) is missing: the run never reached the clearing, there is "
                    + "nothing recorded to replay")
        }
        let reveals = try RunSnapshots.Reveals(json: revealsJSON, file: RunSnapshots.revealsFile)
        var members = reveals.revealed.map(\.member)
        for member in reveals.committed where !members.contains(member) { members.append(member) }

        // Dev accounts: identity where the originals are dev accounts, else by address rank.
        let poolSize = max(20, members.count + 2)
        var options = DevChainOptions()
        options.accounts = poolSize
        let probe = try await DevChainProcess.start(options)
        let devAddresses: [Address]
        do {
            devAddresses = try await probe.accountKeys().map(\.address)
            probe.stop()
        } catch {
            probe.stop()
            throw error
        }
        let index = devAccountAssignment(members: members, devAddresses: devAddresses)
        if index.allSatisfy({ devAddresses[$0.value] == $0.key }) {
            events(.info("replay: \(members.count) member(s) keep their dev-account addresses"))
        } else {
            events(.info("replay: \(members.count) member(s) mapped to dev accounts in the same address order"))
        }
        let operatorIndex = (0..<poolSize).first { i in !index.values.contains(i) } ?? 0
        let mapping = Dictionary(uniqueKeysWithValues: members.map { ($0, devAddresses[index[$0]!]) })

        // The replay's manifest.
        let original = run.manifest
        var manifest = original
        let genesis: Int64
        if case .dev(_, let fixed?) = original.chain {
            genesis = fixed
        } else {
            genesis = original.deadlines.commit - 3600
        }
        manifest.chain = .dev(chainID: run.chainID, genesisTime: genesis)
        manifest.contracts = .deploy
        manifest.operatorKey = .devAccount(index: operatorIndex)
        let documents = workFolder.appendingPathComponent("adhesion")
        try FileManager.default.createDirectory(at: documents, withIntermediateDirectories: true)
        let revealed = Dictionary(reveals.revealed.map { ($0.member, $0.orders) }, uniquingKeysWith: { a, _ in a })
        var withheld = Set<String>()
        manifest.participants = try members.map { member in
            guard var p = original.participants.first(where: { $0.address == member }) else {
                throw RunnerError.input(
                    "member \(member) committed in the session but is not a participant of the manifest: add it to "
                        + "`participants` (a replay needs its POD)")
            }
            p.address = mapping[member]!
            p.key = .devAccount(index: index[member]!)
            p.ordersCSV = nil
            let document = documents.appendingPathComponent("\(p.id).txt")
            try Data("adhesion of \(p.id) (replay of \(run.manifest.session.id))\n".utf8).write(to: document)
            p.adhesionDocument = document.path
            if let orders = revealed[member] {
                p.orders = orders
            } else {
                // Committed, never revealed: commits again and withholds the reveal.
                if p.orders.isEmpty { p.orders = [MarketOrder(slot: 0, side: .buy, quantityWh: 1, limitPrice: 0)] }
                withheld.insert(p.id)
            }
            return p
        }
        var meters: (day: MeterDay, warnings: [String])?
        if let json = try run.json(RunSnapshots.metersFile) {
            let warnings = json["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            meters = (try RunSnapshots.meterDay(json, file: RunSnapshots.metersFile), warnings)
        } else {
            manifest.validation = nil
        }

        var runner = SessionRunner(
            manifestPath: folder.appendingPathComponent("manifest-\(run.manifestHash).json").path,
            runsRoot: workFolder.appendingPathComponent("runs"), events: events)
        runner.replay = .init(manifest: manifest, folder: workFolder, meters: meters, withholdReveal: withheld)
        let status = try await runner.run()
        guard case .done = status else {
            throw RunnerError.chain("the replay on the dev chain stopped early: \(status)")
        }
        let replayFolder = workFolder.appendingPathComponent("runs").appendingPathComponent(manifest.session.id)
        let compared = compareReplay(run: run, replayFolder: replayFolder, mapping: mapping)
        return ReplayReport(runFolder: compared.runFolder, steps: [recording] + compared.steps)
    }

    /// Which dev account (index into `devAddresses`) replays each member: its own when every
    /// member is a dev account, otherwise accounts 1…n assigned by address rank (the i-th
    /// smallest member address gets the i-th smallest of those dev addresses), so that the
    /// order of any two members' addresses — and so every tie broken by order id — is kept.
    public static func devAccountAssignment(members: [Address], devAddresses: [Address]) -> [Address: Int] {
        var index = [Address: Int]()
        if members.allSatisfy({ devAddresses.contains($0) }) {
            for member in members { index[member] = devAddresses.firstIndex(of: member)! }
            return index
        }
        let pool = (1...members.count).sorted { devAddresses[$0] < devAddresses[$1] }
        for (rank, member) in members.sorted().enumerated() { index[member] = pool[rank] }
        return index
    }

    /// The replay's files, addresses mapped back, against the original's.
    static func compareReplay(run: RunFolder, replayFolder: URL, mapping: [Address: Address]) -> ReplayReport {
        let back = Dictionary(mapping.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        func mapped(_ name: String) -> Data? {
            guard let data = FileManager.default.contents(atPath: replayFolder.appendingPathComponent(name).path),
                let text = String(data: data, encoding: .utf8)
            else { return nil }
            return Data(mapAddresses(text, back).utf8)
        }
        var steps = [ReplayReport.Step]()
        for (name, file) in [("chain: clearing input", "book.json"), ("chain: clearing", "clearing.json")]
            + [("chain: validation", "validation.json")]
        {
            guard let recorded = run.data(file) else {
                steps.append(.init(name: name, outcome: .notReached("the original has no \(file)")))
                continue
            }
            let replayed = mapped(file) ?? Data()
            steps.append(.init(name: name, outcome: compare(file, recorded: recorded, recomputed: replayed)))
        }
        guard let recorded = try? run.json("report.json") else {
            steps.append(
                .init(name: "chain: results and balances", outcome: .notReached("the original has no report.json")))
            return ReplayReport(runFolder: run.url.path, steps: steps)
        }
        let replayed = mapped("report.json").flatMap { try? JSONValue.parse($0) } ?? .null
        let funded = Set(run.records.filter { $0.type.hasPrefix("funded/") }.map { String($0.type.dropFirst(7)) })
        let freshMarketplace = run.records.contains {
            $0.type == JournaledSender.RecordType.signed && $0.data["step"]?.stringValue == "deploy/marketplace"
        }
        var notes = [String]()
        let unfunded = (recorded["members"]?.arrayValue ?? []).filter {
            mapping.keys.map(\.hex).contains($0["address"]?.stringValue?.lowercased() ?? "")
        }.compactMap { $0["id"]?.stringValue }.filter { !funded.contains($0) }
        if !unfunded.isEmpty {
            notes.append(
                "balances not compared for \(unfunded.joined(separator: ", ")) (funded outside the run); their payments, "
                    + "receipts and penalties are")
        }
        if !freshMarketplace { notes.append("treasury not compared (the original marketplace had earlier sessions)") }
        // Participants that never committed did nothing to replay: not compared.
        let replayedMembers = Set(mapping.keys.map(\.hex))
        let list = JSONDifference.differences(
            comparable(recorded, funded: funded, treasury: freshMarketplace, members: replayedMembers),
            comparable(replayed, funded: funded, treasury: freshMarketplace, members: replayedMembers)
        ).map { ReplayReport.Difference(file: "report.json", $0) }
        steps.append(
            .init(
                name: "chain: results and balances", outcome: list.isEmpty ? .identical : .different(list), notes: notes
            ))
        return ReplayReport(runFolder: run.url.path, steps: steps)
    }

    /// `text` with every address of `mapping` (`0x` + 40 hex digits, lowercase or checksummed)
    /// replaced by its image in one pass, so that no replaced address is replaced again.
    static func mapAddresses(_ text: String, _ mapping: [Address: Address]) -> String {
        let bytes = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        func isHex(_ b: UInt8) -> Bool {
            (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
        }
        var i = 0
        while i < bytes.count {
            if bytes[i] == 48, i + 42 <= bytes.count, bytes[i + 1] == 120,
                bytes[(i + 2)..<(i + 42)].allSatisfy(isHex), i + 42 == bytes.count || !isHex(bytes[i + 42]),
                let word = String(bytes: bytes[i..<(i + 42)], encoding: .utf8), let address = try? Address(word),
                let image = mapping[address]
            {
                let lowercase = word == word.lowercased()
                out += Array((lowercase ? image.hex : image.checksummed).utf8)
                i += 42
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The part of a `report.json` two chains must agree on: per replayed member (by address)
    /// what it traded, was validated, paid, received and was charged (its balances when the run
    /// funded it), the published prices, the state and the totals.
    static func comparable(_ report: JSONValue, funded: Set<String>, treasury: Bool, members replayed: Set<String>)
        -> JSONValue
    {
        var members = [String: JSONValue]()
        for row in report["members"]?.arrayValue ?? [] {
            guard let address = row["address"]?.stringValue, replayed.contains(address.lowercased()),
                var fields = row.objectValue
            else { continue }
            fields["nonce"] = nil
            fields["address"] = nil
            if !funded.contains(row["id"]?.stringValue ?? "") {
                for key in ["available", "locked", "wallet"] { fields[key] = nil }
            }
            members[address.lowercased()] = .object(fields)
        }
        var totals = report["totals"]?.objectValue ?? [:]
        if !treasury { totals["treasury"] = nil }
        return [
            "state": report["state"] ?? .null, "prices": report["prices"] ?? .null, "members": .object(members),
            "totals": .object(totals), "checks": report["checks"] ?? .null,
        ]
    }
}
