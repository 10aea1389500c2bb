import Foundation
import Testing

@testable import SessionReport

/// `ReportSVG.coordinate` writes what `String(format: "%.1f")` writes (it replaced it for speed).
@Suite struct ReportSVGTests {
    static let values: [Double] = [
        0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 1.25, 2.5, -0.04, -0.05, -0.06, -1.25, 12.95, 99.95, 123.456, 0.1,
        1e-320, -1e-320, 1e-10, 4.999999999999999, 8.999e14, 1e15, 3.0e17, -7.5e15, .ulpOfOne,
        Double.leastNormalMagnitude, 640.05, 1279.95,
    ]

    @Test(arguments: values) func matchesPrintf(_ value: Double) {
        #expect(ReportSVG.coordinate(value) == String(format: "%.1f", value), "\(value)")
    }

    @Test func randomCoordinatesMatchPrintf() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value: Double
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: value = Double.random(in: -2000...2000, using: &generator)
            case 1: value = Double(Int.random(in: -40000...40000, using: &generator)) / 20  // ties at .x5
            default: value = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))
            }
            guard value.isFinite else { continue }
            #expect(ReportSVG.coordinate(value) == String(format: "%.1f", value), "\(value)")
        }
    }

    @Test func nonFiniteIsZero() {
        #expect(ReportSVG.coordinate(.infinity) == "0.0")
        #expect(ReportSVG.coordinate(.nan) == "0.0")
    }
}
