/// What the aggregator does when data is missing or questionable. See docs/validation.md.
public struct MeterPolicy: Sendable, Hashable {
    /// Intervals of a session POD with no reading.
    public enum Missing: String, Sendable, Hashable, Codable {
        /// An error: validation cannot run (the default).
        case fail
        /// Counted as 0 Wh, each gap listed as a warning.
        case zero
    }

    /// Readings of PODs that are not in the session.
    public enum UnknownPOD: String, Sendable, Hashable, Codable {
        /// Ignored, one warning per POD (the default: distributor files often hold every POD
        /// of a customer).
        case warn
        /// An error.
        case fail
    }

    /// The same POD and interval read twice.
    public enum Duplicate: String, Sendable, Hashable, Codable {
        /// Always an error, even when both rows carry the same values (the default).
        case fail
        /// Rows with identical values: the first kept, a warning; different values: an error.
        case warnIfEqual
    }

    public var missing: Missing
    public var unknownPOD: UnknownPOD
    public var duplicate: Duplicate

    public init(missing: Missing = .fail, unknownPOD: UnknownPOD = .warn, duplicate: Duplicate = .fail) {
        self.missing = missing
        self.unknownPOD = unknownPOD
        self.duplicate = duplicate
    }
}

/// A day of meter data with the warnings the runner lists in its report.
public struct MeterAggregation: Sendable, Hashable {
    public var day: MeterDay
    public var warnings: [MeterIssue]
}

/// Sums readings into session slots. Readings are on a 15-minute grid: 15-minute readings are
/// summed into hourly slots; a reading longer than a slot is an error.
public struct MeterAggregator: Sendable {
    /// The session's PODs.
    public var pods: [String]
    /// Unix seconds of the start of slot 0.
    public var dayStart: Int64
    /// 3600 or 900.
    public var slotLength: Int64
    /// Slots in the day (from `DeliveryCalendar`: 23, 24 or 25 hours on DST days).
    public var slotCount: Int
    public var policy: MeterPolicy

    static let unit: Int64 = 900

    public init(pods: [String], dayStart: Int64, slotLength: Int64, slotCount: Int, policy: MeterPolicy = .init()) {
        self.pods = pods
        self.dayStart = dayStart
        self.slotLength = slotLength
        self.slotCount = slotCount
        self.policy = policy
    }

    /// Unix seconds just after the day.
    public var dayEnd: Int64 { dayStart + slotLength * Int64(slotCount) }

    /// Aggregates `readings` (from one or several files). Throws every error found, ordered
    /// by file, line, then POD.
    public func aggregate(_ readings: [MeterReading]) throws(MeterDataError) -> MeterAggregation {
        guard slotLength == 900 || slotLength == 3600, slotCount > 0 else {
            throw MeterDataError([
                MeterIssue(
                    .badFormat, expected: "slot length 900 or 3600 and at least one slot", found: "\(slotLength)")
            ])
        }
        let units = Int(slotLength / Self.unit) * slotCount
        let session = Set(pods)
        var errors = [MeterIssue]()
        var warnings = [MeterIssue]()
        // Per POD, per 15-minute unit: the reading covering it.
        var cover = [String: [MeterReading?]]()
        for pod in pods { cover[pod] = Array(repeating: nil, count: units) }
        var unknown = [String: (count: Int, first: SourceLocation)]()
        var outside = [String: (count: Int, first: SourceLocation)]()
        for reading in readings {
            guard session.contains(reading.pod) else {
                let seen = unknown[reading.pod]
                unknown[reading.pod] = ((seen?.count ?? 0) + 1, seen?.first ?? reading.location)
                continue
            }
            let length = reading.lengthSeconds
            guard length > 0, length % Self.unit == 0, slotLength % length == 0 else {
                errors.append(
                    MeterIssue(
                        .intervalTooLong, at: reading.location, pod: reading.pod,
                        expected: "intervals of 15 minutes up to the slot length (\(slotLength) s)",
                        found: "\(length) s", hint: "an interval longer than a slot cannot be split without guessing"))
                continue
            }
            if reading.end <= dayStart || reading.start >= dayEnd {
                let seen = outside[reading.pod]
                outside[reading.pod] = ((seen?.count ?? 0) + 1, seen?.first ?? reading.location)
                continue
            }
            guard (reading.start - dayStart) % length == 0, reading.start >= dayStart, reading.end <= dayEnd else {
                errors.append(
                    MeterIssue(
                        .misaligned, at: reading.location, pod: reading.pod,
                        expected: "an interval starting on a multiple of \(length) s from the day start",
                        found: MeterTimestamp.format(reading.start) + " UTC",
                        hint: "check the interval labelling (start or end) and the time zone"))
                continue
            }
            let first = Int((reading.start - dayStart) / Self.unit)
            let count = Int(length / Self.unit)
            if let clash = cover[reading.pod]![first..<first + count].compactMap({ $0 }).first {
                let same = clash.start == reading.start && clash.lengthSeconds == length
                let equal =
                    same && clash.withdrawalWh == reading.withdrawalWh && clash.injectionWh == reading.injectionWh
                let text = "interval \(MeterTimestamp.format(reading.start)) UTC already read at \(clash.location)"
                if equal, policy.duplicate == .warnIfEqual {
                    warnings.append(
                        MeterIssue(
                            .equalDuplicate, at: reading.location, pod: reading.pod,
                            expected: "one reading per interval",
                            found: text, hint: "the repeated row carries the same values and was ignored"))
                } else {
                    errors.append(
                        MeterIssue(
                            same ? .duplicate : .overlap, at: reading.location, pod: reading.pod,
                            expected: "one reading per interval", found: text,
                            hint: "remove the repeated row; on the 25-hour day the repeated hour is told apart by "
                                + "row order or an explicit UTC offset"))
                }
                continue
            }
            for k in first..<first + count { cover[reading.pod]![k] = reading }
        }
        for (pod, seen) in unknown.sorted(by: { $0.key < $1.key }) {
            let issue = MeterIssue(
                .unknownPOD, at: seen.first, pod: pod, expected: "a POD of the session",
                found: "\(seen.count) readings", hint: "readings of PODs not in the session are ignored")
            if policy.unknownPOD == .fail { errors.append(issue) } else { warnings.append(issue) }
        }
        for (pod, seen) in outside.sorted(by: { $0.key < $1.key }) {
            warnings.append(
                MeterIssue(
                    .outsideDay, at: seen.first, pod: pod,
                    expected: "readings between \(MeterTimestamp.format(dayStart)) and "
                        + "\(MeterTimestamp.format(dayEnd)) UTC", found: "\(seen.count) readings outside the day",
                    hint: "ignored"))
        }
        var withdrawal = [String: [UInt64]]()
        var injection = [String: [UInt64]]()
        let perSlot = Int(slotLength / Self.unit)
        for pod in pods.sorted() {
            let units = cover[pod]!
            for gap in Self.gaps(units) {
                let issue = MeterIssue(
                    .missingInterval, pod: pod,
                    expected: "\(units.count / perSlot) intervals of \(slotLength / 60) minutes "
                        + "(the day is \(Int64(units.count) * Self.unit / 3600) hours long)",
                    found: "no reading from \(MeterTimestamp.format(dayStart + Int64(gap.lowerBound) * Self.unit)) "
                        + "to \(MeterTimestamp.format(dayStart + Int64(gap.upperBound) * Self.unit)) UTC",
                    hint: policy.missing == .zero
                        ? "counted as 0 Wh (missing: zero)" : "complete the data or set missing: zero")
                if policy.missing == .zero { warnings.append(issue) } else { errors.append(issue) }
            }
            var w = [UInt64](repeating: 0, count: slotCount)
            var i = [UInt64](repeating: 0, count: slotCount)
            for (k, reading) in units.enumerated() {
                // A reading covers several units; count it at its first.
                guard let reading, dayStart + Int64(k) * Self.unit == reading.start else { continue }
                let slot = k / perSlot
                let (ws, o1) = w[slot].addingReportingOverflow(reading.withdrawalWh)
                let (isum, o2) = i[slot].addingReportingOverflow(reading.injectionWh)
                guard !o1, !o2 else {
                    errors.append(
                        MeterIssue(.tooLarge, at: reading.location, pod: pod, expected: "a slot total below 2^64 Wh"))
                    continue
                }
                w[slot] = ws
                i[slot] = isum
            }
            withdrawal[pod] = w
            injection[pod] = i
        }
        guard errors.isEmpty else { throw MeterDataError(Self.sorted(errors)) }
        let day = MeterDay(
            dayStart: dayStart, slotLength: slotLength, slotCount: slotCount, withdrawalWh: withdrawal,
            injectionWh: injection)
        return MeterAggregation(day: day, warnings: Self.sorted(warnings))
    }

    /// Runs of uncovered units.
    static func gaps(_ units: [MeterReading?]) -> [Range<Int>] {
        var result = [Range<Int>]()
        var start: Int?
        for (k, unit) in units.enumerated() {
            if unit == nil, start == nil { start = k }
            if unit != nil, let s = start {
                result.append(s..<k)
                start = nil
            }
        }
        if let s = start { result.append(s..<units.count) }
        return result
    }

    /// By file, line, then POD; issues without a row last.
    static func sorted(_ issues: [MeterIssue]) -> [MeterIssue] {
        issues.enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case (let x?, let y?):
                if x.file != y.file { return x.file < y.file }
                if x.line != y.line { return x.line < y.line }
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): break
            }
            if (a.element.pod ?? "") != (b.element.pod ?? "") { return (a.element.pod ?? "") < (b.element.pod ?? "") }
            return a.offset < b.offset
        }.map(\.element)
    }
}
