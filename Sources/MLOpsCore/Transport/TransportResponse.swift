#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The response to an ``TransportRequest``.
public struct TransportResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    public var headers: TransportHeaders
    /// The body when the request asked for it in memory; empty when it was streamed to a file.
    public var body: Data

    public init(status: Int, headers: TransportHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as UTF-8, with invalid bytes replaced.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
