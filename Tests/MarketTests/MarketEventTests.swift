import BigInt
import Chain
import Market
import Testing

/// The packed event fields (`MarketMath.pack`) decode, through the committed ABI, to the same
/// typed events as before the packing.
@Suite struct MarketEventTests {
    static let abi = try! ArtifactStore.locate().artifact("Marketplace").abi
    static let member = try! Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")

    /// `word`'s low `width` bytes, big-endian, as the contract packs them.
    static func bytes(_ word: BigUInt, width: Int) -> [UInt8] {
        let raw = [UInt8](word.serialize())
        return [UInt8](repeating: 0, count: width - raw.count) + raw
    }

    static func decode(_ name: String, session: UInt64, data: [UInt8]) throws -> MarketEvent? {
        let event = try abi.event(name)
        let topics = [
            event.topic, try ABI.encode(.uint(256), .unsigned(session)), try ABI.encode(.address, .address(member)),
        ]
        return MarketEvent(try event.decode(topics: topics, data: data))
    }

    @Test func packedOrdersFillsAndDeliveriesDecode() throws {
        let orders = [
            MarketOrder(slot: 23, side: .sell, quantityWh: .max, limitPrice: .max),
            MarketOrder(slot: 0, side: .buy, quantityWh: 1, limitPrice: 0),
        ]
        let salt = [UInt8](repeating: 0xab, count: 32)
        let packedOrders = orders.flatMap { Self.bytes($0.packed, width: 19) }
        let revealed = try Self.decode(
            "OrdersRevealed", session: 4,
            data: try ABI.encode([.bytes, .fixedBytes(32)], [.bytes(packedOrders), .fixedBytes(salt)]))
        #expect(revealed == .ordersRevealed(sessionID: 4, member: Self.member, orders: orders, salt: salt))

        let fills = [
            MarketFill(orderIndex: .max, quantityWh: .max, price: .max),
            MarketFill(orderIndex: 1, quantityWh: 2, price: 3),
        ]
        let cleared = try Self.decode(
            "MemberCleared", session: 4,
            data: try ABI.encode(.bytes, .bytes(fills.flatMap { Self.bytes($0.packed, width: 18) })))
        #expect(cleared == .memberCleared(sessionID: 4, member: Self.member, fills: fills))

        let delivered: [UInt64] = [.max, 0, 1_000]
        let validated = try Self.decode(
            "MemberValidated", session: 4,
            data: try ABI.encode(
                [.bytes, .uint(256), .uint(256), .uint(256)],
                [
                    .bytes(delivered.flatMap { Self.bytes(BigUInt($0), width: 8) }), .unsigned(7), .unsigned(8),
                    .unsigned(9),
                ]))
        #expect(
            validated
                == .memberValidated(
                    sessionID: 4, member: Self.member, delivered: delivered, paid: 7, receivable: 8, penalty: 9))
    }

    @Test func raggedOrMalformedPackingIsRefused() throws {
        #expect(MarketEvent.unpack([1, 2, 3], width: 2) == nil)
        #expect(MarketEvent.unpack([], width: 19) == [])
        // 19 bytes whose side byte is 2: not an order.
        var bad = Self.bytes(MarketOrder(slot: 1, side: .buy, quantityWh: 1, limitPrice: 1).packed, width: 19)
        bad[2] = 2
        let revealed = try Self.decode(
            "OrdersRevealed", session: 1,
            data: try ABI.encode(
                [.bytes, .fixedBytes(32)], [.bytes(bad), .fixedBytes([UInt8](repeating: 0, count: 32))]))
        #expect(revealed == nil)
    }
}
