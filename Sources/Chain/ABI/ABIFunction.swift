/// A contract function (or constructor) from an ABI.
public struct ABIFunction: Hashable, Sendable {
    public var name: String
    public var inputs: [ABIParameter]
    public var outputs: [ABIParameter]
    /// `pure`, `view`, `nonpayable` or `payable`.
    public var stateMutability: String

    public init(
        name: String, inputs: [ABIParameter], outputs: [ABIParameter] = [], stateMutability: String = "nonpayable"
    ) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.stateMutability = stateMutability
    }

    /// `name(type1,…)`.
    public var signature: String { inputs.signature(name) }

    /// The first 4 bytes of Keccak-256 of the signature.
    public var selector: [UInt8] { ABI.selector(signature) }

    /// True for `view` and `pure` functions.
    public var isReadOnly: Bool { stateMutability == "view" || stateMutability == "pure" }

    /// Calldata: selector followed by the encoded arguments.
    public func encodeCall(_ arguments: [ABIValue]) throws(ABIError) -> [UInt8] {
        selector + (try ABI.encodeTuple(inputs.types, arguments, path: "\(name) args"))
    }

    /// Decodes calldata produced by `encodeCall` (selector checked).
    public func decodeCall(_ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        guard data.count >= 4, Array(data.prefix(4)) == selector else {
            throw .unknownSelector(Array(data.prefix(4)))
        }
        return try ABI.decode(inputs.types, Array(data.dropFirst(4)))
    }

    /// Decodes return data.
    public func decodeOutput(_ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try ABI.decode(outputs.types, data)
    }
}

/// A custom error (`error Name(args)`) from an ABI.
public struct ABICustomError: Hashable, Sendable {
    public var name: String
    public var inputs: [ABIParameter]

    public init(name: String, inputs: [ABIParameter]) {
        self.name = name
        self.inputs = inputs
    }

    public var signature: String { inputs.signature(name) }
    public var selector: [UInt8] { ABI.selector(signature) }

    /// Revert data for this error (selector + arguments), as the EVM would return it.
    public func encode(_ arguments: [ABIValue]) throws(ABIError) -> [UInt8] {
        selector + (try ABI.encodeTuple(inputs.types, arguments, path: "\(name) args"))
    }
}
