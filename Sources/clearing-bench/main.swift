// clearing-bench: clears synthetic books and prints orders/s and peak memory. A benchmark, not a
// test: `make bench` runs each size in its own process so that VmHWM is that run's peak.
//
//   clearing-bench [ORDERS [SLOTS [MECHANISM…]]]     default: 10000 24 uniform-price sdr
import Chain
import ClearingPlugins
import Foundation
import Market

/// `count` orders from `count / 4` random members over `slots` slots, ids `<member hex>/<index>` as the
/// runner builds them; prices 0.08…0.26 per kWh in 6-decimal base units, 0.1…5 kWh.
func syntheticBook(count: Int, slots: Int, seed: UInt64) -> [ClearingOrder] {
    var rng = SplitMix64(seed: seed)
    let memberCount = max(1, count / 4)
    // Random addresses, as real ones (hashes of keys) are.
    let members = (0..<memberCount).map { _ in
        Address(unchecked: (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
    var nextIndex = [Int](repeating: 0, count: memberCount)
    var orders = [ClearingOrder]()
    orders.reserveCapacity(count)
    for _ in 0..<count {
        let m = Int.random(in: 0..<memberCount, using: &rng)
        let side: OrderSide = Bool.random(using: &rng) ? .buy : .sell
        let price = UInt64.random(in: 80...260, using: &rng) * 1_000
        orders.append(
            ClearingOrder(
                id: "\(members[m].hex)/\(nextIndex[m])", member: members[m],
                slot: Int.random(in: 0..<slots, using: &rng),
                side: side, quantityWh: UInt64.random(in: 100...5_000, using: &rng), limitPrice: price))
        nextIndex[m] += 1
    }
    return orders
}

/// CPU time of this thread: on a machine shared with other builds, the time the clearing
/// actually ran (wall time also counts waiting for a core).
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// VmHWM (peak resident memory) of this process, in MiB.
func peakMemoryMiB() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kB = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kB / 1024
}

/// `--digest`: one hash per mechanism over the results of many small random books (shared
/// members, ties, crossing and not) and one 100k-order book, to check that an optimisation
/// changes no result: run it before and after, compare.
func digests(_ names: [String], params: JSONValue) throws {
    var rng = SplitMix64(seed: 7)
    let members = (0..<6).map { _ in Address(unchecked: (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
    var books = [[ClearingOrder]]()
    for _ in 0..<3_000 {
        books.append(
            (0..<Int.random(in: 0...14, using: &rng)).map { i in
                ClearingOrder(
                    id: "\(members[i % 6].hex)/\(Int.random(in: 0...20, using: &rng))-\(i)",
                    member: members[Int.random(in: 0..<6, using: &rng)], slot: Int.random(in: 0...2, using: &rng),
                    side: Bool.random(using: &rng) ? .buy : .sell,
                    quantityWh: UInt64.random(in: 1...3_000, using: &rng),
                    limitPrice: UInt64.random(in: 70...270, using: &rng) * 1_000)
            })
    }
    books.append(syntheticBook(count: 100_000, slots: 24, seed: 9))
    for name in names {
        let mechanism = try BuiltInClearing.make(name, params: params)
        var text = ""
        for book in books {
            text +=
                ClearingProtocol.encodeResult(mechanism.clear(orders: book, slots: book.count > 1_000 ? 24 : 3))
                .jsonText
        }
        print("\(name): \(Keccak256.hash(Array(text.utf8)).hex)")
    }
}

if CommandLine.arguments.dropFirst().first == "--digest" {
    try digests(
        ["uniform-price", "pay-as-bid", "pay-as-offer", "k-double-auction", "mcafee", "sdr", "mid-market-rate"],
        params: ["feed_in_price": "80000", "retail_price": "260000", "k": "1/3"])
    exit(0)
}

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 10_000
let slots = arguments.dropFirst().first.flatMap { Int($0) } ?? 24
let names = arguments.count > 2 ? Array(arguments.dropFirst(2)) : ["uniform-price", "sdr"]
let params: JSONValue = ["feed_in_price": "80000", "retail_price": "260000"]

let buildStart = ContinuousClock.now
let orders = syntheticBook(count: count, slots: slots, seed: 42)
let built = ContinuousClock.now - buildStart
print("book: \(count) orders, \(slots) slots (built in \(built))")
for name in names {
    let mechanism = try BuiltInClearing.make(name, params: params)
    let start = ContinuousClock.now
    let cpuStart = threadCPUSeconds()
    let result = mechanism.clear(orders: orders, slots: slots)
    let cpu = threadCPUSeconds() - cpuStart
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let volume = result.slots.reduce(UInt64(0)) { $0 + $1.volumeWh }
    print(
        String(
            format: "%@: %.3f s wall, %.3f s CPU, %.0f orders/s (wall), %d fills, %llu Wh traded", name, seconds, cpu,
            Double(count) / seconds, result.fills.count, volume))
}
if let peak = peakMemoryMiB() { print(String(format: "peak memory (VmHWM): %.1f MiB", peak)) }
