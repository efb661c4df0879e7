/// Sends HTTP requests. Every MLOpsKit client talks to its server through one of these, so a test or an
/// embedding application can hand a client any other implementation.
///
/// A transport returns every HTTP response it receives, whatever its status: mapping a status to an
/// error belongs to the client that knows the protocol. It throws ``HTTPTransportError`` when no
/// response could be had (connection refused, timeout, TLS failure, cancellation, …).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the server's response.
    func send(_ request: TransportRequest) async throws -> TransportResponse
}
