import Foundation

/// Local-time arithmetic for a delivery day in the session's time zone: slot count (23, 24 or
/// 25 hourly slots on DST days) and deadline resolution.
public struct DeliveryCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// A calendar day as year, month, day.
    public struct Day: Sendable, Hashable, Codable, CustomStringConvertible {
        public var year: Int
        public var month: Int
        public var day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        /// Parses `YYYY-MM-DD`.
        public init?(_ text: String) {
            let parts = text.split(separator: "-")
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m),
                (1...31).contains(d)
            else { return nil }
            self.init(year: y, month: m, day: d)
        }

        public var description: String {
            String(format: "%04d-%02d-%02d", year, month, day)
        }
    }

    /// Unix seconds of local midnight starting `day` (nil for a day that does not exist).
    public func startOfDay(_ day: Day) -> Int64? {
        var components = DateComponents()
        components.year = day.year
        components.month = day.month
        components.day = day.day
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day.day else {
            return nil
        }
        return Int64(calendar.startOfDay(for: date).timeIntervalSince1970)
    }

    /// The day after `day`.
    public func next(_ day: Day, by offset: Int = 1) -> Day? {
        guard let start = startOfDay(day) else { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(start))
        guard let moved = calendar.date(byAdding: .day, value: offset, to: date) else { return nil }
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        return Day(year: c.year!, month: c.month!, day: c.day!)
    }

    /// Seconds between local midnights of `day` and the next day: 82,800, 86,400 or 90,000.
    public func length(of day: Day) -> Int64? {
        guard let start = startOfDay(day), let following = next(day), let end = startOfDay(following) else {
            return nil
        }
        return end - start
    }

    /// Unix seconds of `hour:minute` local time on `day` + `offset` days. Local times that do
    /// not exist (the spring-forward gap) are refused; on the repeated autumn hour the first
    /// occurrence is taken.
    public func time(day: Day, offset: Int, hour: Int, minute: Int) -> Int64? {
        guard let target = next(day, by: offset) else { return nil }
        var components = DateComponents()
        components.year = target.year
        components.month = target.month
        components.day = target.day
        components.hour = hour
        components.minute = minute
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        guard back.hour == hour, back.minute == minute, back.day == target.day else { return nil }
        return Int64(date.timeIntervalSince1970)
    }
}
