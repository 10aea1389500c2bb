import BigInt
import Chain
import Foundation
import Manifest
import Market
import MeterSources
import Validation

/// What the validate phase found.
enum ValidationOutcome {
    /// To be published.
    case computed(ValidationResult)
    /// Publication had started: the journaled result, to be finished as it was begun.
    case journaled([MemberDeliveriesEntry])
    /// Already on chain (or nothing to validate).
    case published
    /// The meter data is not there yet.
    case waitingForData(String)
}

extension Phases {
    /// Validation input from the chain: each cleared member's revealed orders (its
    /// `OrdersRevealed` event) and published fills (`MemberCleared`), with its POD from the
    /// manifest.
    static func clearedMembers(_ c: RunContext) async throws -> [ValidationMember] {
        guard let market = c.market, let id = c.sessionID else { return [] }
        let book = try await revealedBook(c)
        let fills = try await market.clearedFills(sessionID: id, fromBlock: c.sessionBlock)
        let pods = Dictionary(c.manifest.participants.map { ($0.address, $0.pod) }, uniquingKeysWith: { a, _ in a })
        var members = [ValidationMember]()
        for member in c.revealedOrder {
            guard let memberFills = fills[member], let revealed = book[member] else { continue }
            guard let pod = pods[member] else {
                throw RunnerError.input(
                    "member \(member) traded in session \(id) but is not a participant of the manifest "
                        + "(its POD is needed for validation); add it to `participants`")
            }
            members.append(ValidationMember(address: member, pod: pod, orders: revealed.orders, fills: memberFills))
        }
        return members
    }

    /// Reads the meter data, validates the published fills against it, and journals the result
    /// (`validation.json` next to the journal, its hash in a `validation` record). Before
    /// publication a different result (late or corrected meter data) replaces the provisional
    /// one; once publication has started it is refused.
    static func validate(_ c: RunContext) async throws -> ValidationOutcome {
        guard let settings = c.manifest.validation, let market = c.market, let id = c.sessionID else {
            return .published
        }
        let state = try await market.session(id).state
        if state == .cancelled {
            throw RunnerError.chain(
                "session \(id) was cancelled on chain: nothing to validate or settle; members recover what "
                    + "they have locked with releaseCancelled")
        }
        if state == .open, c.planning {
            throw PlanBoundary(reason: "validation needs the clearing published on chain")
        }
        guard state == .cleared else {
            c.detail("validation already published (session \(id) is \(state))")
            return .published
        }
        let publishing = c.journal.records(ofType: JournaledSender.RecordType.signed).contains {
            $0.data["step"]?.stringValue?.hasPrefix("publish/validation/") == true
        }
        if publishing { return .journaled(try await journaledEntries(c)) }
        let members = try await clearedMembers(c)
        let day: MeterDay
        let warnings: [String]
        if let snapshot = c.meterSnapshot {
            (day, warnings) = snapshot
        } else {
            let reader = MeterSourceReader(
                settings: settings, session: c.manifest.session, manifestFolder: c.manifestFolder)
            let pods = c.manifest.participants.map(\.pod)
            do {
                let aggregation = try await reader.meterDay(pods: pods)
                (day, warnings) = (aggregation.day, aggregation.warnings.map(\.description))
            } catch {
                if error.notYetAvailable { return .waitingForData(error.description) }
                throw RunnerError.input("\(error)")
            }
        }
        for warning in warnings { c.warn("meter data: \(warning)") }
        let engine = validationEngine(c.manifest, settings)
        let result: ValidationResult
        do { result = try engine.validate(members: members, meters: day) } catch {
            throw RunnerError.input("validation: \(error)")
        }
        let hash = result.canonicalHash.hex
        if let earlier = c.last("validation"), let earlierHash = earlier.data["hash"]?.stringValue {
            if earlierHash == hash { return .computed(result) }
            c.warn("meter data changed since the provisional validation \(earlierHash.prefix(10))…: replaced")
        }
        let file = c.runFolder.appendingPathComponent("validation.json")
        let meters = RunSnapshots.metersJSON(day, warnings: warnings)
        if !c.planning {
            try RunSnapshots.write(meters, RunSnapshots.metersFile, in: c.runFolder)
            try DurableFile.write(Data(result.canonicalJSON.utf8), to: file)
        }
        try c.journal.append(
            "validation",
            [
                "hash": .string(hash), "members": .int(Int64(result.members.count)),
                "warnings": .int(Int64(warnings.count)),
                "meters": .string(Keccak256.hash(meters.jsonText).hex), "meterDay": meters,
            ])
        let totals = result.totals
        c.log(
            "validated \(totals.validatedWh) Wh of \(result.slots.reduce(UInt64(0)) { $0 + $1.soldWh }) Wh sold; "
                + "CER shared energy \(totals.sharedEnergyWh) Wh; penalties "
                + DecimalAmount.format(totals.penalties, decimals: c.manifest.session.tokenDecimals))
        return .computed(result)
    }
}

extension Phases {
    /// The validation engine of a manifest's session and rules (the runner's, the replay's and
    /// the audit's).
    static func validationEngine(_ manifest: SessionManifest, _ settings: SessionManifest.ValidationSettings)
        -> ValidationEngine
    {
        ValidationEngine(
            slotCount: manifest.session.slots, sellerBondPerKWh: UInt64(manifest.session.sellerBondPerKWh),
            rules: ValidationRules(
                sellerPenaltyPerKWh: settings.sellerPenaltyPerKWh, buyerPenaltyPerKWh: settings.buyerPenaltyPerKWh,
                toleranceWh: settings.toleranceWh, tolerancePerMille: settings.tolerancePerMille,
                attribution: settings.attribution == .validated ? .validated : .ownMeter))
    }

    /// The entries of the journaled `validation.json` (checked against its journaled hash),
    /// with each member's orders and fills as the chain has them: once publication has begun it
    /// is finished with exactly this result, whatever the meter source says now.
    static func journaledEntries(_ c: RunContext) async throws -> [MemberDeliveriesEntry] {
        guard let market = c.market, let id = c.sessionID, let hash = c.last("validation")?.data["hash"]?.stringValue
        else { throw RunnerError.mismatch("validation publication started but no validation result is journaled") }
        let url = c.runFolder.appendingPathComponent("validation.json")
        guard let data = FileManager.default.contents(atPath: url.path), Keccak256.hash(Array(data)).hex == hash,
            let members = (try? JSONValue.parse(data))?["members"]?.arrayValue
        else {
            throw RunnerError.mismatch(
                "\(url.path) is missing or no longer matches its journaled hash \(hash); restore it from a backup")
        }
        let orders = try await revealedBook(c).mapValues(\.orders)
        let fills = try await market.clearedFills(sessionID: id, fromBlock: c.sessionBlock)
        return try members.map { m in
            guard let text = m["address"]?.stringValue, let member = try? Address(text),
                let memberOrders = orders[member], let memberFills = fills[member],
                let delivered = m["delivered"]?.arrayValue?.compactMap({ $0.stringValue.flatMap { UInt64($0) } }),
                delivered.count == memberFills.count,
                let penalty = m["penalty"]?.stringValue.flatMap({ BigUInt($0, radix: 10) })
            else { throw RunnerError.mismatch("\(url.path): a member entry does not match the chain's fills") }
            return MemberDeliveriesEntry(
                member: member, orders: memberOrders, fills: memberFills, delivered: delivered, penalty: penalty)
        }
    }
}
