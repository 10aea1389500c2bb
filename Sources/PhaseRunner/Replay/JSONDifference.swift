import Chain

/// Where two JSON documents first differ: a path (`members[1].delivered[0]`) and both values.
public struct JSONDifference: Sendable, Equatable, CustomStringConvertible {
    /// `a.b[2].c`; empty for the whole document.
    public var path: String
    /// The value in the recording (`nil`: absent there).
    public var journaled: JSONValue?
    /// The value recomputed now (`nil`: absent now).
    public var recomputed: JSONValue?

    public init(path: String, journaled: JSONValue?, recomputed: JSONValue?) {
        self.path = path
        self.journaled = journaled
        self.recomputed = recomputed
    }

    public var description: String {
        "\(path.isEmpty ? "(document)" : path): journaled \(Self.show(journaled)), recomputed \(Self.show(recomputed))"
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        let text = value.jsonText
        return text.count > 120 ? String(text.prefix(117)) + "…" : text
    }

    /// Every difference between `journaled` and `recomputed`, depth first, object keys in
    /// sorted order and arrays index by index; at most `limit`.
    public static func differences(_ journaled: JSONValue, _ recomputed: JSONValue, limit: Int = 50) -> [JSONDifference]
    {
        var found = [JSONDifference]()
        walk(journaled, recomputed, path: "", into: &found, limit: limit)
        return found
    }

    static func walk(_ a: JSONValue?, _ b: JSONValue?, path: String, into found: inout [JSONDifference], limit: Int) {
        guard found.count < limit, a != b else { return }
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            for key in Set(x.keys).union(y.keys).sorted() {
                walk(x[key], y[key], path: path.isEmpty ? key : "\(path).\(key)", into: &found, limit: limit)
            }
        case (.array(let x)?, .array(let y)?):
            for index in 0..<max(x.count, y.count) {
                // `Optional.none`, not `nil`: JSONValue is nil-literal-expressible (that is `null`).
                let old: JSONValue? = index < x.count ? x[index] : Optional.none
                let new: JSONValue? = index < y.count ? y[index] : Optional.none
                walk(old, new, path: "\(path)[\(index)]", into: &found, limit: limit)
            }
        default:
            found.append(JSONDifference(path: path, journaled: a, recomputed: b))
        }
    }
}
