/// A request that got no usable HTTP response.
///
/// Cancelling the calling task is not reported with this type: transports throw `CancellationError`.
///
/// The URL it names is always redacted (``Redaction``): passwords, tokens and signatures never appear.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this was.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case couldNotResolveHost = "could not resolve host"
            case couldNotConnect = "could not connect"
            case timedOut = "timed out"
            case tooSlow = "transfer too slow"
            case tls = "TLS failure"
            case connectionLost = "connection lost"
            case responseTooLarge = "response too large"
            case invalidRequest = "invalid request"
            case localFile = "local file error"
            case other = "transport failure"
        }

        fileprivate let base: Base

        public static let couldNotResolveHost = Code(base: .couldNotResolveHost)
        public static let couldNotConnect = Code(base: .couldNotConnect)
        public static let timedOut = Code(base: .timedOut)
        /// The low-speed limit was hit: fewer bytes per second than configured for too long.
        public static let tooSlow = Code(base: .tooSlow)
        public static let tls = Code(base: .tls)
        /// The connection broke after the request was (maybe) sent.
        public static let connectionLost = Code(base: .connectionLost)
        public static let responseTooLarge = Code(base: .responseTooLarge)
        public static let invalidRequest = Code(base: .invalidRequest)
        /// A request body file could not be read or a response file could not be written.
        public static let localFile = Code(base: .localFile)
        public static let other = Code(base: .other)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The request's method.
    public var method: TransportMethod
    /// The request's URL, redacted.
    public var redactedURL: String
    /// Details from the underlying library, for people.
    public var detail: String
    /// How many attempts were made before giving up.
    public var attempts: Int

    public init(code: Code, method: TransportMethod, redactedURL: String, detail: String, attempts: Int = 1) {
        self.code = code
        self.method = method
        self.redactedURL = redactedURL
        self.detail = detail
        self.attempts = attempts
    }

    /// Whether the request is known not to have reached the server, so repeating it cannot duplicate work.
    public var requestWasNotSent: Bool {
        code == .couldNotConnect || code == .couldNotResolveHost
    }

    /// Whether trying again may succeed.
    public var isTransient: Bool {
        switch code {
        case .couldNotConnect, .couldNotResolveHost, .timedOut, .tooSlow, .connectionLost: true
        default: false
        }
    }

    public var description: String {
        var text = "\(method) \(redactedURL): \(code)"
        if !detail.isEmpty { text += " (\(detail))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}
