/// Why the agent's HTTP server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is not a numeric IPv4 or IPv6 address (or `localhost`).
    case invalidHost(String)
    /// The port is outside 0...65535.
    case invalidPort(Int)
    /// A socket call failed: which one, for which address, and `errno`'s text.
    case socket(call: String, address: String, reason: String)
    /// ``EmbeddedHTTPServer/start()`` was called twice.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidHost(let host): "cannot listen on \(host): not a numeric IPv4 or IPv6 address"
        case .invalidPort(let port): "cannot listen on port \(port): not in 0...65535"
        case .socket(let call, let address, let reason): "cannot listen on \(address): \(call): \(reason)"
        case .alreadyStarted: "the HTTP server was started already"
        }
    }
}
