import Market
import Testing

@Suite struct LargestRemainderTests {
    @Test func floorsThenLargestRemaindersThenLowerIndex() {
        // 10 over [3, 3, 3]: 10·3/9 = 3 r 3 each → [3, 3, 3], one left, equal remainders → index 0.
        #expect(LargestRemainder.split(10, weights: [3, 3, 3]) == [4, 3, 3])
        // 7 over [5, 2, 3] (Σ 10): 3.5, 1.4, 2.1 → floors [3, 1, 2], remainders 50, 40, 10 (×/10)
        // → one left to index 0.
        #expect(LargestRemainder.split(7, weights: [5, 2, 3]) == [4, 1, 2])
        #expect(LargestRemainder.split(0, weights: [5, 2]) == [0, 0])
        #expect(LargestRemainder.split(5, weights: [0, 0]) == [0, 0])
        #expect(
            LargestRemainder.split(UInt64.max, weights: [UInt64.max, UInt64.max]) == [
                UInt64.max / 2 + 1, UInt64.max / 2,
            ])
    }
}
