/// What the data layer answers when it cannot give what was asked; the routes turn it into a
/// problem+json response. Every message says what to fix.
public enum PortalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The thing asked for does not exist (404).
    case notFound(String)
    /// A parameter is malformed (400).
    case badRequest(String)
    /// The server was started without what this needs, e.g. a node (503).
    case unavailable(String)
    /// The node answered with an error (502); the message is shown to clients as it is, so it
    /// never holds the node's URL.
    case chain(String)
    /// The node failed `what` (502): clients are told only that and to see the server log;
    /// `error` (which may name the node's URL, with its credentials) goes to the log only.
    case node(what: String, error: String)
    /// A run folder's file does not hold what it must (500); the message names the file and
    /// the field.
    case damaged(String)
    /// The change asked for is impossible in the current state (409).
    case conflict(String)

    /// The message for a client (never the node's URL).
    public var description: String {
        switch self {
        case .notFound(let m), .badRequest(let m), .unavailable(let m), .chain(let m), .conflict(let m): m
        case .node(let what, _): "the node did not answer \(what); see the server log"
        case .damaged(let m): "\(m); see the server log"
        }
    }

    /// The message for the server log: the client's, plus what the node answered.
    public var logDescription: String {
        switch self {
        case .node(let what, let error): "the node failed \(what): \(error)"
        case .damaged(let m): m
        default: description
        }
    }
}
