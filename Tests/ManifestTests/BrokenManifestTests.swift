import Manifest
import Testing

/// One broken manifest: what to change and the error it must produce, located.
struct BrokenCase: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var line: Int
    var path: String
    var message: String

    var testDescription: String { name }
}

let day = DeliveryCalendar.Day(year: 2026, month: 11, day: 26)

let brokenCases: [BrokenCase] = [
    .init(
        name: "batching cap too low", yaml: editing(42, "  mode: batch\nbatching: {submission: relayed, max_gas: 99}"),
        line: 43, path: "batching.max_gas", message: "out of range"),
    .init(
        name: "batching submission unknown", yaml: editing(42, "  mode: batch\nbatching:\n  submission: courier"),
        line: 44, path: "batching.submission", message: "is not allowed"),
    .init(
        name: "batching typo", yaml: editing(42, "  mode: batch\nbatching: {submit: relayed}"), line: 43,
        path: "batching.submit", message: "unknown field"),
    .init(
        name: "version 2", yaml: editing(1, "version: 2"), line: 1, path: "version", message: "unsupported version 2"),
    .init(
        name: "version text", yaml: editing(1, "version: one"), line: 1, path: "version",
        message: "expected a whole number"),
    .init(
        name: "unknown top key", yaml: editing(1, "version: 1\nsesion: {}"), line: 2, path: "sesion",
        message: "unknown field"),
    .init(name: "missing session id", yaml: editing(3, nil), line: 2, path: "session.id", message: "missing"),
    .init(
        name: "bad time zone", yaml: editing(5, "  timezone: Europe/Milano"), line: 5, path: "session.timezone",
        message: "unknown time zone"),
    .init(
        name: "bad date", yaml: editing(6, "  delivery_day: 2026-13-01"), line: 6, path: "session.delivery_day",
        message: "is not a date"),
    .init(
        name: "slot minutes 30", yaml: editing(7, "  slot_minutes: 30"), line: 7, path: "session.slot_minutes",
        message: "not supported"),
    .init(
        name: "deposit negative", yaml: editing(8, "  deposit: \"-5\""), line: 8, path: "session.deposit",
        message: "is not an amount"),
    .init(
        name: "deposit too precise", yaml: editing(8, "  deposit: \"5.0000001\""), line: 8, path: "session.deposit",
        message: "at most 6 decimals"),
    .init(
        name: "bond with exponent", yaml: editing(9, "  seller_bond_per_kwh: 5e-2"), line: 9,
        path: "session.seller_bond_per_kwh", message: "is not an amount"),
    .init(
        name: "typo in session key", yaml: editing(4, "  comunity: CER Test"), line: 4, path: "session.comunity",
        message: "unknown field"),
    .init(
        name: "rpc without chain id", yaml: editing(11, "  rpc: http://127.0.0.1:8545"), line: 10,
        path: "chain.chain_id", message: "missing"),
    .init(
        name: "rpc not a URL", yaml: editing(11, "  rpc: node-1\n  chain_id: 2018"), line: 11, path: "chain.rpc",
        message: "not an http(s) URL"),
    .init(
        name: "dev with rpc", yaml: editing(11, "  dev: true\n  rpc: http://x"), line: 12, path: "chain.rpc",
        message: "exclude each other"),
    .init(
        name: "bad tx type", yaml: editing(11, "  rpc: http://n:8545\n  chain_id: 5\n  tx_type: eip4844"), line: 13,
        path: "chain.tx_type", message: "is not allowed"),
    .init(
        name: "bad gas price", yaml: editing(11, "  rpc: http://n:8545\n  chain_id: 5\n  gas_price: cheap"), line: 13,
        path: "chain.gas_price", message: "not auto, zero"),
    .init(
        name: "bad marketplace address", yaml: editing(13, "  marketplace: 0x1234"), line: 13,
        path: "contracts.marketplace", message: "20 bytes"),
    .init(
        name: "dev key without dev chain", yaml: editing(11, "  rpc: http://n:8545\n  chain_id: 5"), line: 16,
        path: "operator.dev_account", message: "only with `chain: {dev: true}`"),
    .init(
        name: "keystore without password", yaml: editing(15, "  keystore: op.json"), line: 15, path: "operator",
        message: "no password source"),
    .init(
        name: "deadline garbage", yaml: editing(17, "  commit: tomorrow"), line: 17, path: "deadlines.commit",
        message: "is not a deadline"),
    .init(
        name: "deadline out of range", yaml: editing(17, "  commit: D-9 18:00"), line: 17, path: "deadlines.commit",
        message: "is not a deadline"),
    .init(
        name: "reveal before commit", yaml: editing(18, "  reveal: D-1 17:00"), line: 18, path: "deadlines.reveal",
        message: "after the commit deadline"),
    .init(
        name: "reveal after delivery start", yaml: editing(18, "  reveal: D 01:00"), line: 18, path: "deadlines.reveal",
        message: "after the delivery day starts"),
    .init(
        name: "ISO deadline without offset", yaml: editing(17, "  commit: 2026-11-25T18:00:00"), line: 17,
        path: "deadlines.commit", message: "is not a deadline"),
    .init(
        name: "participants not a list", yaml: replacing(19...36, with: "participants: anna"), line: 19,
        path: "participants", message: "expected a list"),
    .init(
        name: "bad participant id", yaml: editing(20, "  - id: anna maria"), line: 20, path: "participants[0].id",
        message: "is not a valid id"),
    .init(
        name: "duplicate id", yaml: editing(32, "  - id: anna"), line: 32, path: "participants[1].id",
        message: "duplicate id"),
    .init(
        name: "duplicate address", yaml: editing(33, "    address: \"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\""),
        line: 33, path: "participants[1].address", message: "used twice"),
    .init(
        name: "bad checksum", yaml: editing(21, "    address: \"0x3c44CdDdB6a900fa2b585dd299e03d12FA4293BC\""),
        line: 21, path: "participants[0].address", message: "EIP-55"),
    .init(
        name: "duplicate POD", yaml: editing(34, "    pod: IT001E00000001"), line: 34, path: "participants[1].pod",
        message: "used twice"),
    .init(
        name: "bad POD", yaml: editing(22, "    pod: FR001E00000001"), line: 22, path: "participants[0].pod",
        message: "not an Italian POD"),
    .init(
        name: "bad role", yaml: editing(23, "    role: seller"), line: 23, path: "participants[0].role",
        message: "is not allowed"),
    .init(
        name: "slot beyond the day", yaml: editing(28, "      - slot: 24"), line: 28,
        path: "participants[0].orders[0].slot", message: "out of range 0…23"),
    .init(
        name: "bad side", yaml: editing(29, "        side: lend"), line: 29, path: "participants[0].orders[0].side",
        message: "is not allowed"),
    .init(
        name: "zero quantity", yaml: editing(30, "        kwh: \"0\""), line: 30, path: "participants[0].orders[0].kwh",
        message: "zero quantity"),
    .init(
        name: "sub-Wh quantity", yaml: editing(30, "        kwh: \"2.5001\""), line: 30,
        path: "participants[0].orders[0].kwh", message: "at most 3 decimals"),
    .init(
        name: "price too precise", yaml: editing(31, "        price: \"0.1000001\""), line: 31,
        path: "participants[0].orders[0].price", message: "at most 6 decimals"),
    .init(
        name: "consumer selling", yaml: editing(23, "    role: consumer"), line: 29,
        path: "participants[0].orders[0].side", message: "a consumer cannot sell"),
    .init(
        name: "orders without key", yaml: editing(26, "      dev_account: 2\n    orders_csv: a.csv"), line: 27,
        path: "participants[0].orders_csv", message: "not both"),
    .init(
        name: "missing clearing plugin", yaml: editing(38, nil), line: 37, path: "clearing.plugin", message: "missing"),
    .init(
        name: "unknown clearing plugin", yaml: editing(38, "  plugin: vickrey"), line: 38, path: "clearing.plugin",
        message: "is not built in"),
    .init(
        name: "bad price rule", yaml: editing(40, "    price_rule: median"), line: 40,
        path: "clearing.params.price_rule", message: "is not midpoint"),
    .init(
        name: "sdr without grid prices", yaml: editing(38, "  plugin: sdr"), line: 40, path: "clearing.params",
        message: "non-negative integer"),
    .init(
        name: "bad settlement mode", yaml: editing(42, "  mode: sometimes"), line: 42, path: "settlement.mode",
        message: "is not allowed"),
    .init(name: "YAML syntax", yaml: editing(4, "  community: [CER Test"), line: 5, path: "", message: "YAML syntax"),
    .init(
        name: "duplicate key", yaml: editing(4, "  community: A\n  community: B"), line: 4, path: "",
        message: "duplicated key"),
    .init(
        name: "validation without source", yaml: withValidation("  missing: fail"), line: 43,
        path: "validation.source", message: "missing"),
    .init(
        name: "two meter sources",
        yaml: withValidation("  source:\n    csv: {files: a.csv}\n    http: {url: \"http://m/{pod}\"}"),
        line: 45, path: "validation.source", message: "several sources"),
    .init(
        name: "http url without pod", yaml: withValidation("  source:\n    http:\n      url: https://m/{date}"),
        line: 46, path: "validation.source.http.url", message: "no {pod} placeholder"),
    .init(
        name: "meter unit kwh", yaml: withValidation("  source:\n    csv:\n      files: a.csv\n      unit: kwh"),
        line: 47, path: "validation.source.csv.unit", message: "is not allowed"),
    .init(
        name: "meter interval 30",
        yaml: withValidation("  source:\n    csv:\n      files: a.csv\n      interval_minutes: 30"), line: 47,
        path: "validation.source.csv.interval_minutes", message: "not 15 or 60"),
    .init(
        name: "timestamp and date columns",
        yaml: withValidation(
            "  source:\n    csv:\n      files: a.csv\n      columns: {timestamp: T, date: D, time: H}"),
        line: 47, path: "validation.source.csv.columns", message: "exclude each other"),
    .init(
        name: "meter time zone",
        yaml: withValidation("  source:\n    csv:\n      files: a.csv\n      time_zone: Europe/Milano"), line: 47,
        path: "validation.source.csv.time_zone", message: "unknown time zone"),
    .init(
        name: "postgres query without pods",
        yaml: withValidation(
            "  source:\n    postgres:\n      database: m\n      user: u\n      query: SELECT 1 WHERE $1 < $2"),
        line: 48, path: "validation.source.postgres.query", message: "does not use $3"),
    .init(
        name: "penalty too precise",
        yaml: withValidation("  source: {csv: {files: a.csv}}\n  penalty_per_kwh:\n    seller: \"0.0000001\""),
        line: 46, path: "validation.penalty_per_kwh.seller", message: "at most 6 decimals"),
    .init(
        name: "tolerance above 1000 per mille",
        yaml: withValidation("  source: {csv: {files: a.csv}}\n  tolerance:\n    per_mille: 1200"), line: 46,
        path: "validation.tolerance.per_mille", message: "out of range"),
    .init(
        name: "genesis time on a node",
        yaml: editing(11, "  rpc: http://n:8545\n  chain_id: 5\n  genesis_time: D-2 12:00"),
        line: 13, path: "chain.genesis_time", message: "only a dev chain"),
]

/// `validManifest` with a `validation` section (its lines start at line 44).
func withValidation(_ body: String) -> String {
    editing(42, "  mode: batch\nvalidation:\n" + body)
}

@Suite struct BrokenManifestTests {
    @Test func theValidManifestParses() throws {
        let manifest = try ManifestParser.parse(validManifest, file: "m.yaml", date: day)
        #expect(manifest.session.id == "cer-test-2026-11-26")
        #expect(manifest.session.slots == 24)
        #expect(manifest.participants.count == 2)
        #expect(
            manifest.participants[0].orders == [.init(slot: 12, side: .sell, quantityWh: 2_500, limitPrice: 100_000)])
        #expect(manifest.session.deposit == 5_000_000)
        #expect(manifest.session.sellerBondPerKWh == 50_000)
        #expect(manifest.batching == .init(submission: .direct, maxGas: 15_000_000))
    }

    @Test func batchingIsRead() throws {
        let yaml = editing(42, "  mode: batch\nbatching: {submission: relayed, max_gas: 30_000_000}")
        let manifest = try ManifestParser.parse(yaml, file: "m.yaml", date: day)
        #expect(manifest.batching == .init(submission: .relayed, maxGas: 30_000_000))
        // Part of the anchored manifest: changing it changes the hash.
        let other = try ManifestParser.parse(
            editing(42, "  mode: batch\nbatching: {submission: relayed, max_gas: 20_000_000}"), file: "m.yaml",
            date: day)
        #expect(other.canonicalHash != manifest.canonicalHash)
    }

    @Test(arguments: brokenCases)
    func brokenManifestIsReportedWithItsLocation(_ broken: BrokenCase) {
        do {
            _ = try ManifestParser.parse(broken.yaml, file: "m.yaml", date: day)
            Issue.record("\(broken.name): parsed without error")
        } catch {
            let match = error.issues.first { $0.path == broken.path && $0.message.contains(broken.message) }
            #expect(match != nil, "\(broken.name): got \(error.issues.map(\.description))")
            #expect(match?.line == broken.line, "\(broken.name): line \(match?.line ?? -1), expected \(broken.line)")
            #expect(match?.file == "m.yaml")
            #expect(match.map { $0.column > 0 } ?? false)
        }
    }

    @Test func allProblemsAreReportedInOnePass() {
        var yaml = editing(5, "  timezone: Mars/Olympus")
        yaml = yaml.replacingOccurrences(of: "role: prosumer", with: "role: pirate")
        yaml = yaml.replacingOccurrences(of: "mode: batch", with: "mode: never")
        do {
            _ = try ManifestParser.parse(yaml, file: "m.yaml", date: day)
            Issue.record("parsed")
        } catch {
            let paths = Set(error.issues.map(\.path))
            #expect(paths.isSuperset(of: ["session.timezone", "participants[0].role", "settlement.mode"]))
            #expect(error.description.contains("nothing was sent to the chain"))
        }
    }
}
