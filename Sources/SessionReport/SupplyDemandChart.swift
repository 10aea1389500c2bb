/// Chart 1: the supply and demand step curves of one slot, with the clearing point.
enum SupplyDemandChart {
    /// Size and detail of one drawing.
    struct Layout {
        var width: Double
        var height: Double
        var left: Double
        var right: Double
        var top: Double
        var bottom: Double
        var ticks: Int
        var labelClass: String
        var detailed: Bool

        /// The main, large chart.
        static let large = Layout(
            width: 760, height: 430, left: 82, right: 24, top: 40, bottom: 58, ticks: 6, labelClass: "lbl",
            detailed: true)
        /// One small multiple.
        static let small = Layout(
            width: 260, height: 170, left: 48, right: 12, top: 10, bottom: 26, ticks: 3, labelClass: "lbl-s",
            detailed: false)
    }

    /// Whether the slot has any order to draw.
    static func hasOrders(_ slot: SessionReportData.Slot) -> Bool {
        !slot.bids.isEmpty || !slot.offers.isEmpty
    }

    /// The slot drawn large by default: the largest traded volume, else the most orders (first on ties).
    static func defaultSlot(_ slots: [SessionReportData.Slot]) -> SessionReportData.Slot? {
        var best: SessionReportData.Slot?
        for slot in slots where hasOrders(slot) || slot.volumeWh > 0 {
            guard let current = best else {
                best = slot
                continue
            }
            let orders = slot.bids.count + slot.offers.count
            let currentOrders = current.bids.count + current.offers.count
            if slot.volumeWh > current.volumeWh || (slot.volumeWh == current.volumeWh && orders > currentOrders) {
                best = slot
            }
        }
        return best
    }

    /// The SVG of `slot`'s curves.
    static func svg(_ slot: SessionReportData.Slot, data: SessionReportData, layout: Layout) -> String {
        let decimals = data.tokenDecimals
        let symbol = data.tokenSymbol
        let bids = slot.bids.sorted { ReportNumbers.compare($0.limitPrice, $1.limitPrice) > 0 }
        let offers = slot.offers.sorted { ReportNumbers.compare($0.limitPrice, $1.limitPrice) < 0 }
        let kWh = { (wh: UInt64) in Double(wh) / 1000 }
        let totalBid = bids.reduce(0.0) { $0 + kWh($1.quantityWh) }
        let totalOffer = offers.reduce(0.0) { $0 + kWh($1.quantityWh) }
        let clearing = slot.price.map { ReportNumbers.approximate($0, decimals: decimals) }
        let prices = (bids + offers).map { ReportNumbers.approximate($0.limitPrice, decimals: decimals) }
        let priceTop = visiblePriceTop(prices: prices, clearing: clearing)

        let plotLeft = layout.left
        let plotRight = layout.width - layout.right
        let plotTop = layout.top
        let plotBottom = layout.height - layout.bottom
        let xTicks = ReportSVG.Ticks(maximum: max(totalBid, totalOffer, kWh(slot.volumeWh)), count: layout.ticks)
        let yTicks = ReportSVG.Ticks(maximum: priceTop, count: layout.ticks)
        let x = ReportSVG.Scale(domainMin: 0, domainMax: xTicks.top, rangeStart: plotLeft, rangeEnd: plotRight)
        let y = ReportSVG.Scale(domainMin: 0, domainMax: yTicks.top, rangeStart: plotBottom, rangeEnd: plotTop)
        let offScale = prices.contains { $0 > yTicks.top }

        let name = "Supply and demand, slot \(slot.start)"
        var out = ReportSVG.open(
            width: layout.width, height: layout.height, label: name,
            cssClass: layout.detailed ? "chart chart-large" : "chart chart-small")
        out += "<title>\(name.html)</title>"
        out += ReportSVG.valueAxis(
            ticks: yTicks, scale: y, x: plotLeft, plotLeft: plotLeft, plotRight: plotRight, right: false, grid: true,
            title: layout.detailed ? "Price (\(symbol)/kWh)" : "", titleX: 18, cssClass: layout.labelClass)
        out += ReportSVG.bottomAxis(
            ticks: xTicks, scale: x, y: plotBottom, title: layout.detailed ? "Cumulative quantity (kWh)" : nil,
            titleY: layout.height - 14, cssClass: layout.labelClass)
        if layout.detailed {
            out += ReportSVG.legend(
                [("sw-demand", "Demand (bids)"), ("sw-supply", "Supply (offers)"), ("sw-clear", "Clearing point")],
                x: plotLeft, y: 18)
        }
        out += curve(bids, kind: "demand", x: x, y: y, data: data)
        out += curve(offers, kind: "supply", x: x, y: y, data: data)
        if let clearing, let price = slot.price {
            let px = x(kWh(slot.volumeWh))
            let py = y(clearing)
            out += ReportSVG.line(x1: plotLeft, y1: py, x2: px, y2: py, cssClass: "guide")
            out += ReportSVG.line(x1: px, y1: py, x2: px, y2: plotBottom, cssClass: "guide")
            let label =
                "Clearing: \(ReportNumbers.units(price, decimals: decimals)) \(symbol)/kWh, "
                + "\(ReportNumbers.kWh(slot.volumeWh)) kWh"
            out += "<circle cx=\"\(ReportSVG.coordinate(px))\" cy=\"\(ReportSVG.coordinate(py))\""
            out += " r=\"\(layout.detailed ? 6 : 4)\" class=\"clear-pt\"><title>\(label.html)</title></circle>"
            if layout.detailed {
                let anchorEnd = px > (plotLeft + plotRight) / 2
                out += ReportSVG.text(
                    label, x: anchorEnd ? px - 10 : px + 10, y: max(plotTop + 12, py - 10),
                    anchor: anchorEnd ? "end" : "start", cssClass: "lbl clear-lbl")
            }
        }
        if bids.isEmpty && offers.isEmpty {
            out += ReportSVG.text(
                "No orders in this slot", x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2,
                cssClass: "lbl empty-lbl")
        }
        if offScale && layout.detailed {
            out += ReportSVG.text(
                "▲ some limit prices lie above the axis and are drawn at its top", x: plotRight, y: plotTop - 6,
                anchor: "end", cssClass: "lbl-s note")
        }
        return out + "</svg>"
    }

    /// The top of the price axis: limit prices far above the clearing price (e.g. "any price" bids) would
    /// squash the chart, so they are drawn at the top of an axis sized for the others.
    static func visiblePriceTop(prices: [Double], clearing: Double?) -> Double {
        let sorted = prices.filter { $0.isFinite }.sorted()
        guard let highest = sorted.last else { return (clearing ?? 1) * 1.08 }
        let median = sorted[sorted.count / 2]
        let reference = max(clearing ?? 0, median)
        guard reference > 0 else { return highest * 1.08 }
        let cap = reference * 3
        let visible = sorted.filter { $0 <= cap }.last ?? cap
        return max(visible, clearing ?? 0) * 1.08
    }

    /// One step curve, with a `<title>` tooltip on each order.
    private static func curve(
        _ steps: [SessionReportData.Step], kind: String, x: ReportSVG.Scale, y: ReportSVG.Scale,
        data: SessionReportData
    ) -> String {
        guard !steps.isEmpty else { return "" }
        var path = ""
        var hovers = ""
        var cumulative = 0.0
        for (index, step) in steps.enumerated() {
            let price = y(ReportNumbers.approximate(step.limitPrice, decimals: data.tokenDecimals))
            let start = x(cumulative)
            cumulative += Double(step.quantityWh) / 1000
            let end = x(cumulative)
            let c = ReportSVG.coordinate
            path += index == 0 ? "M\(c(start)) \(c(price))" : " L\(c(start)) \(c(price))"
            path += " L\(c(end)) \(c(price))"
            let role = kind == "demand" ? "Bid" : "Offer"
            let tip =
                "\(role) \(index + 1): \(ReportNumbers.kWh(step.quantityWh)) kWh at "
                + "\(ReportNumbers.units(step.limitPrice, decimals: data.tokenDecimals)) \(data.tokenSymbol)/kWh"
            hovers += "<line x1=\"\(c(start))\" y1=\"\(c(price))\" x2=\"\(c(end))\" y2=\"\(c(price))\""
            hovers += " class=\"hover\"><title>\(tip.html)</title></line>"
        }
        return "<path d=\"\(path)\" class=\"curve \(kind)\"/>" + hovers
    }
}
