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
}
