import Chain

/// `?limit=` (1…500, default 50) and `?cursor=` (opaque: where the previous page ended) of a list.
public struct Page: Sendable, Equatable {
    /// Largest page a client may ask for.
    public static let maximumLimit = 500
    /// Page size without `limit`.
    public static let defaultLimit = 50

    public let limit: Int
    /// Index of the first item of the page.
    public let offset: Int

    /// A page of `limit` items from `offset`.
    public init(limit: Int = Page.defaultLimit, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }

    /// Reads `limit` and `cursor` (nil when absent); a bad value is a `.badRequest` saying which.
    public init(limit: String?, cursor: String?) throws(PortalError) {
        var size = Self.defaultLimit
        if let limit {
            guard let n = Int(limit), (1...Self.maximumLimit).contains(n) else {
                throw .badRequest("limit=\(limit): give an integer from 1 to \(Self.maximumLimit) (default 50)")
            }
            size = n
        }
        var start = 0
        if let cursor, !cursor.isEmpty {
            guard let offset = Self.decode(cursor) else {
                throw .badRequest(
                    "cursor=\(cursor) is not a cursor this server gave: use the `next` value of the previous page, "
                        + "or leave it out for the first page")
            }
            start = offset
        }
        self.init(limit: size, offset: start)
    }

    /// The page's items as `{items, next}`; `next` is null on the last page.
    public func answer(_ items: [JSONValue]) -> JSONValue {
        let start = min(offset, items.count)
        let end = min(start + limit, items.count)
        return [
            "items": .array(Array(items[start..<end])),
            "next": end < items.count ? .string(Self.encode(end)) : .null,
        ]
    }

    /// A cursor: `o` and the offset of the next page's first item (clients pass it back as is).
    static func encode(_ offset: Int) -> String { "o\(offset)" }

    static func decode(_ cursor: String) -> Int? {
        let digits = cursor.dropFirst()
        guard cursor.first == "o", (1...9).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) })
        else { return nil }
        return Int(digits)
    }
}
