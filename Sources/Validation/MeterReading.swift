/// Where a value came from: file name, 1-based physical line and, when known, 1-based field.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line` or `file:line:column`.
    public var description: String {
        column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
    }
}

/// One meter reading of one POD over one interval, in whole Wh.
public struct MeterReading: Sendable, Hashable {
    /// The point of delivery (Italian POD code, e.g. `IT001E12345678`).
    public var pod: String
    /// Interval start, Unix seconds (UTC).
    public var start: Int64
    /// Interval length in seconds: 900 (15 minutes) or 3600 (one hour).
    public var lengthSeconds: Int64
    /// Energy taken from the grid (prelievo) in the interval.
    public var withdrawalWh: UInt64
    /// Energy fed into the grid (immissione) in the interval.
    public var injectionWh: UInt64
    /// The row the reading was read from.
    public var location: SourceLocation

    public init(
        pod: String, start: Int64, lengthSeconds: Int64, withdrawalWh: UInt64, injectionWh: UInt64,
        location: SourceLocation
    ) {
        self.pod = pod
        self.start = start
        self.lengthSeconds = lengthSeconds
        self.withdrawalWh = withdrawalWh
        self.injectionWh = injectionWh
        self.location = location
    }

    /// Interval end (exclusive), Unix seconds.
    public var end: Int64 { start + lengthSeconds }
}

/// Metered energy of every session POD for one delivery day, per session slot.
public struct MeterDay: Sendable, Hashable {
    /// Unix seconds of the start of slot 0.
    public var dayStart: Int64
    /// Slot length in seconds (3600 or 900).
    public var slotLength: Int64
    /// Number of slots (23, 24 or 25 hourly slots on a local day; 92, 96 or 100 quarter hours).
    public var slotCount: Int
    /// Withdrawal Wh per POD, one value per slot.
    public var withdrawalWh: [String: [UInt64]]
    /// Injection Wh per POD, one value per slot.
    public var injectionWh: [String: [UInt64]]

    /// Checks that every POD has `slotCount` values on both sides.
    public init(
        dayStart: Int64, slotLength: Int64, slotCount: Int, withdrawalWh: [String: [UInt64]],
        injectionWh: [String: [UInt64]]
    ) {
        precondition(Set(withdrawalWh.keys) == Set(injectionWh.keys), "the same PODs on both sides")
        precondition(
            withdrawalWh.values.allSatisfy { $0.count == slotCount }
                && injectionWh.values.allSatisfy {
                    $0.count == slotCount
                }, "one value per slot")
        self.dayStart = dayStart
        self.slotLength = slotLength
        self.slotCount = slotCount
        self.withdrawalWh = withdrawalWh
        self.injectionWh = injectionWh
    }

    /// The PODs, sorted.
    public var pods: [String] { withdrawalWh.keys.sorted() }

    /// Withdrawal of `pod` in `slot` (nil for an unknown POD or slot).
    public func withdrawal(pod: String, slot: Int) -> UInt64? {
        guard let values = withdrawalWh[pod], values.indices.contains(slot) else { return nil }
        return values[slot]
    }

    /// Injection of `pod` in `slot` (nil for an unknown POD or slot).
    public func injection(pod: String, slot: Int) -> UInt64? {
        guard let values = injectionWh[pod], values.indices.contains(slot) else { return nil }
        return values[slot]
    }
}
