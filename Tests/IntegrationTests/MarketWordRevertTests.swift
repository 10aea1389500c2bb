import BigInt
import Chain
import Market
import Testing

/// Raw order and fill words the typed bindings cannot express (high bits, side 2, zero
/// quantities, repeated order indexes), sent to the contract as words. The contract checks a
/// member's words in one assembly pass and, only when one is bad, walks them again to revert
/// with the first bad word's error: these tests pin that error, its arguments and which word is
/// reported first, and the collateral the fast pass sums (ceilings included).
@Suite struct MarketWordRevertTests: MarketRevertSuite {
    /// An order word: bits 0–63 limit, 64–127 Wh, 128–135 side, 136–151 slot.
    static func order(slot: BigUInt, side: BigUInt, wh: BigUInt, limit: BigUInt) -> BigUInt {
        limit | wh << 64 | side << 128 | slot << 136
    }

    /// A fill word: bits 0–63 price, 64–127 Wh, 128–143 order index.
    static func fill(index: BigUInt, wh: BigUInt, price: BigUInt) -> BigUInt { price | wh << 64 | index << 128 }

    static func words(_ values: [BigUInt]) -> ABIValue { .array(values.map { .uint($0) }) }

    /// Member `index` commits `words` (the contract's own commitment of them) in session `id`.
    func commitWords(_ f: MarketFixture, _ id: UInt64, _ index: Int, _ words: [BigUInt], salt: [UInt8]) async throws {
        let commitment =
            try await f.market.contract.call(
                "computeCommitment",
                [.unsigned(id), .address(f.keys[index].address), Self.words(words), .fixedBytes(salt)])[0]
            .bytesValue ?? []
        try await f.market.submitCommitment(sessionID: id, commitment: commitment, sender: f.sender(index))
    }

    func revealWords(_ f: MarketFixture, _ id: UInt64, _ index: Int, _ words: [BigUInt], salt: [UInt8]) async throws {
        try await f.sender(index).transact(
            f.market.contract, "revealOrders", [.unsigned(id), Self.words(words), .fixedBytes(salt)])
    }

    @Test func badOrderWordsRevertWithTheFirstBadWordsError() async throws {
        let f = try await MarketFixture.make()
        let members = [2, 3, 4, 5, 6, 7]
        try await f.onboard(members, mint: 100 * Self.unit, deposit: 50 * Self.unit)
        // Two slots; the bond is 50,001 per kWh so a seller's collateral has a ceiling too.
        let (id, params) = try await f.openSession(slots: 2, bond: 50_001)
        let valid = Self.order(slot: 1, side: 0, wh: 333, limit: 100_001)
        let highBits = valid | BigUInt(1) << 152
        let sideTwo = Self.order(slot: 0, side: 2, wh: 1_000, limit: 100_000)
        let zeroQuantity = Self.order(slot: 0, side: 1, wh: 0, limit: 100_000)
        let slotTwo = Self.order(slot: 2, side: 0, wh: 1_000, limit: 100_000)
        let books: [Int: [BigUInt]] = [
            2: [valid, highBits],
            3: [sideTwo],
            4: [zeroQuantity, highBits],
            5: [valid, slotTwo],
            6: [valid, Self.order(slot: 0, side: 1, wh: 777, limit: 90_000)],
        ]
        var salts = [Int: [UInt8]]()
        for (index, words) in books {
            salts[index] = Commitment.randomSalt()
            try await commitWords(f, id, index, words, salt: salts[index]!)
        }
        try await f.travel(to: params.commitDeadline)

        let high = await expectRevert("InvalidOrder") { try await revealWords(f, id, 2, books[2]!, salt: salts[2]!) }
        #expect(high?["index"] == .unsigned(1))
        #expect(high?["word"] == .uint(highBits))
        #expect(high?["reason"] == .string("non-zero high bits"))

        let side = await expectRevert("InvalidOrder") { try await revealWords(f, id, 3, books[3]!, salt: salts[3]!) }
        #expect(side?["index"] == .unsigned(0))
        #expect(side?["reason"] == .string("side must be 0 (buy) or 1 (sell)"))

        // Two bad words: the first one is reported.
        let zero = await expectRevert("InvalidOrder") { try await revealWords(f, id, 4, books[4]!, salt: salts[4]!) }
        #expect(zero?["index"] == .unsigned(0))
        #expect(zero?["word"] == .uint(zeroQuantity))
        #expect(zero?["reason"] == .string("zero quantity"))

        let slot = await expectRevert("SlotOutOfRange") { try await revealWords(f, id, 5, books[5]!, salt: salts[5]!) }
        #expect(slot?["index"] == .unsigned(1))
        #expect(slot?["slot"] == .unsigned(2))
        #expect(slot?["slots"] == .unsigned(2))

        // Nothing was revealed by the refused words; the deposits stay locked.
        #expect(try await f.market.session(id).reveals == 0)
        try await f.expectFunds(2, available: 45 * Self.unit, locked: 5 * Self.unit)

        // Valid words lock ceil(333 × 100,001 / 1000) = 33,301 for the buy and
        // ceil(777 × 50,001 / 1000) = 38,851 for the sell; the deposit is released.
        try await revealWords(f, id, 6, books[6]!, salt: salts[6]!)
        try await f.expectFunds(6, available: 50 * Self.unit - 33_301 - 38_851, locked: 33_301 + 38_851)
        try await f.checkConservation(members: members, sessions: [id])
    }

    @Test func badFillWordsRevertWithTheFirstBadFillsError() async throws {
        let f = try await MarketFixture.make()
        let (seller, buyer) = (2, 3)
        try await f.onboard([seller, buyer], mint: 100 * Self.unit, deposit: 50 * Self.unit)
        let (id, _, sellerSalt, buyerSalt) = try await f.revealedPair(
            seller: seller, buyer: buyer, sell: Self.sell, buy: Self.buy)
        let fair = Self.fill(index: 0, wh: 1_000, price: 120_000)

        func publish(_ fills: [BigUInt]) async throws {
            let sellerEntry = ABIValue.tuple([
                .address(f.keys[seller].address), Self.sell.abiValue, .fixedBytes(sellerSalt), Self.words([fair]),
            ])
            let buyerEntry = ABIValue.tuple([
                .address(f.keys[buyer].address), Self.buy.abiValue, .fixedBytes(buyerSalt), Self.words(fills),
            ])
            try await f.operatorSender.transact(
                f.market.contract, "setFinalOrders", [.unsigned(id), .array([sellerEntry, buyerEntry])])
        }

        let highBits = fair | BigUInt(1) << 144
        let high = await expectRevert("InvalidFill") { try await publish([highBits]) }
        #expect(high?["member"] == .address(f.keys[buyer].address))
        #expect(high?["fillIndex"] == .unsigned(0))
        #expect(high?["word"] == .uint(highBits))
        #expect(high?["reason"] == .string("non-zero high bits"))

        // Index 1 of a single order, with zero Wh as well: the index is checked first.
        let outOfRange = Self.fill(index: 1, wh: 0, price: 120_000)
        let range = await expectRevert("InvalidFill") { try await publish([outOfRange]) }
        #expect(range?["word"] == .uint(outOfRange))
        #expect(range?["reason"] == .string("order index out of range or not increasing"))

        let repeated = await expectRevert("InvalidFill") { try await publish([fair, fair]) }
        #expect(repeated?["fillIndex"] == .unsigned(1))
        #expect(repeated?["reason"] == .string("order index out of range or not increasing"))

        let zero = await expectRevert("InvalidFill") { try await publish([Self.fill(index: 0, wh: 0, price: 120_000)]) }
        #expect(zero?["reason"] == .string("zero quantity"))

        // A good fill after the refusals: both members cleared, the slot balanced.
        #expect(try await f.market.session(id).cleared == 0)
        try await publish([fair])
        #expect(try await f.market.session(id).cleared == 2)
        try await f.market.finalizeClearing(sessionID: id, clearingPrices: [120_000], sender: f.operatorSender)
        try await f.checkConservation(members: [seller, buyer], sessions: [id])
    }
}
