#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An HTTP request as every MLOpsKit client builds it and every ``HTTPTransport`` sends it.
public struct TransportRequest: Sendable {
    /// Where the request body comes from.
    public enum Body: Sendable, Equatable {
        case none
        /// Bytes held in memory.
        case bytes(Data)
        /// A file streamed from disk as it is sent; never read into memory whole.
        case file(URL)
        /// `length` bytes of a file starting at byte `offset`, streamed from disk as they are sent: one
        /// part of a multipart upload.
        case fileRegion(URL, offset: Int64, length: Int64)
    }

    /// Where the response body goes.
    public enum ResponseDestination: Sendable, Equatable {
        /// Collected in memory, refusing bodies larger than `limit` bytes.
        case memory(limit: Int)
        /// Streamed to a file. It is written to a temporary file beside `url` and renamed into place
        /// only when the response is complete and successful (2xx); otherwise nothing is left behind.
        case file(URL)
        /// Written into an existing file starting at byte `offset`, only when the response is successful
        /// (2xx); an error response is collected in memory instead (up to 1 MiB) and the file is left as
        /// it was, apart from bytes of a 2xx body cut short. Used by parallel ranged downloads, which each
        /// fill one region of the same temporary file.
        case fileRegion(URL, offset: Int64)

        /// Collected in memory up to 64 MiB.
        public static let memory = ResponseDestination.memory(limit: 64 << 20)
    }

    public var method: TransportMethod
    public var url: URL
    public var headers: TransportHeaders
    public var body: Body
    public var responseDestination: ResponseDestination
    /// A unix-domain socket to connect to instead of the URL's host (the URL still names the path).
    public var unixSocketPath: String?
    /// Overrides the transport's total timeout for this request.
    public var timeout: Duration?
    /// Whether the request may be repeated safely. Defaults to the method's idempotence; a client sets it
    /// for a POST it knows to be idempotent (for example setting a tag to a fixed value).
    public var isIdempotent: Bool
    /// A short name of the operation for errors and logs, such as `"registered-models/alias"`.
    public var operationName: String?

    public init(
        method: TransportMethod = .get,
        url: URL,
        headers: TransportHeaders = [:],
        body: Body = .none,
        responseDestination: ResponseDestination = .memory,
        unixSocketPath: String? = nil,
        timeout: Duration? = nil,
        isIdempotent: Bool? = nil,
        operationName: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.responseDestination = responseDestination
        self.unixSocketPath = unixSocketPath
        self.timeout = timeout
        self.isIdempotent = isIdempotent ?? method.isIdempotent
        self.operationName = operationName
    }
}
