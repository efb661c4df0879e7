import Testing

@testable import MLOpsKit
@testable import MLOpsCore

/// The transports the shared transport cases run against: libcurl is the one engine today; a second
/// one joins here and runs every case.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case curl

    var testDescription: String { rawValue }

    func make(requestTimeout: Duration? = .seconds(120)) -> any StreamingHTTPTransport {
        switch self {
        case .curl:
            var configuration = CurlTransport.Configuration()
            configuration.requestTimeout = requestTimeout
            return CurlTransport(configuration: configuration)
        }
    }
}
