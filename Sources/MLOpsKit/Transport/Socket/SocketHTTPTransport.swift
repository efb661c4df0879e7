#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// A small HTTP/1.1 client over plain TCP and unix-domain sockets, for processes that must stay
/// small: it needs nothing beyond the C library, where ``CurlTransport`` loads libcurl and the TLS,
/// Kerberos and LDAP libraries it links (about 8 MB of resident memory on Debian).
///
/// - `http://` URLs, unix-domain sockets (``TransportRequest/unixSocketPath`` or `http+unix://` URLs).
///   No TLS and no proxies: ``canSend(_:)`` says whether a request is one it can carry, and
///   ``HTTPTransports/lightweight(configuration:)`` sends the others through libcurl.
/// - One connection per request (`Connection: close`), made on a thread of its own, so blocking
///   socket calls never run on Swift's cooperative pool; cancelling the calling task closes it at once.
/// - Bodies from memory or files; responses into memory (with a limit) or into files, atomically.
/// - Endless responses through ``stream(_:)`` (Docker's events, followed logs).
/// - A connect timeout, a total timeout per request, and an idle limit (no byte for too long).
///
/// It does not retry; wrap it in a ``RetryingTransport`` for that.
public final class SocketHTTPTransport: StreamingHTTPTransport {
    /// Settings of a ``SocketHTTPTransport``.
    public struct Configuration: Sendable {
        /// Limit for establishing a connection.
        public var connectTimeout: Duration = .seconds(10)
        /// Limit for a whole request, response body included, unless the request sets its own. `nil`
        /// means no limit (the idle limit still applies). Not applied to streams.
        public var requestTimeout: Duration? = .seconds(120)
        /// A transfer in which no byte moves for this long is aborted (``HTTPTransportError/Code/tooSlow``).
        /// Not applied to streams, which may stay silent for hours.
        public var idleTimeout: Duration? = .seconds(60)
        /// The `User-Agent` header sent unless a request sets its own.
        public var userAgent: String = "MLOpsKit/\(MLOpsKitVersion.current)"

        public init() {}
    }

    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether this transport can carry `request`: plain `http` or a unix-domain socket.
    public static func canSend(_ request: TransportRequest) -> Bool {
        if request.unixSocketPath != nil { return true }
        switch request.url.scheme?.lowercased() {
        case "http", "http+unix", "unix": return true
        default: return false
        }
    }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        let exchange = try SocketExchange(request: request, configuration: configuration, streaming: false)
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TransportResponse, any Error>) in
                let started = DetachedThread.start {
                    continuation.resume(with: Result { try exchange.perform() })
                }
                if !started {
                    continuation.resume(throwing: exchange.error(.other, "no thread could be started"))
                }
            }
        } onCancel: {
            exchange.connection.abort()
        }
    }

    public func stream(_ request: TransportRequest) async throws -> TransportStreamingResponse {
        let exchange = try SocketExchange(request: request, configuration: configuration, streaming: true)
        try Task.checkCancellation()
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        bodyContinuation.onTermination = { termination in
            if case .cancelled = termination { exchange.connection.abort() }
        }
        let handOver = HeadHandOver(body: body)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<TransportStreamingResponse, any Error>) in
                handOver.attach(continuation)
                let started = DetachedThread.start {
                    exchange.performStreaming(
                        head: { head in handOver.deliver(head) },
                        chunk: { bodyContinuation.yield($0) },
                        finish: { error in
                            if let error {
                                handOver.fail(error)
                                bodyContinuation.finish(throwing: error)
                            } else {
                                bodyContinuation.finish()
                            }
                        })
                }
                if !started {
                    handOver.fail(exchange.error(.other, "no thread could be started"))
                }
            }
        } onCancel: {
            exchange.connection.abort()
        }
    }
}

/// Hands the head of a streamed response to the waiting task once, with the body; holds the body
/// only until then, so that a caller who drops it ends the transfer.
private final class HeadHandOver: Sendable {
    private struct State {
        var continuation: CheckedContinuation<TransportStreamingResponse, any Error>?
        var body: AsyncThrowingStream<[UInt8], any Error>?
    }

    private let state: Mutex<State>

    init(body: AsyncThrowingStream<[UInt8], any Error>) {
        state = Mutex(State(body: body))
    }

    func attach(_ continuation: CheckedContinuation<TransportStreamingResponse, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func deliver(_ head: HTTPResponseDecoder.Head) {
        let taken = state.withLock { state -> (CheckedContinuation<TransportStreamingResponse, any Error>, AsyncThrowingStream<[UInt8], any Error>)? in
            guard let continuation = state.continuation, let body = state.body else { return nil }
            state = State()
            return (continuation, body)
        }
        guard let (continuation, body) = taken else { return }
        continuation.resume(returning: TransportStreamingResponse(status: head.status, headers: head.headers, body: body))
    }

    func fail(_ error: any Error) {
        let taken = state.withLock { state -> CheckedContinuation<TransportStreamingResponse, any Error>? in
            defer { state = State() }
            return state.continuation
        }
        taken?.resume(throwing: error)
    }
}
