import Foundation

/// A contract's whole ABI, parsed from solc's JSON: functions (overloads allowed), events, errors
/// and the constructor.
public struct ContractABI: Sendable {
    public private(set) var functions: [ABIFunction] = []
    public private(set) var events: [ABIEvent] = []
    public private(set) var errors: [ABICustomError] = []
    public private(set) var constructor: ABIFunction?

    public init(
        functions: [ABIFunction] = [], events: [ABIEvent] = [], errors: [ABICustomError] = [],
        constructor: ABIFunction? = nil
    ) {
        self.functions = functions
        self.events = events
        self.errors = errors
        self.constructor = constructor
    }

    private struct Entry: Decodable {
        var type: String
        var name: String?
        var inputs: [ABIParameterJSON]?
        var outputs: [ABIParameterJSON]?
        var stateMutability: String?
        var anonymous: Bool?
    }

    /// Parses a JSON ABI array.
    public init(json: Data) throws(ABIError) {
        let entries: [Entry]
        do { entries = try JSONDecoder().decode([Entry].self, from: json) } catch {
            throw .invalidJSON("\(error)")
        }
        for entry in entries {
            let inputs = try (entry.inputs ?? []).map { (p) throws(ABIError) in try p.parameter() }
            let outputs = try (entry.outputs ?? []).map { (p) throws(ABIError) in try p.parameter() }
            let mutability = entry.stateMutability ?? "nonpayable"
            switch entry.type {
            case "function":
                guard let name = entry.name else { throw .invalidJSON("function without a name") }
                functions.append(ABIFunction(name: name, inputs: inputs, outputs: outputs, stateMutability: mutability))
            case "constructor":
                constructor = ABIFunction(name: "constructor", inputs: inputs, stateMutability: mutability)
            case "event":
                guard let name = entry.name else { throw .invalidJSON("event without a name") }
                events.append(ABIEvent(name: name, inputs: inputs, anonymous: entry.anonymous ?? false))
            case "error":
                guard let name = entry.name else { throw .invalidJSON("error without a name") }
                errors.append(ABICustomError(name: name, inputs: inputs))
            case "fallback", "receive":
                continue
            default:
                throw .invalidJSON("unknown entry type \"\(entry.type)\"")
            }
        }
    }

    /// The function called `name`; with overloads, pass the full signature `name(types)`.
    public func function(_ nameOrSignature: String) throws(ABIError) -> ABIFunction {
        if nameOrSignature.contains("(") {
            guard let f = functions.first(where: { $0.signature == nameOrSignature }) else {
                throw .unknownName(nameOrSignature)
            }
            return f
        }
        let matches = functions.filter { $0.name == nameOrSignature }
        guard matches.count == 1 else {
            throw .unknownName(
                matches.isEmpty
                    ? nameOrSignature
                    : "\(nameOrSignature) (overloaded: use one of \(matches.map(\.signature).joined(separator: ", ")))")
        }
        return matches[0]
    }

    /// The event called `name`.
    public func event(_ name: String) throws(ABIError) -> ABIEvent {
        guard let e = events.first(where: { $0.name == name || $0.signature == name }) else {
            throw .unknownName(name)
        }
        return e
    }

    /// The custom error called `name`.
    public func error(_ name: String) throws(ABIError) -> ABICustomError {
        guard let e = errors.first(where: { $0.name == name || $0.signature == name }) else {
            throw .unknownName(name)
        }
        return e
    }

    /// Decodes a log with whichever non-anonymous event matches topic 0; nil when none does.
    public func decodeLog(topics: [[UInt8]], data: [UInt8]) throws(ABIError) -> DecodedEvent? {
        guard let first = topics.first, let event = events.first(where: { !$0.anonymous && $0.topic == first })
        else { return nil }
        return try event.decode(topics: topics, data: data)
    }

    /// Decodes revert data against the standard `Error(string)`/`Panic(uint256)` and this ABI's
    /// custom errors.
    public func decodeRevert(_ data: [UInt8]) -> RevertReason {
        RevertReason(data: data, errors: errors)
    }
}
