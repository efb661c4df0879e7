/// When a ``CurlTransport`` keeps connections open for later requests.
///
/// Reusing a connection saves a TCP (and TLS) handshake. Some servers, though, answer slowly on a reused
/// connection: a server that writes its response in two pieces without `TCP_NODELAY` (MLflow's default
/// multi-worker server is one) waits for the client's delayed acknowledgement, about 40 ms per request on
/// Linux, while a fresh connection answers in a millisecond or two.
public struct ConnectionReusePolicy: Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Base: Hashable, Sendable {
        case always
        case never
        case adaptive(threshold: Duration, strikes: Int)
    }

    fileprivate let base: Base

    /// Always reuse connections.
    public static let always = ConnectionReusePolicy(base: .always)

    /// Open a fresh connection for every request.
    public static let never = ConnectionReusePolicy(base: .never)

    /// Reuse connections until an origin shows the delayed-acknowledgement stall, then open fresh
    /// connections to that origin: fast against both kinds of server.
    ///
    /// A response on a reused connection whose body arrives more than `threshold` after its first byte
    /// (for a body of at most 256 KiB) counts as a strike; after `strikes` of them the origin gets fresh
    /// connections for the rest of the transport's life.
    public static func adaptive(threshold: Duration = .milliseconds(30), strikes: Int = 2) -> ConnectionReusePolicy {
        ConnectionReusePolicy(base: .adaptive(threshold: threshold, strikes: max(1, strikes)))
    }

    /// The default: ``adaptive(threshold:strikes:)`` with its defaults.
    public static let automatic = adaptive()

    var alwaysReuses: Bool { base == .always }
    var neverReuses: Bool { base == .never }

    /// The stall threshold and strike count when adaptive.
    var adaptiveParameters: (threshold: Duration, strikes: Int)? {
        if case .adaptive(let threshold, let strikes) = base { return (threshold, strikes) }
        return nil
    }

    public var description: String {
        switch base {
        case .always: "always"
        case .never: "never"
        case .adaptive(let threshold, let strikes): "adaptive(threshold: \(threshold), strikes: \(strikes))"
        }
    }
}
