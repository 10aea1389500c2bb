import Validation

/// ISO-8601 timestamps with an explicit offset (`2026-11-26T00:15:00+01:00`, `…Z`) to Unix
/// seconds, in integers (no Foundation date parsing, no floating point).
enum ISOTimestamp {
    /// nil unless the text is `YYYY-MM-DD[T ]HH:MM[:SS](Z|±HH:MM|±HHMM)`.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for i in range {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int64(b[i] - 48)
            }
            return value
        }
        guard b.count >= 17, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b[13] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16)
        else { return nil }
        var i = 16
        var second: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s = number(17..<19) else { return nil }
            second = s
            i = 19
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == b.count else { return nil }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            let rest = b.count - i - 1
            guard let oh = number(i + 1..<i + 3) else { return nil }
            let om: Int64?
            if rest == 5, b[i + 3] == UInt8(ascii: ":") {
                om = number(i + 4..<i + 6)
            } else if rest == 4 {
                om = number(i + 3..<i + 5)
            } else {
                return nil
            }
            guard let om, oh <= 14, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard (1...12).contains(month), day >= 1, day <= MeterTimestamp.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { return nil }
        return MeterTimestamp.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
            + second - offset
    }
}
