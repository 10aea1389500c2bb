/// A named parameter of a function, event or error, as in a contract's ABI JSON.
public struct ABIParameter: Hashable, Sendable {
    public var name: String
    public var type: ABIType
    /// Event parameters only: stored as a topic rather than in the data.
    public var indexed: Bool
    /// Names of tuple components (recursively), kept for display and JSON output.
    public var components: [ABIParameter]

    public init(name: String = "", type: ABIType, indexed: Bool = false, components: [ABIParameter] = []) {
        self.name = name
        self.type = type
        self.indexed = indexed
        self.components = components
    }

    /// Parses `type` text such as `uint256` (no tuple names).
    public init(_ name: String, _ typeName: String, indexed: Bool = false) throws(ABIError) {
        self.init(name: name, type: try ABIType(parsing: typeName), indexed: indexed)
    }
}

/// The JSON shape of one parameter in a solc ABI.
struct ABIParameterJSON: Decodable {
    var name: String?
    var type: String
    var indexed: Bool?
    var components: [ABIParameterJSON]?

    func parameter() throws(ABIError) -> ABIParameter {
        let children = try (components ?? []).map { (c) throws(ABIError) in try c.parameter() }
        let type: ABIType
        if self.type.hasPrefix("tuple") {
            // "tuple", "tuple[]", "tuple[2][]": substitute the component types.
            let suffix = self.type.dropFirst("tuple".count)
            let inner = "(" + children.map(\.type.description).joined(separator: ",") + ")"
            type = try ABIType(parsing: inner + suffix)
        } else {
            type = try ABIType(parsing: self.type)
        }
        return ABIParameter(name: name ?? "", type: type, indexed: indexed ?? false, components: children)
    }
}

extension Array where Element == ABIParameter {
    /// The types in order.
    public var types: [ABIType] { map(\.type) }

    /// `name(type1,type2)`.
    func signature(_ name: String) -> String {
        name + "(" + map(\.type.description).joined(separator: ",") + ")"
    }
}
