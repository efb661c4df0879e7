import MLOpsCore
import MLOpsServing

/// What the gateway's data plane reports about each request: the request metrics are one observer.
///
/// The data plane calls it on its event loops, once or twice per request, so an observer must be cheap
/// and must not block.
public protocol GatewayRequestObserver: Sendable {
    /// A request took a lease on `target` (it is in flight on it until ``requestFinished(_:)``).
    func requestStarted(on target: UpstreamTarget)
    /// A request was answered (or given up): by an instance when ``GatewayRequestRecord/target`` is set,
    /// else by the gateway itself (404, 405, 413, 503 …).
    func requestFinished(_ record: GatewayRequestRecord)
    /// A connection to `target` could not be made.
    func upstreamConnectFailed(_ target: UpstreamTarget)
    /// `target` failed a request after the connection was made.
    func upstreamFailed(_ target: UpstreamTarget, kind: GatewayUpstreamFailure)
    /// A copy of a request for `model`/`alias` was sent to its `shadow` alias and the two answers
    /// compared (called off the event loops). Does nothing unless implemented.
    func shadowCompared(model: String, alias: String, shadow: String, result: ShadowComparisonResult)
    /// A copy of a request for `model`/`alias` was not sent to `shadow`: too many copies were in flight
    /// on the event loop. Does nothing unless implemented.
    func shadowDropped(model: String, alias: String, shadow: String)
}

extension GatewayRequestObserver {
    /// A copy of a request for `model`/`alias` was sent to its `shadow` alias and the two answers compared.
    public func shadowCompared(model: String, alias: String, shadow: String, result: ShadowComparisonResult) {}
    /// A copy of a request for `model`/`alias` was not sent to `shadow`: too many copies were in flight.
    public func shadowDropped(model: String, alias: String, shadow: String) {}
}

/// One request as the gateway answered it.
public struct GatewayRequestRecord: Sendable {
    /// The instance that answered, or `nil` when the gateway answered on its own.
    public var target: UpstreamTarget?
    /// The model and alias the request asked for (empty when its route named none). With a canary
    /// split, `alias` is the requested one and ``target`` tells which version answered.
    public var model: String
    public var alias: String
    /// The request's method as sent (`POST`, `GET` …).
    public var method: String
    /// The scoring server's endpoint (`/invocations`, `/ping`, `/health`, `/version`), or `none` for a
    /// request that matched no route, as the original model server's instrumentation groups them.
    public var handler: String
    /// The status sent to the client (0 when the client went away before any answer).
    public var status: Int
    /// From the request's head to the last byte of the answer written.
    public var duration: Duration
    /// Body bytes received from the client, and sent back to it.
    public var requestBytes: Int
    public var responseBytes: Int

    public init(
        target: UpstreamTarget?, model: String, alias: String, method: String, handler: String, status: Int,
        duration: Duration, requestBytes: Int, responseBytes: Int
    ) {
        self.target = target
        self.model = model
        self.alias = alias
        self.method = method
        self.handler = handler
        self.status = status
        self.duration = duration
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
    }
}

/// How an instance failed a request once connected.
public enum GatewayUpstreamFailure: String, Sendable, CaseIterable {
    /// The connection was reset or closed before the answer was complete.
    case reset
    /// No answer within the gateway's upstream timeout.
    case timeout
    /// The answer was not valid HTTP/1.1.
    case `protocol`
}

/// Reports nothing.
public struct NoGatewayRequestObserver: GatewayRequestObserver {
    public init() {}
    public func requestStarted(on target: UpstreamTarget) {}
    public func requestFinished(_ record: GatewayRequestRecord) {}
    public func upstreamConnectFailed(_ target: UpstreamTarget) {}
    public func upstreamFailed(_ target: UpstreamTarget, kind: GatewayUpstreamFailure) {}
}
