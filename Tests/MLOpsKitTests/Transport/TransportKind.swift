import Testing

@testable import MLOpsKit

/// The transports that must behave alike wherever both can carry a request: the same tests run
/// against each.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case curl, socket

    var testDescription: String { rawValue }

    func make(requestTimeout: Duration? = .seconds(120)) -> any StreamingHTTPTransport {
        switch self {
        case .curl:
            var configuration = CurlTransport.Configuration()
            configuration.requestTimeout = requestTimeout
            return CurlTransport(configuration: configuration)
        case .socket:
            var configuration = SocketHTTPTransport.Configuration()
            configuration.requestTimeout = requestTimeout
            return SocketHTTPTransport(configuration: configuration)
        }
    }
}
