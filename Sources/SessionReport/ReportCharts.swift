/// Chart 2 (clearing price and traded volume across the day) and chart 3 (CER shared energy vs traded energy).
enum ReportCharts {
    private static let width = 900.0
    private static let height = 340.0
    private static let left = 72.0
    private static let right = 84.0
    private static let top = 40.0
    private static let bottom = 56.0

    /// Every `k`-th category gets a label, so that at most about 12 labels are drawn; with `slotMinutes`
    /// dividing an hour, labels fall on whole hours.
    private static func labelEvery(_ count: Int, slotMinutes: Int = 60) -> Int {
        guard slotMinutes > 0, slotMinutes <= 60, 60 % slotMinutes == 0 else { return max(1, (count + 11) / 12) }
        let perHour = 60 / slotMinutes
        let hours = (count + perHour - 1) / perHour
        return perHour * max(1, (hours + 11) / 12)
    }

    /// Chart 2: bars for the traded volume of each slot (left axis), points and a line for the clearing price
    /// (right axis). Slots without a price have no point.
    static func dayProfile(_ data: SessionReportData) -> String {
        let slots = data.slots
        let decimals = data.tokenDecimals
        let plotRight = width - right
        let plotBottom = height - bottom
        let name = "Clearing price and traded volume per slot"
        var out = ReportSVG.open(width: width, height: height, label: name, cssClass: "chart chart-wide")
        out += "<title>\(name.html)</title>"
        let volumes = slots.map { Double($0.volumeWh) / 1000 }
        let prices = slots.map { $0.price.map { ReportNumbers.approximate($0, decimals: decimals) } }
        let volumeTicks = ReportSVG.Ticks(maximum: (volumes.max() ?? 0) * 1.05, count: 5)
        let priceTicks = ReportSVG.Ticks(maximum: (prices.compactMap { $0 }.max() ?? 0) * 1.08, count: 5)
        let vy = ReportSVG.Scale(domainMin: 0, domainMax: volumeTicks.top, rangeStart: plotBottom, rangeEnd: top)
        let py = ReportSVG.Scale(domainMin: 0, domainMax: priceTicks.top, rangeStart: plotBottom, rangeEnd: top)
        out += ReportSVG.valueAxis(
            ticks: volumeTicks, scale: vy, x: left, plotLeft: left, plotRight: plotRight, right: false, grid: true,
            title: "Traded volume (kWh)", titleX: 18)
        out += ReportSVG.valueAxis(
            ticks: priceTicks, scale: py, x: plotRight, plotLeft: left, plotRight: plotRight, right: true,
            grid: false, title: "Clearing price (\(data.tokenSymbol)/kWh)", titleX: width - 14)
        out += ReportSVG.legend(
            [("sw-volume", "Traded volume"), ("sw-price", "Clearing price")], x: left, y: 18)
        guard !slots.isEmpty else {
            out += ReportSVG.text("No slots", x: (left + plotRight) / 2, y: (top + plotBottom) / 2, cssClass: "lbl")
            return out + "</svg>"
        }
        let band = (plotRight - left) / Double(slots.count)
        let every = labelEvery(slots.count, slotMinutes: data.slotMinutes)
        out += ReportSVG.line(x1: left, y1: plotBottom, x2: plotRight, y2: plotBottom, cssClass: "axis-line")
        var points = ""
        var segment: [String] = []
        var lines = ""
        for (index, slot) in slots.enumerated() {
            let center = left + band * (Double(index) + 0.5)
            let priceText = slot.price.map { "\(ReportNumbers.units($0, decimals: decimals)) \(data.tokenSymbol)/kWh" }
            let tip = "\(slot.start): \(ReportNumbers.kWh(slot.volumeWh)) kWh traded, price \(priceText ?? "none")"
            let barTop = vy(volumes[index])
            out += ReportSVG.rect(
                x: center - band * 0.36, y: barTop, width: band * 0.72, height: plotBottom - barTop,
                cssClass: "bar-volume", title: tip)
            if index % every == 0 {
                out += ReportSVG.line(x1: center, y1: plotBottom, x2: center, y2: plotBottom + 4, cssClass: "axis-line")
                out += ReportSVG.text(slot.start, x: center, y: plotBottom + 16)
            }
            if let price = prices[index] {
                let c = ReportSVG.coordinate
                segment.append("\(c(center)),\(c(py(price)))")
                points += "<circle cx=\"\(c(center))\" cy=\"\(c(py(price)))\" r=\"\(band < 10 ? 2.5 : 3.5)\""
                points += " class=\"price-pt\"><title>\(tip.html)</title></circle>"
            } else {
                lines += polyline(segment)
                segment = []
            }
        }
        lines += polyline(segment)
        out += lines + points
        out += ReportSVG.text(
            "Slot start (local time)", x: (left + plotRight) / 2, y: height - 14, cssClass: "axis-title")
        if data.slots.allSatisfy({ $0.volumeWh == 0 && $0.price == nil }) {
            out += ReportSVG.text(
                "No energy traded in this session", x: (left + plotRight) / 2, y: (top + plotBottom) / 2,
                cssClass: "lbl empty-lbl")
        }
        return out + "</svg>"
    }

    private static func polyline(_ points: [String]) -> String {
        guard points.count > 1 else { return "" }
        return "<polyline points=\"\(points.joined(separator: " "))\" class=\"price-line\"/>"
    }

    /// Chart 3: grouped bars per hour, energy traded in the market next to the CER shared energy.
    static func sharedEnergy(_ data: SessionReportData) -> String {
        let hours = data.hours
        let plotRight = width - right + 60
        let plotBottom = height - bottom
        let name = "CER shared energy and traded energy per hour"
        var out = ReportSVG.open(width: width, height: height, label: name, cssClass: "chart chart-wide")
        out += "<title>\(name.html)</title>"
        let traded = hours.map { Double($0.tradedWh) / 1000 }
        let shared = hours.map { $0.sharedEnergyWh.map { ReportNumbers.approximate($0, decimals: 3) } }
        let hasMeterData = shared.contains { $0 != nil }
        let ticks = ReportSVG.Ticks(
            maximum: max(traded.max() ?? 0, shared.compactMap { $0 }.max() ?? 0) * 1.05, count: 5)
        let y = ReportSVG.Scale(domainMin: 0, domainMax: ticks.top, rangeStart: plotBottom, rangeEnd: top)
        out += ReportSVG.valueAxis(
            ticks: ticks, scale: y, x: left, plotLeft: left, plotRight: plotRight, right: false, grid: true,
            title: "Energy (kWh)", titleX: 18)
        out += ReportSVG.legend(
            [("sw-traded", "Traded in the market"), ("sw-shared", "CER shared energy")], x: left, y: 18)
        out += ReportSVG.line(x1: left, y1: plotBottom, x2: plotRight, y2: plotBottom, cssClass: "axis-line")
        guard !hours.isEmpty else {
            out += ReportSVG.text("No hours", x: (left + plotRight) / 2, y: (top + plotBottom) / 2, cssClass: "lbl")
            return out + "</svg>"
        }
        let band = (plotRight - left) / Double(hours.count)
        let every = labelEvery(hours.count)
        for (index, hour) in hours.enumerated() {
            let center = left + band * (Double(index) + 0.5)
            let barWidth = band * 0.38
            let tradedTop = y(traded[index])
            out += ReportSVG.rect(
                x: center - barWidth, y: tradedTop, width: barWidth, height: plotBottom - tradedTop,
                cssClass: "bar-traded", title: "\(hour.start): \(ReportNumbers.kWh(hour.tradedWh)) kWh traded")
            if let value = shared[index], let text = hour.sharedEnergyWh {
                let sharedTop = y(value)
                out += ReportSVG.rect(
                    x: center, y: sharedTop, width: barWidth, height: plotBottom - sharedTop, cssClass: "bar-shared",
                    title: "\(hour.start): \(ReportNumbers.kWh(text)) kWh CER shared energy")
            }
            if index % every == 0 {
                out += ReportSVG.line(x1: center, y1: plotBottom, x2: center, y2: plotBottom + 4, cssClass: "axis-line")
                out += ReportSVG.text(hour.start, x: center, y: plotBottom + 16)
            }
        }
        out += ReportSVG.text("Hour (local time)", x: (left + plotRight) / 2, y: height - 14, cssClass: "axis-title")
        if !hasMeterData {
            out += ReportSVG.text(
                "No meter data: CER shared energy is not available", x: (left + plotRight) / 2, y: top + 20,
                cssClass: "lbl empty-lbl")
        }
        return out + "</svg>"
    }
}
