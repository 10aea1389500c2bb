import Chain

/// One order as the per-slot clearing code sees it: its limit and quantity, and integers for
/// everything else — `rank` is its position in ascending id order (every tie-break by id
/// compares ranks), `order` its index in the input, `member` a dense number for its member.
struct SlotEntry {
    var limit: UInt64
    var quantity: UInt64
    var rank: Int32
    var order: Int32
    var member: Int32
    var isBuy: Bool
}

/// A fill of one entry, before it becomes an `OrderFill`.
struct SlotFill {
    var entry: SlotEntry
    var quantity: UInt64
    var price: UInt64
}

/// The orders of one clearing, indexed once: id ranks, member numbers and the entries of each
/// slot. Orders whose slot is outside 0..<slots are left out (they never trade).
struct IndexedBook {
    let orders: [ClearingOrder]
    /// Input indices in ascending id order.
    let idOrder: [Int32]
    let slotEntries: [[SlotEntry]]
    let memberCount: Int

    init(orders: [ClearingOrder], slots: Int) {
        self.orders = orders
        idOrder = Self.sortedByID(orders)
        var rank = [Int32](repeating: 0, count: orders.count)
        for (position, index) in idOrder.enumerated() { rank[Int(index)] = Int32(position) }
        var members = [MemberKey: Int32]()
        members.reserveCapacity(orders.count / 2)
        var entries = [[SlotEntry]](repeating: [], count: max(slots, 0))
        for (index, order) in orders.enumerated() where order.slot >= 0 && order.slot < slots {
            let key = MemberKey(order.member)
            let member: Int32
            if let known = members[key] {
                member = known
            } else {
                member = Int32(members.count)
                members[key] = member
            }
            entries[order.slot].append(
                SlotEntry(
                    limit: order.limitPrice, quantity: order.quantityWh, rank: rank[index], order: Int32(index),
                    member: member, isBuy: order.side == .buy))
        }
        slotEntries = entries
        memberCount = members.count
    }

    /// Indices of `orders` in ascending `String` order of their ids. ASCII ids (all real ones)
    /// are sorted on their first 16 bytes as two integers, the full ids compared only on equal
    /// prefixes; for ASCII, byte order and `String` order agree. Other ids use `String` order.
    static func sortedByID(_ orders: [ClearingOrder]) -> [Int32] {
        var keyed = [(UInt64, UInt64, Int32)]()
        keyed.reserveCapacity(orders.count)
        for (index, order) in orders.enumerated() {
            guard let key = order.id.utf8.withContiguousStorageIfAvailable({ Self.asciiPrefixKey($0) }) ?? nil else {
                return (0..<Int32(orders.count)).sorted { orders[Int($0)].id < orders[Int($1)].id }
            }
            keyed.append((key.0, key.1, Int32(index)))
        }
        if keyed.count >= 4_096 {
            radixSort(&keyed)
        } else {
            // Small books: a comparison sort costs less than the radix sort's 64k counters.
            keyed.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        }
        // Equal 16-byte prefixes: order each such run by the full id.
        var start = 0
        while start < keyed.count {
            var end = start + 1
            while end < keyed.count, keyed[end].0 == keyed[start].0, keyed[end].1 == keyed[start].1 { end += 1 }
            if end - start > 1 { keyed[start..<end].sort { orders[Int($0.2)].id < orders[Int($1.2)].id } }
            start = end
        }
        return keyed.map(\.2)
    }

    /// The first 16 bytes as two big-endian integers (zero-padded), or nil if any byte is not ASCII.
    static func asciiPrefixKey(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var any: UInt8 = 0
        for (offset, byte) in bytes.enumerated() {
            any |= byte
            if offset < 8 {
                high |= UInt64(byte) << (56 - 8 * offset)
            } else if offset < 16 {
                low |= UInt64(byte) << (120 - 8 * offset)
            }
        }
        return any < 0x80 ? (high, low) : nil
    }

    /// Sorts by (first, second) as one 128-bit key: least-significant-digit radix sort, 16-bit
    /// digits, skipping digits every key shares.
    static func radixSort(_ keys: inout [(UInt64, UInt64, Int32)]) {
        guard keys.count > 1 else { return }
        var buffer = keys
        var counts = [Int](repeating: 0, count: 65_537)
        for pass in 0..<8 {
            let shift = UInt64((pass % 4) * 16)
            let low = pass < 4
            for index in counts.indices { counts[index] = 0 }
            keys.withUnsafeBufferPointer { source in
                for key in source { counts[Int(((low ? key.1 : key.0) >> shift) & 0xffff) + 1] += 1 }
            }
            if counts.contains(keys.count) { continue }
            for digit in 1..<counts.count { counts[digit] += counts[digit - 1] }
            keys.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    for key in source {
                        let digit = Int(((low ? key.1 : key.0) >> shift) & 0xffff)
                        target[counts[digit]] = key
                        counts[digit] += 1
                    }
                }
            }
            swap(&keys, &buffer)
        }
    }

    /// Clears each slot on its own with `clearSlot(slot, entries, marks)` and gathers the
    /// results, fills in ascending order id.
    static func clearEachSlot(
        orders: [ClearingOrder], slots: Int,
        _ clearSlot: (Int, [SlotEntry], MemberMarks) -> (SlotClearing, [SlotFill])
    ) -> ClearingResult {
        let book = IndexedBook(orders: orders, slots: slots)
        let marks = MemberMarks(memberCount: book.memberCount)
        var quantity = [UInt64](repeating: 0, count: orders.count)
        var price = [UInt64](repeating: 0, count: orders.count)
        var slotResults = [SlotClearing]()
        slotResults.reserveCapacity(max(slots, 0))
        for slot in 0..<max(slots, 0) {
            let (clearing, fills) = clearSlot(slot, book.slotEntries[slot], marks)
            slotResults.append(clearing)
            for fill in fills where fill.quantity > 0 {
                quantity[Int(fill.entry.order)] = fill.quantity
                price[Int(fill.entry.order)] = fill.price
            }
        }
        var fills = [OrderFill]()
        for index in book.idOrder where quantity[Int(index)] > 0 {
            let i = Int(index)
            fills.append(OrderFill(orderID: orders[i].id, quantityWh: quantity[i], price: price[i]))
        }
        return ClearingResult(slots: slotResults, fills: fills)
    }
}

/// An address as three integers: hashing and comparing it is much cheaper than its byte array.
struct MemberKey: Hashable {
    var high: UInt64
    var middle: UInt64
    var low: UInt32

    init(_ address: Address) {
        (high, middle, low) = address.bytes.withUnsafeBytes {
            (
                $0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                $0.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
            )
        }
    }
}
