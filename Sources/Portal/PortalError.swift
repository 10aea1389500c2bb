/// What the data layer answers when it cannot give what was asked; the routes turn it into a
/// problem+json response. Every message says what to fix.
public enum PortalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The thing asked for does not exist (404).
    case notFound(String)
    /// A parameter is malformed (400).
    case badRequest(String)
    /// The server was started without what this needs, e.g. a node (503).
    case unavailable(String)
    /// The node answered with an error or not at all (502).
    case chain(String)
    /// The change asked for is impossible in the current state (409).
    case conflict(String)

    public var description: String {
        switch self {
        case .notFound(let m), .badRequest(let m), .unavailable(let m), .chain(let m), .conflict(let m): m
        }
    }
}
