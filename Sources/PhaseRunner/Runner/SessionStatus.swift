import BigInt
import Chain
import DevChain
import Foundation
import Manifest
import Market

/// What `cer-run status` shows: the run's journal and the session as the chain has it.
public enum SessionStatus {
    public static func report(manifestPath: String, date: DeliveryCalendar.Day?, runsRoot: URL) async throws -> [String]
    {
        let manifest: SessionManifest
        do { manifest = try ManifestLoader.load(path: manifestPath, date: date) } catch {
            throw RunnerError.input(error.description)
        }
        let folder = runsRoot.appendingPathComponent(manifest.session.id)
        let journalURL = folder.appendingPathComponent("journal.jsonl")
        guard FileManager.default.fileExists(atPath: journalURL.path) else {
            return ["session \(manifest.session.id): not started (no \(journalURL.path))"]
        }
        let records: [JournalRecord]
        do { records = try Journal.readOnly(journalURL) } catch { throw RunnerError.input(error.description) }
        var lines = ["session \(manifest.session.id): \(records.count) journal records"]
        let (client, chain) = try await SessionRunner.connect(manifest, runFolder: folder)
        defer { chain?.stop() }
        let artifacts = try ArtifactStore.locate()
        let marketAddress: Address
        switch manifest.contracts {
        case .existing(let address, _): marketAddress = address
        case .deploy:
            guard
                let deploy = records.first(where: { $0.type == "tx.mined" && $0.data["step"] == "deploy/marketplace" }),
                let hash = deploy.data["hash"]?.stringValue,
                let receipt = try await client.receipt(try Hex.decode(hash)),
                let address = receipt.contractAddress
            else {
                lines.append("contracts: not deployed yet")
                return lines
            }
            marketAddress = address
        }
        let market = MarketplaceContract(
            contract: Contract(address: marketAddress, abi: try artifacts.artifact("Marketplace").abi, client: client))
        lines.append("marketplace \(marketAddress)")
        guard let sessionRecord = records.last(where: { $0.type == "session" }),
            case .int(let id)? = sessionRecord.data["id"]
        else {
            lines.append("session: not opened yet")
            return lines
        }
        let s = try await market.session(UInt64(id))
        let now = try await client.block(.latest)?.timestamp ?? 0
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: manifest.session.timeZone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm ZZZZZ"
        func local(_ t: UInt64) -> String { formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t))) }
        let deliveryEnd = s.deliveryStart + UInt64(s.slotLength) * UInt64(s.slots)
        lines.append(
            "on chain: session \(id) \(s.state), chain time \(local(now)); commits \(s.commits), reveals \(s.reveals), "
                + "forfeited \(s.forfeited), cleared \(s.cleared), validated \(s.validated), settled \(s.settled)")
        lines.append(
            "deadlines: commit \(local(s.commitDeadline)), reveal \(local(s.revealDeadline)); delivery "
                + "\(local(s.deliveryStart)) – \(local(deliveryEnd)) (\(s.slots) slots)")
        let next: String
        switch s.state {
        case .open where now < s.commitDeadline: next = "commit phase (until the commit deadline)"
        case .open where now < s.revealDeadline: next = "reveal phase (until the reveal deadline)"
        case .open: next = "clearing and publication (cer-run run)"
        case .cleared where now < deliveryEnd: next = "delivery; validation after \(local(deliveryEnd))"
        case .cleared: next = "validation against meter data (cer-run run --date \(manifest.session.deliveryDay))"
        case .validated: next = "settlement (cer-run run, or members' own `cer-run member execute`)"
        case .settled: next = "nothing: settled (report in \(folder.path)/report.txt)"
        case .cancelled: next = "nothing: cancelled (cer-run run releases what is still locked)"
        default: next = "—"
        }
        lines.append("next: \(next)")
        let decimals = manifest.session.tokenDecimals
        let addresses = manifest.participants.map(\.address)
        let allFunds = try await market.funds(of: addresses)
        let statuses = try await market.statuses(of: addresses)
        for (index, participant) in manifest.participants.enumerated() {
            let (funds, status) = (allFunds[index], statuses[index])
            lines.append(
                "  \(participant.id.padding(toLength: 10, withPad: " ", startingAt: 0)) \(status)  available "
                    + "\(DecimalAmount.format(funds.available, decimals: decimals))  locked "
                    + "\(DecimalAmount.format(funds.locked, decimals: decimals))")
        }
        return lines
    }
}
