import ClearingPlugins
import Testing

/// Fills come out in ascending `String` order of the order ids, whatever the ids look like:
/// long shared prefixes (the clearing sorts on 16-byte prefixes first), numbers compared as
/// text, and non-ASCII ids (which take the plain `String` comparison).
@Suite struct FillOrderTests {
    static let idSets: [[String]] = [
        ["0xabcdefabcdefabcdef/10", "0xabcdefabcdefabcdef/9", "0xabcdefabcdefabcdef/1", "0xabcdefabcdefabcd/2"],
        ["b", "a", "aa", "a\u{0}", "0123456789abcdef", "0123456789abcdeg", "0123456789abcdef0"],
        ["é", "e", "z", "ä/1", "a/1", "日本/0", "ｚ"],
    ]

    @Test(arguments: idSets)
    func fillsAreInIdOrder(_ ids: [String]) throws {
        // Every order can trade: half bids at 200, half asks at 100, equal quantities.
        let orders = ids.enumerated().map { index, id in
            order(id, index % 2 == 0 ? .buy : .sell, 10, index % 2 == 0 ? 200 : 100)
        }
        for mechanism in [
            UniformPriceClearing() as any ClearingMechanism, McAfeeClearing(),
            SupplyDemandRatioClearing(feedInPrice: 100, retailPrice: 200),
        ] {
            let result = mechanism.clear(orders: orders, slots: 1)
            try ClearingVerifier.verify(result, orders: orders, slots: 1)
            #expect(!result.fills.isEmpty)
            #expect(result.fills.map(\.orderID) == result.fills.map(\.orderID).sorted())
        }
    }

    /// Ties between equal quantities at one price go to the smaller id, also when ids share more
    /// than 16 bytes: 10 Wh over three 10 Wh bids → 4, 3, 3 with the 4 to the smallest id.
    @Test func tieBreaksUseTheFullId() throws {
        let prefix = "0x1234567890abcdef1234/"
        let orders = [
            order(prefix + "9", .buy, 10, 150), order(prefix + "10", .buy, 10, 150), order(prefix + "2", .buy, 10, 150),
            order("s", .sell, 10, 150),
        ]
        let result = UniformPriceClearing().clear(orders: orders, slots: 1)
        try ClearingVerifier.verify(result, orders: orders, slots: 1)
        #expect(result.fills.first { $0.orderID == prefix + "10" }?.quantityWh == 4)
    }
}
