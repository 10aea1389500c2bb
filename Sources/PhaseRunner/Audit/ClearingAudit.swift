import Chain
import ClearingPlugins
import Market

/// The clearing part of an audit: the plugin's input built exactly as the runner builds it, and
/// the published fills and prices compared with a recomputation.
public enum ClearingAudit {
    /// The clearing input of the revealed book, as the clear phase builds it: members in event
    /// order, each order with the id `<member hex>/<index in its revealed list>`.
    public static func orders(_ book: [RevealedMember]) -> [ClearingOrder] {
        book.flatMap { entry in
            entry.orders.enumerated().map { index, order in
                ClearingOrder(
                    id: "\(entry.address.hex)/\(index)", member: entry.address, slot: Int(order.slot),
                    side: order.side, quantityWh: order.quantityWh, limitPrice: order.limitPrice)
            }
        }
    }

    /// A clearing result as the clear phase publishes it: each member's fills in increasing
    /// order index (members without fills get an empty list), and one price per slot (0 where
    /// nothing trades).
    public static func publication(of result: ClearingResult, book: [RevealedMember], slots: Int) -> (
        fills: [Address: [MarketFill]], prices: [UInt64]
    ) {
        let byID = Dictionary(result.fills.map { ($0.orderID, $0) }, uniquingKeysWith: { a, _ in a })
        var fills = [Address: [MarketFill]]()
        for entry in book {
            fills[entry.address] = entry.orders.indices.compactMap { index in
                byID["\(entry.address.hex)/\(index)"].map {
                    MarketFill(orderIndex: UInt16(index), quantityWh: $0.quantityWh, price: $0.price)
                }
            }
        }
        var prices = [UInt64](repeating: 0, count: slots)
        for slot in result.slots where slot.slot >= 0 && slot.slot < slots { prices[slot.slot] = slot.price ?? 0 }
        return (fills, prices)
    }

    /// Every order whose published fill (quantity or price, or its presence) differs from the
    /// recomputed one, members in book order (then any others by address), orders by index; and
    /// every slot whose published price differs. `publishedPrices` nil: no price list published
    /// yet (not compared).
    public static func compare(
        book: [RevealedMember], published: [Address: [MarketFill]], recomputed: [Address: [MarketFill]],
        publishedPrices: [UInt64]?, recomputedPrices: [UInt64]
    ) -> [AuditFinding] {
        var findings = [AuditFinding]()
        let known = Set(book.map(\.address))
        let others = Set(published.keys).union(recomputed.keys).subtracting(known).sorted()
        let orders = Dictionary(book.map { ($0.address, $0.orders) }, uniquingKeysWith: { a, _ in a })
        for member in book.map(\.address) + others {
            let mine = published[member] ?? []
            let theirs = recomputed[member] ?? []
            let p = Dictionary(mine.map { (Int($0.orderIndex), $0) }, uniquingKeysWith: { a, _ in a })
            let r = Dictionary(theirs.map { (Int($0.orderIndex), $0) }, uniquingKeysWith: { a, _ in a })
            for index in Set(p.keys).union(r.keys).sorted() where p[index] != r[index] {
                let order = orders[member].flatMap { index < $0.count ? $0[index] : nil }
                findings.append(
                    .fill(
                        FillDivergence(
                            member: member, orderIndex: index, slot: order.map { Int($0.slot) }, side: order?.side,
                            published: p[index], recomputed: r[index])))
            }
        }
        if let publishedPrices {
            for slot in 0..<max(publishedPrices.count, recomputedPrices.count) {
                let mine = slot < publishedPrices.count ? publishedPrices[slot] : nil
                let theirs = slot < recomputedPrices.count ? recomputedPrices[slot] : nil
                if mine != theirs { findings.append(.slotPrice(slot: slot, published: mine, recomputed: theirs)) }
            }
        }
        return findings
    }
}
