/// A value the parser could not read, before it is given its file, line and column.
struct FieldProblem: Error {
    var kind: MeterIssue.Kind
    var expected: String
    var hint: String?

    init(_ kind: MeterIssue.Kind, expected: String, hint: String? = nil) {
        self.kind = kind
        self.expected = expected
        self.hint = hint
    }
}

/// Exact decimal energy values → whole Wh. No floating point: digits are read as integers.
enum EnergyValue {
    /// Parses `text` (already trimmed) as a non-negative quantity in `unit`.
    ///
    /// * `decimalMark` is `.` or `,`; at most one.
    /// * The other mark is accepted only as the configured `thousands` separator, between
    ///   groups of exactly three digits; otherwise it is an error (`1.234` is never guessed).
    /// * kWh: at most three decimals may be non-zero (`1,2340` = 1234 Wh, `1,2345` fails);
    ///   Wh: every decimal must be zero.
    /// * A leading `-` is an error unless the value is zero (`-0`, `-0,000` read as 0).
    static func parse(
        _ text: String, unit: MeterCSVFormat.EnergyUnit, decimalMark: UInt8, thousands: UInt8?
    ) throws(FieldProblem) -> UInt64 {
        let markText = String(UnicodeScalar(decimalMark))
        let expected = "a non-negative number in \(unit.rawValue) with decimal mark '\(markText)'"
        guard !text.isEmpty else {
            throw FieldProblem(.emptyValue, expected: expected, hint: "a missing value is not zero; fix the export")
        }
        var bytes = Array(text.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        var integer = [UInt8]()
        var fraction = [UInt8]()
        var seenMark = false
        var groups = [Int]()
        var groupLength = 0
        for byte in bytes {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if seenMark { fraction.append(byte) } else { integer.append(byte) }
                groupLength += seenMark ? 0 : 1
            } else if byte == decimalMark, !seenMark {
                seenMark = true
            } else if let thousands, byte == thousands, !seenMark {
                groups.append(groupLength)
                groupLength = 0
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") {
                throw FieldProblem(
                    .badNumber, expected: expected,
                    hint: byte == decimalMark
                        ? "only one decimal mark is allowed"
                        : "thousands separators are not accepted unless the format declares one; "
                            + "if '\(String(UnicodeScalar(byte)))' is the decimal mark here, set decimalMark")
            } else {
                throw FieldProblem(.badNumber, expected: expected, hint: "only digits and one decimal mark are allowed")
            }
        }
        if !groups.isEmpty {
            guard let first = groups.first, (1...3).contains(first), groups.dropFirst().allSatisfy({ $0 == 3 }),
                groupLength == 3
            else {
                throw FieldProblem(.badNumber, expected: expected, hint: "digit groups must have three digits")
            }
        }
        guard !integer.isEmpty else {
            throw FieldProblem(.badNumber, expected: expected, hint: "write at least one digit before the decimal mark")
        }
        let allowed = unit == .kWh ? 3 : 0
        let significant = fraction.lastIndex(where: { $0 != UInt8(ascii: "0") }).map { $0 + 1 } ?? 0
        guard significant <= allowed else {
            throw FieldProblem(
                .tooPrecise, expected: unit == .kWh ? "at most 3 decimals in kWh (whole Wh)" : "a whole number of Wh",
                hint: "the value is below 1 Wh precision; values are never rounded, fix the export or the unit")
        }
        var scaled = integer + fraction.prefix(allowed)
        scaled += [UInt8](repeating: UInt8(ascii: "0"), count: allowed - min(allowed, fraction.count))
        var value: UInt64 = 0
        for digit in scaled {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw FieldProblem(.tooLarge, expected: "at most \(UInt64.max) Wh") }
            value = sum
        }
        if negative, value != 0 {
            throw FieldProblem(
                .negativeValue, expected: expected,
                hint: "energy is never negative: withdrawal and injection are separate columns")
        }
        return value
    }
}
