import Manifest
import Testing

/// Member order files (`cer-run member commit --orders`): YAML and CSV give the same orders, and
/// every problem is located at its line (and, in CSV, at its cell).
@Suite struct OrderFileTests {
    /// slot side Wh price, for comparing without the Market module.
    func words(_ text: String, file: String) throws -> [String] {
        try OrderFile.parse(text, file: file, slots: 24, tokenDecimals: 6).map {
            "\($0.slot) \($0.side) \($0.quantityWh) \($0.limitPrice)"
        }
    }

    let expected = ["18 buy 1500 220000", "12 sell 2500 100000"]

    @Test func yamlListMappingAndCSVAgree() throws {
        let list = """
            - {slot: 18, side: buy, kwh: "1.5", price: "0.22"}
            - {slot: 12, side: sell, wh: 2500, price: "0.10"}
            """
        #expect(try words(list, file: "orders.yaml") == expected)
        let mapping = "orders:\n" + list.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        #expect(try words(mapping, file: "orders.yml") == expected)
        let csv = "slot,side,kwh,price\n# evening\n\n18,buy,1.5,0.22\n 12 , sell , 2.5 , 0.10\n"
        #expect(try words(csv, file: "orders.csv") == expected)
        let reordered = "price,wh,side,slot\n0.22,1500,buy,18\n0.10,2500,sell,12\n"
        #expect(try words(reordered, file: "ORDERS.CSV") == expected)
    }

    @Test func csvProblemsPointAtTheCell() throws {
        let csv = "slot,side,kwh,price\n3,buy,1,0.2\n99,sell,1,0.1\n4,buy,1,0.1234567\n"
        let error = try #require(throws: ManifestErrors.self) { try words(csv, file: "o.csv") }
        #expect(error.issues.count == 2)
        #expect(error.issues[0].line == 3 && error.issues[0].column == 1 && error.issues[0].path == "slot")
        #expect(error.issues[0].message.contains("99 is out of range 0…23"))
        #expect(error.issues[1].line == 4 && error.issues[1].column == 9 && error.issues[1].path == "price")
    }

    @Test(arguments: [
        ("o.csv", "slot,side,kwh,prize\n1,buy,1,0.1\n", "unknown column \"prize\""),
        ("o.csv", "slot,side,kwh,price\n1,buy,1\n", "3 values where the header has 4"),
        ("o.csv", "slot,side,kwh,price\n", "no orders"),
        ("o.yaml", "[]", "no orders"),
        ("o.yaml", "- {slot: 1, side: hold, kwh: \"1\", price: \"0.1\"}", "\"hold\" is not allowed"),
        ("o.yaml", "- {slot: 1, side: buy, kwh: \"0\", price: \"0.1\"}", "zero quantity"),
        ("o.yaml", "ordrs: []", "unknown field"),
    ])
    func badFilesAreRefused(file: String, text: String, message: String) throws {
        let error = try #require(throws: ManifestErrors.self) { try words(text, file: file) }
        #expect(error.description.contains(message), "\(error)")
    }
}
