/// Exact formatting and arithmetic on integer decimal strings (token base units, Wh).
///
/// Nothing here goes through `Double`: amounts may exceed 2^53 and must be printed exactly.
enum ReportNumbers {
    /// A parsed signed integer: sign and magnitude digits without leading zeros ("0" for zero).
    struct Decimal: Equatable {
        var negative: Bool
        var digits: [UInt8]  // most significant first, each 0...9

        /// Parses `"-?[0-9]+"` (an optional leading `+` is accepted); `nil` for anything else.
        init?(_ text: String) {
            var body = Substring(text)
            var negative = false
            if body.first == "-" {
                negative = true
                body = body.dropFirst()
            } else if body.first == "+" {
                body = body.dropFirst()
            }
            guard !body.isEmpty else { return nil }
            var digits: [UInt8] = []
            digits.reserveCapacity(body.utf8.count)
            for byte in body.utf8 {
                guard byte >= 48, byte <= 57 else { return nil }
                if digits.isEmpty && byte == 48 { continue }
                digits.append(byte - 48)
            }
            if digits.isEmpty { digits = [0] }
            self.negative = negative && digits != [0]
            self.digits = digits
        }

        init(negative: Bool, digits: [UInt8]) {
            var trimmed = Array(digits.drop(while: { $0 == 0 }))
            if trimmed.isEmpty { trimmed = [0] }
            self.negative = negative && trimmed != [0]
            self.digits = trimmed
        }

        /// The canonical decimal string.
        var text: String {
            (negative ? "-" : "") + String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
        }
    }

    /// Formats an integer amount of base units with `decimals` fraction digits, keeping all of them:
    /// `"1234567"` with 6 decimals is `"1.234567"`, `"5"` is `"0.000005"`. Text that is not an integer is
    /// returned unchanged.
    static func units(_ text: String, decimals: Int) -> String {
        guard let value = Decimal(text) else { return text }
        let places = max(0, decimals)
        var digits = value.digits
        if places == 0 { return value.text }
        if digits.count <= places {
            digits = [UInt8](repeating: 0, count: places - digits.count + 1) + digits
        }
        let whole = digits[..<(digits.count - places)]
        let fraction = digits[(digits.count - places)...]
        let wholeText = String(decoding: whole.map { $0 + 48 }, as: UTF8.self)
        let fractionText = String(decoding: fraction.map { $0 + 48 }, as: UTF8.self)
        return (value.negative ? "-" : "") + wholeText + "." + fractionText
    }

    /// Energy in kWh with 3 decimals from integer Wh: `2500` is `"2.500"`.
    static func kWh(_ wh: UInt64) -> String {
        units(String(wh), decimals: 3)
    }

    /// Energy in kWh with 3 decimals from a decimal Wh string; non-integer text is returned unchanged.
    static func kWh(_ wh: String) -> String {
        units(wh, decimals: 3)
    }

    /// The exact sum of integer decimal strings; `nil` if one of them is not an integer.
    static func sum(_ terms: [String]) -> String? {
        var total = Decimal(negative: false, digits: [0])
        for term in terms {
            guard let value = Decimal(term) else { return nil }
            total = add(total, value)
        }
        return total.text
    }

    static func add(_ lhs: Decimal, _ rhs: Decimal) -> Decimal {
        if lhs.negative == rhs.negative {
            return Decimal(negative: lhs.negative, digits: addMagnitudes(lhs.digits, rhs.digits))
        }
        if compareMagnitudes(lhs.digits, rhs.digits) >= 0 {
            return Decimal(negative: lhs.negative, digits: subtractMagnitudes(lhs.digits, rhs.digits))
        }
        return Decimal(negative: rhs.negative, digits: subtractMagnitudes(rhs.digits, lhs.digits))
    }

    static func compareMagnitudes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        for (left, right) in zip(lhs, rhs) where left != right {
            return left < right ? -1 : 1
        }
        return 0
    }

    /// Compares two integer decimal strings; non-integers compare as zero.
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        let left = Decimal(lhs) ?? Decimal(negative: false, digits: [0])
        let right = Decimal(rhs) ?? Decimal(negative: false, digits: [0])
        if left.negative != right.negative { return left.negative ? -1 : 1 }
        let magnitude = compareMagnitudes(left.digits, right.digits)
        return left.negative ? -magnitude : magnitude
    }

    private static func addMagnitudes(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var carry: UInt8 = 0
        var left = lhs.count - 1
        var right = rhs.count - 1
        while left >= 0 || right >= 0 || carry > 0 {
            var digit = carry
            if left >= 0 { digit += lhs[left] }
            if right >= 0 { digit += rhs[right] }
            result.append(digit % 10)
            carry = digit / 10
            left -= 1
            right -= 1
        }
        return result.reversed()
    }

    /// `lhs - rhs` for magnitudes with `lhs >= rhs`.
    private static func subtractMagnitudes(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var borrow: Int = 0
        var right = rhs.count - 1
        for index in stride(from: lhs.count - 1, through: 0, by: -1) {
            var digit = Int(lhs[index]) - borrow - (right >= 0 ? Int(rhs[right]) : 0)
            borrow = 0
            if digit < 0 {
                digit += 10
                borrow = 1
            }
            result.append(UInt8(digit))
            right -= 1
        }
        return result.reversed()
    }

    /// A `Double` approximation for drawing only (never for printed values): base units per kWh in token units.
    static func approximate(_ text: String, decimals: Int) -> Double {
        guard let value = Decimal(text) else { return 0 }
        var result = 0.0
        for digit in value.digits { result = result * 10 + Double(digit) }
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        return (value.negative ? -result : result) / scale
    }
}
