import BigInt
import Market
import PhaseRunner
import Testing

/// `participationOf` words as `cer-run member status` shows them (layout in `MarketBase.sol`).
@Suite struct ParticipationTests {
    static let top = BigUInt(1) << 255
    static let hash = BigUInt(0xabcdef) << 2

    @Test(arguments: [
        (BigUInt(0), SessionState.open, [String]()),
        (hash | 1, .open, ["committed"]),
        (hash | 2, .open, ["committed", "revealed"]),
        (hash | 3, .open, ["committed", "forfeited"]),
        (hash, .cleared, ["committed", "revealed", "cleared"]),
        (top | BigUInt(120_000) << 2, .validated, ["committed", "revealed", "cleared", "validated"]),
        (top | BigUInt(120_000) << 2 | 1, .validated, ["committed", "revealed", "cleared", "validated", "settled"]),
        (top | 1, .settled, ["committed", "revealed", "cleared", "validated", "settled"]),
        (top | 1, .cancelled, ["committed", "revealed", "released"]),
    ])
    func words(word: BigUInt, state: SessionState, expected: [String]) {
        #expect(Participation.words(word: word, state: state) == expected)
    }
}
