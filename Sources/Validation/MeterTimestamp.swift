import Foundation

/// A timestamp as written: local civil seconds (seconds since 1970-01-01 00:00 on the wall
/// clock, no zone) and the UTC offset when the text carries one.
struct WrittenTimestamp: Hashable {
    var civil: Int64
    var offsetSeconds: Int64?
}

/// Integer date arithmetic and the timestamp texts meter exports use.
public enum MeterTimestamp {
    /// Days from 1970-01-01 to the proleptic Gregorian `year-month-day` (H. Hinnant's
    /// `days_from_civil`).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 28–31, leap years included.
    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `yyyy-MM-dd HH:mm:ss` of Unix seconds `t` shifted by `offset`, for messages.
    static func format(_ t: Int64, offset: Int64 = 0) -> String {
        let local = t + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = local - days * 86_400
        // civil_from_days
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))"
    }

    static let expectedText: [MeterCSVFormat.DateOrder: String] = [
        .yearMonthDay: "yyyy-MM-dd HH:mm[:ss] (or yyyy-MM-ddTHH:mm[:ss]), optionally ending in Z or ±hh:mm",
        .dayMonthYear: "dd/MM/yyyy HH:mm[:ss], optionally ending in Z or ±hh:mm",
    ]

    /// Parses a date and time (one text with a space or `T` between them, or two texts).
    static func parse(date: String, time: String?, order: MeterCSVFormat.DateOrder) throws(FieldProblem)
        -> WrittenTimestamp
    {
        if time == nil, order == .yearMonthDay, let timestamp = parseISO(date) { return timestamp }
        return try parseAnyForm(date: date, time: time, order: order)
    }

    /// The form most exports write, `2026-12-03T00:00:00+01:00` (a space for the `T`, no
    /// seconds, `Z`, `+hhmm` or `+hh` allowed; no other spaces), read in one pass over its
    /// bytes: what `parseAnyForm` reads from it (a meter file has a row per member and slot).
    /// Nil for any other text or a value out of range, which `parseAnyForm` then reads or
    /// refuses with its message.
    static func parseISO(_ text: String) -> WrittenTimestamp? {
        var text = text
        return text.withUTF8 { b -> WrittenTimestamp? in
            func number(_ at: Int, _ count: Int) -> Int64? {
                guard at + count <= b.count else { return nil }
                var value: Int64 = 0
                for i in at..<(at + count) {
                    guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                    value = value * 10 + Int64(b[i] - UInt8(ascii: "0"))
                }
                return value
            }
            let dash = UInt8(ascii: "-")
            let colon = UInt8(ascii: ":")
            guard b.count >= 16, let year = number(0, 4), b[4] == dash, let month = number(5, 2), b[7] == dash,
                let day = number(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
                let hour = number(11, 2), b[13] == colon, let minute = number(14, 2)
            else { return nil }
            var i = 16
            var second: Int64 = 0
            if i < b.count, b[i] == colon {
                guard let s = number(17, 2) else { return nil }
                second = s
                i = 19
            }
            var offset: Int64?
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") {
                    guard i + 1 == b.count else { return nil }
                    offset = 0
                } else if b[i] == UInt8(ascii: "+") || b[i] == dash {
                    let rest = b.count - i - 1
                    let hours: Int64?
                    var minutes: Int64? = 0
                    switch rest {
                    case 2: hours = number(i + 1, 2)
                    case 4: (hours, minutes) = (number(i + 1, 2), number(i + 3, 2))
                    case 5 where b[i + 3] == colon: (hours, minutes) = (number(i + 1, 2), number(i + 4, 2))
                    default: return nil
                    }
                    guard let hours, let minutes, hours <= 14, minutes < 60 else { return nil }
                    offset = (b[i] == dash ? -1 : 1) * (hours * 3600 + minutes * 60)
                } else {
                    return nil
                }
            }
            guard let civil = civilSeconds(year, month, day, hour, minute, second) else { return nil }
            return WrittenTimestamp(civil: civil, offsetSeconds: offset)
        }
    }

    /// Every form `parse` accepts, through `Substring`s.
    static func parseAnyForm(date: String, time: String?, order: MeterCSVFormat.DateOrder) throws(FieldProblem)
        -> WrittenTimestamp
    {
        let problem = FieldProblem(
            .badTimestamp, expected: expectedText[order]!,
            hint: "check the timestamp columns and dateOrder of the format")
        var dateText = Substring(date)
        var timeText: Substring
        if let time {
            timeText = Substring(time)
        } else {
            guard let split = date.firstIndex(where: { $0 == " " || $0 == "T" }) else { throw problem }
            dateText = date[..<split]
            timeText = date[date.index(after: split)...].drop { $0 == " " }
        }
        // Offset suffix.
        var offset: Int64?
        if timeText.hasSuffix("Z") {
            offset = 0
            timeText = timeText.dropLast()
        } else if let sign = timeText.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let parsed = parseOffset(String(timeText[sign...])) else { throw problem }
            offset = parsed
            timeText = timeText[..<sign]
        }
        timeText = Substring(timeText.trimmingCharacters(in: .whitespaces))
        let dateSeparator: Character =
            order == .yearMonthDay ? "-" : dateText.contains("/") ? "/" : dateText.contains(".") ? "." : "-"
        let dateParts = dateText.split(separator: dateSeparator, omittingEmptySubsequences: false)
        let timeParts = timeText.split(separator: ":", omittingEmptySubsequences: false)
        guard dateParts.count == 3, (2...3).contains(timeParts.count),
            dateParts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            timeParts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            )
        else { throw problem }
        let (y, m, d) =
            order == .yearMonthDay
            ? (dateParts[0], dateParts[1], dateParts[2]) : (dateParts[2], dateParts[1], dateParts[0])
        guard y.count == 4, (1...2).contains(m.count), (1...2).contains(d.count), let year = Int64(y),
            let month = Int64(m), let day = Int64(d), let hour = Int64(timeParts[0]), let minute = Int64(timeParts[1]),
            let second = timeParts.count == 3 ? Int64(timeParts[2]) : 0
        else { throw problem }
        guard let civil = civilSeconds(year, month, day, hour, minute, second) else { throw problem }
        return WrittenTimestamp(civil: civil, offsetSeconds: offset)
    }

    /// Local civil seconds of a date and time, nil when a field is out of range; 24:00 is the
    /// end of the day (00:00 of the next one).
    static func civilSeconds(
        _ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64, _ minute: Int64, _ second: Int64
    ) -> Int64? {
        guard (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            (0...59).contains(minute), (0...59).contains(second),
            (0...23).contains(hour) || (hour == 24 && minute == 0 && second == 0)
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// `Z`, `+hh:mm`, `+hhmm` or `+hh` → seconds east of UTC.
    static func parseOffset(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "Z" { return 0 }
        guard let first = trimmed.first, first == "+" || first == "-" else { return nil }
        let digits = trimmed.dropFirst().filter { $0 != ":" }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            trimmed.dropFirst().count == digits.count || (trimmed.count == 6 && Array(trimmed)[3] == ":"),
            let hours = Int64(digits.prefix(2)), let minutes = digits.count == 4 ? Int64(digits.suffix(2)) : 0,
            hours <= 14, minutes < 60
        else { return nil }
        return (first == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }
}

/// Local wall-clock time → UTC in one IANA zone, through Foundation's `TimeZone` (the only
/// place a `Date`, and so a `Double`, is built: integer seconds below 2^53 convert exactly).
struct ZoneResolver {
    let timeZone: TimeZone

    /// Seconds east of UTC at Unix second `t`.
    func offset(at t: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
    }

    /// The UTC instants showing wall-clock `civil`, ascending: none in the spring-forward gap,
    /// two in the repeated autumn hour, one otherwise.
    func instants(civil: Int64) -> [Int64] {
        let offsets = Set([offset(at: civil - 86_400), offset(at: civil), offset(at: civil + 86_400)])
        return offsets.map { civil - $0 }.filter { offset(at: $0) == civil - $0 }.sorted()
    }
}
