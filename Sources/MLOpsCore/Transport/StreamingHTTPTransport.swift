/// An ``HTTPTransport`` that can also hand over a response body piece by piece as it arrives, for
/// responses that never end on their own: Docker's `/events`, `logs?follow=1` and build progress.
///
/// ``stream(_:)`` returns as soon as the response head (status and header fields) has arrived; the
/// body follows through ``TransportStreamingResponse/body``. Whatever the status, the body is streamed: the
/// caller reads an error document the same way.
///
/// For a stream, the transport's total request timeout and low-speed limit do not apply (an event
/// stream may stay silent for hours); a timeout set on the request itself does. The connect timeout
/// still applies.
///
/// Ending the stream early ends the transfer: cancelling the task that iterates the body, or dropping
/// the body without iterating it to the end, closes the connection.
public protocol StreamingHTTPTransport: HTTPTransport {
    /// Sends `request` and returns once the response head has arrived. Throws ``HTTPTransportError``
    /// when no response head could be had, and `CancellationError` when the calling task is cancelled
    /// first. `request.responseDestination` is ignored.
    func stream(_ request: TransportRequest) async throws -> TransportStreamingResponse
}

/// The head of a response whose body arrives as a stream of byte chunks.
public struct TransportStreamingResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    public var headers: TransportHeaders
    /// The body as it arrives, in chunks of the sizes the connection delivered. The stream finishes
    /// when the response is complete and throws ``HTTPTransportError`` when the connection fails.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(status: Int, headers: TransportHeaders = [:], body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Reads the rest of the body into memory, refusing more than `limit` bytes (the rest is dropped,
    /// which ends the transfer).
    public func collect(limit: Int = 1 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes.append(contentsOf: chunk.prefix(max(0, limit - bytes.count)))
            if bytes.count >= limit { break }
        }
        return bytes
    }
}
