import BigInt
import Chain
import Market
import Testing

/// The relayed entry points' Swift encodings against the committed Marketplace ABI (no chain).
@Suite struct MarketRelayEncodingTests {
    static let abi = try! ArtifactStore.locate().artifact("Marketplace").abi
    static let member = try! Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")

    @Test func relayedRevealCarriesOrdersAndSaltOnly() throws {
        let orders = [
            MarketOrder(slot: 0, side: .sell, quantityWh: 2_000, limitPrice: 100_000),
            MarketOrder(slot: 23, side: .buy, quantityWh: 1_000, limitPrice: 200_000),
        ]
        let salt = [UInt8](repeating: 9, count: 32)
        let entry = RevealEntry(member: Self.member, orders: orders, salt: salt)
        let function = try Self.abi.function("revealOrdersRelayed")
        #expect(function.inputs.map(\.type.description) == ["uint256", "(address,uint256[],bytes32)[]"])
        let call = try function.encodeCall([.unsigned(7), .array([entry.abiValue])])
        // selector, session id, offset, count, tuple offset, member, orders offset, salt, count, 2 orders.
        #expect(call.count == 4 + 32 * 10)
        let last = try ABI.encode(.uint(256), .uint(orders[1].packed))
        #expect(Array(call.suffix(32)) == last)
        #expect((try? Self.abi.function("revealOrdersBySig")) == nil)
    }

    @Test func validationSendsClearedFillsWithoutOrders() throws {
        let orders = [
            MarketOrder(slot: 3, side: .buy, quantityWh: 900, limitPrice: 130_000),
            MarketOrder(slot: 23, side: .sell, quantityWh: 2_000, limitPrice: 100_000),
        ]
        let fill = MarketFill(orderIndex: 1, quantityWh: 1_000, price: 150_000)
        let entry = MemberDeliveriesEntry(
            member: Self.member, orders: orders, fills: [fill], delivered: [800], penalty: 5)
        // The fill word, then side 1 at bit 144, slot 23 at bit 152, the limit price at bit 168.
        let expected = fill.packed | BigUInt(1) << 144 | BigUInt(23) << 152 | BigUInt(100_000) << 168
        #expect(entry.clearedFills == [expected])
        let function = try Self.abi.function("setValidTransactions")
        #expect(function.inputs.map(\.type.description) == ["uint256", "(address,uint256[],uint256[],uint256)[]"])
        let call = try function.encodeCall([.unsigned(1), .array([entry.abiValue])])
        // selector, id, offset, count, tuple offset, member, 2 offsets, penalty, 1 fill, 1 delivered.
        #expect(call.count == 4 + 32 * 12)
        // A fill naming no order goes as is (the contract then refuses its hash).
        var stray = entry
        stray.fills = [MarketFill(orderIndex: 7, quantityWh: 1, price: 1)]
        #expect(stray.clearedFills == [stray.fills[0].packed])
    }
}
