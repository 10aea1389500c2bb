import Chain

extension UniformPriceClearing: ClearingMechanism {}

/// The built-in mechanisms by manifest name.
public enum BuiltInClearing {
    public static let names = [
        "uniform-price", "pay-as-bid", "pay-as-offer", "k-double-auction", "mcafee", "sdr", "mid-market-rate",
    ]

    /// The mechanism called `name`, configured by `params` (`price_rule`: midpoint | bid | ask,
    /// `k`: "n/d" for k-double-auction; `feed_in_price` and `retail_price`, base units per kWh,
    /// for sdr and mid-market-rate).
    public static func make(_ name: String, params: JSONValue) throws(ClearingProtocol.FormatError)
        -> any ClearingMechanism
    {
        switch name {
        case "uniform-price":
            switch params["price_rule"]?.stringValue ?? "midpoint" {
            case "midpoint": return UniformPriceClearing(rule: .midpoint)
            case "bid": return UniformPriceClearing(rule: .bid)
            case "ask": return UniformPriceClearing(rule: .ask)
            case "k": return UniformPriceClearing(rule: try k(params))
            case let other:
                throw .init(path: "params.price_rule", problem: "\"\(other)\" is not midpoint, bid, ask or k")
            }
        case "pay-as-bid": return DiscriminatoryClearing(mode: .payAsBid)
        case "pay-as-offer": return DiscriminatoryClearing(mode: .payAsOffer)
        case "k-double-auction": return UniformPriceClearing(rule: try k(params), boundByRejected: false)
        case "mcafee": return McAfeeClearing()
        case "sdr":
            let (feedIn, retail) = try gridPrices(params)
            return SupplyDemandRatioClearing(feedInPrice: feedIn, retailPrice: retail)
        case "mid-market-rate":
            let (feedIn, retail) = try gridPrices(params)
            return MidMarketRateClearing(feedInPrice: feedIn, retailPrice: retail)
        default:
            throw .init(
                path: "plugin", problem: "\"\(name)\" is not built in (one of: \(names.joined(separator: ", ")))")
        }
    }

    static func k(_ params: JSONValue) throws(ClearingProtocol.FormatError) -> PriceRule {
        let text = params["k"]?.stringValue ?? "1/2"
        let parts = text.split(separator: "/")
        guard parts.count == 2, let n = UInt64(parts[0]), let d = UInt64(parts[1]), d > 0, n <= d else {
            throw .init(path: "params.k", problem: "\"\(text)\" is not a fraction n/d in [0, 1], e.g. \"1/2\"")
        }
        return .k(numerator: n, denominator: d)
    }

    /// `params.feed_in_price` (λs) and `params.retail_price` (λb), λs ≤ λb.
    static func gridPrices(_ params: JSONValue) throws(ClearingProtocol.FormatError) -> (UInt64, UInt64) {
        let feedIn = try ClearingProtocol.uint64(params["feed_in_price"], "params.feed_in_price")
        let retail = try ClearingProtocol.uint64(params["retail_price"], "params.retail_price")
        guard feedIn <= retail else {
            throw .init(path: "params.feed_in_price", problem: "\(feedIn) is above the retail price \(retail)")
        }
        return (feedIn, retail)
    }
}
