import Foundation

/// Small helpers for the inline SVG charts. `Double` is used here for coordinates and axis ticks only.
enum ReportSVG {
    /// A linear mapping from a data interval onto a pixel interval.
    struct Scale {
        var domainMin: Double
        var domainMax: Double
        var rangeStart: Double
        var rangeEnd: Double

        func callAsFunction(_ value: Double) -> Double {
            let span = domainMax - domainMin
            guard span > 0 else { return rangeStart }
            let clamped = min(max(value, domainMin), domainMax)
            return rangeStart + (clamped - domainMin) / span * (rangeEnd - rangeStart)
        }
    }

    /// Round axis ticks from 0 up to at least `maximum`.
    struct Ticks {
        var values: [Double]
        var step: Double
        var top: Double { values.last ?? 1 }

        init(maximum: Double, count: Int) {
            let target = max(1, count)
            let upper = maximum.isFinite && maximum > 0 ? maximum : 1
            let raw = upper / Double(target)
            let magnitude = pow(10, floor(log10(raw)))
            let normalized = raw / magnitude
            let factor: Double
            if normalized <= 1 {
                factor = 1
            } else if normalized <= 2 {
                factor = 2
            } else if normalized <= 2.5 {
                factor = 2.5
            } else if normalized <= 5 {
                factor = 5
            } else {
                factor = 10
            }
            let size = factor * magnitude
            let steps = max(1, Int((upper / size - 1e-9).rounded(.up)))
            step = size
            values = (0...steps).map { Double($0) * size }
        }

        /// A tick label with just enough decimals for the step.
        func label(_ value: Double) -> String {
            var decimals = max(0, Int(-floor(log10(step))))
            if (step / pow(10, floor(log10(step)))).rounded() != step / pow(10, floor(log10(step))) {
                decimals += 1
            }
            return String(format: "%.\(min(decimals, 9))f", value)
        }
    }

    /// A coordinate with one decimal: the text `String(format: "%.1f", value)` gives (the exact
    /// binary value rounded half to even, `-0.0` for a negative value that rounds to zero), 0 for
    /// a value that is not finite. Computed on the value's integer significand: a 1,000-member
    /// report writes hundreds of thousands of coordinates and `String(format:)` was most of it.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0.0" }
        let magnitude = value.magnitude
        // Beyond 2^53 / 10 the integer arithmetic below could overflow; never a pixel position.
        guard magnitude < 9.0e14 else { return String(format: "%.1f", value) }
        let sign = value.sign == .minus ? "-" : ""
        let tenths: UInt64
        // magnitude = significand × 2^exponent with an integer significand below 2^53 (and,
        // below 9e14, a negative exponent).
        let exponent = magnitude.isNormal ? Int(magnitude.exponent) - Double.significandBitCount : 0
        let significand = (UInt64(1) << UInt64(Double.significandBitCount)) | magnitude.significandBitPattern
        if !magnitude.isNormal {
            tenths = 0  // zero and subnormals
        } else if -exponent >= 64 {
            tenths = 0  // below 2^-11: 10 × significand < 2^57 is under half of 2^-exponent
        } else {
            let shift = UInt64(-exponent)
            let scaled = significand * 10
            let quotient = scaled >> shift
            let remainder = scaled & ((UInt64(1) << shift) - 1)
            let half = UInt64(1) << (shift - 1)
            tenths = remainder > half || (remainder == half && quotient & 1 == 1) ? quotient + 1 : quotient
        }
        return "\(sign)\(tenths / 10).\(tenths % 10)"
    }

    /// `<text>` with escaped content.
    static func text(
        _ content: String, x: Double, y: Double, anchor: String = "middle", cssClass: String = "lbl",
        transform: String? = nil
    ) -> String {
        var out = "<text x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" text-anchor=\"\(anchor)\" class=\"\(cssClass)\""
        if let transform { out += " transform=\"\(transform)\"" }
        return out + ">\(content.html)</text>"
    }

    /// A horizontal value axis with grid lines: ticks on the left (or right) of the plot area.
    static func valueAxis(
        ticks: Ticks, scale: Scale, x: Double, plotLeft: Double, plotRight: Double, right: Bool, grid: Bool,
        title: String, titleX: Double, cssClass: String = "lbl"
    ) -> String {
        var out = "<g class=\"axis\">"
        out += line(x1: x, y1: scale.rangeStart, x2: x, y2: scale.rangeEnd, cssClass: "axis-line")
        for value in ticks.values {
            let y = scale(value)
            if grid && value > 0 {
                out += line(x1: plotLeft, y1: y, x2: plotRight, y2: y, cssClass: "grid")
            }
            let tickEnd = right ? x + 4 : x - 4
            out += line(x1: x, y1: y, x2: tickEnd, y2: y, cssClass: "axis-line")
            out += text(
                ticks.label(value), x: right ? x + 7 : x - 7, y: y + 4, anchor: right ? "start" : "end",
                cssClass: cssClass)
        }
        let middle = (scale.rangeStart + scale.rangeEnd) / 2
        out += text(
            title, x: titleX, y: middle, cssClass: "axis-title",
            transform: "rotate(-90 \(coordinate(titleX)) \(coordinate(middle)))")
        return out + "</g>"
    }

    /// A numeric bottom axis.
    static func bottomAxis(
        ticks: Ticks, scale: Scale, y: Double, title: String?, titleY: Double, cssClass: String = "lbl"
    ) -> String {
        var out = "<g class=\"axis\">"
        out += line(x1: scale.rangeStart, y1: y, x2: scale.rangeEnd, y2: y, cssClass: "axis-line")
        for value in ticks.values {
            let x = scale(value)
            out += line(x1: x, y1: y, x2: x, y2: y + 4, cssClass: "axis-line")
            out += text(ticks.label(value), x: x, y: y + 16, cssClass: cssClass)
        }
        if let title {
            out += text(title, x: (scale.rangeStart + scale.rangeEnd) / 2, y: titleY, cssClass: "axis-title")
        }
        return out + "</g>"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, cssClass: String) -> String {
        "<line x1=\"\(coordinate(x1))\" y1=\"\(coordinate(y1))\" x2=\"\(coordinate(x2))\" y2=\"\(coordinate(y2))\""
            + " class=\"\(cssClass)\"/>"
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, cssClass: String, title: String?)
        -> String
    {
        let open =
            "<rect x=\"\(coordinate(x))\" y=\"\(coordinate(y))\" width=\"\(coordinate(max(0, width)))\""
            + " height=\"\(coordinate(max(0, height)))\" class=\"\(cssClass)\""
        guard let title else { return open + "/>" }
        return open + "><title>\(title.html)</title></rect>"
    }

    /// A legend: coloured swatches and labels in a row starting at (x, y).
    static func legend(_ entries: [(cssClass: String, label: String)], x: Double, y: Double) -> String {
        var out = "<g class=\"legend\">"
        var cursor = x
        for entry in entries {
            out += rect(x: cursor, y: y - 9, width: 12, height: 12, cssClass: entry.cssClass, title: nil)
            out += text(entry.label, x: cursor + 17, y: y + 1, anchor: "start", cssClass: "lbl")
            cursor += 17 + Double(entry.label.count) * 6.6 + 22
        }
        return out + "</g>"
    }

    /// The opening `<svg>` tag: scalable, with an accessible name.
    static func open(width: Double, height: Double, label: String, cssClass: String) -> String {
        "<svg viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\""
            + " class=\"\(cssClass)\" role=\"img\" aria-label=\"\(label.html)\">"
    }
}
