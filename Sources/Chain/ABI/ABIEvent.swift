/// One decoded event argument: a value, or only the Keccak-256 of an indexed dynamic value (the
/// EVM stores indexed strings, bytes, arrays and tuples as the hash of their encoding).
public enum ABIEventArgument: Hashable, Sendable, CustomStringConvertible {
    case value(ABIValue)
    case indexedHash([UInt8])

    /// The decoded value, or nil for a hashed one.
    public var value: ABIValue? {
        if case .value(let v) = self { return v }
        return nil
    }

    public var description: String {
        switch self {
        case .value(let v): return v.description
        case .indexedHash(let h): return "hash:\(h.hex)"
        }
    }
}

/// A decoded log.
public struct DecodedEvent: Hashable, Sendable, CustomStringConvertible {
    public var event: ABIEvent
    /// Arguments in declaration order.
    public var arguments: [ABIEventArgument]

    /// The argument called `name`.
    public subscript(name: String) -> ABIEventArgument? {
        guard let index = event.inputs.firstIndex(where: { $0.name == name }) else { return nil }
        return arguments[index]
    }

    public var description: String {
        event.name + "(" + zip(event.inputs, arguments).map { "\($0.name)=\($1)" }.joined(separator: ", ") + ")"
    }
}

/// An event from an ABI.
public struct ABIEvent: Hashable, Sendable {
    public var name: String
    public var inputs: [ABIParameter]
    /// Anonymous events have no signature topic.
    public var anonymous: Bool

    public init(name: String, inputs: [ABIParameter], anonymous: Bool = false) {
        self.name = name
        self.inputs = inputs
        self.anonymous = anonymous
    }

    public var signature: String { inputs.signature(name) }

    /// Topic 0 of non-anonymous events: Keccak-256 of the signature.
    public var topic: [UInt8] { Keccak256.hash(signature) }

    /// Decodes a log's topics and data. For non-anonymous events topic 0 must match.
    public func decode(topics: [[UInt8]], data: [UInt8]) throws(ABIError) -> DecodedEvent {
        var remaining = topics[...]
        if !anonymous {
            guard let first = remaining.first, first == topic else {
                throw .typeMismatch(path: "\(name) topic 0", expected: topic.hex, found: topics.first?.hex ?? "none")
            }
            remaining = remaining.dropFirst()
        }
        let indexed = inputs.filter(\.indexed)
        guard remaining.count == indexed.count else {
            throw .wrongCount(path: "\(name) indexed topics", expected: indexed.count, found: remaining.count)
        }
        let dataValues = try ABI.decode(inputs.filter { !$0.indexed }.types, data)
        var topicIterator = remaining.makeIterator()
        var dataIterator = dataValues.makeIterator()
        var arguments = [ABIEventArgument]()
        for input in inputs {
            if input.indexed {
                let topic = topicIterator.next()!
                guard topic.count == 32 else {
                    throw .truncated(path: "\(name).\(input.name)", offset: 0, needed: 32, available: topic.count)
                }
                if input.type.isDynamic || isReferenceType(input.type) {
                    arguments.append(.indexedHash(topic))
                } else {
                    arguments.append(.value(try ABI.decode(input.type, topic)))
                }
            } else {
                arguments.append(.value(dataIterator.next()!))
            }
        }
        return DecodedEvent(event: self, arguments: arguments)
    }

    /// The topic a filter uses to match an indexed argument equal to `value`.
    public static func topic(for value: ABIValue, type: ABIType) throws(ABIError) -> [UInt8] {
        switch (type, value) {
        case (.string, .string(let s)): return Keccak256.hash(Array(s.utf8))
        case (.bytes, .bytes(let b)): return Keccak256.hash(b)
        default:
            guard !isReferenceType(type) else {
                throw .typeMismatch(
                    path: "topic filter", expected: "a value type, string or bytes",
                    found: "\(type) (filtering on indexed arrays or structs is not supported)")
            }
            return try ABI.encode(type, value)
        }
    }
}

/// Fixed arrays and tuples are reference types: indexed, they are hashed like dynamic ones.
func isReferenceType(_ type: ABIType) -> Bool {
    switch type {
    case .fixedArray, .tuple, .array: return true
    default: return false
    }
}
