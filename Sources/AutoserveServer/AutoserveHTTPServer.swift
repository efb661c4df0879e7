import Logging
import MLOpsKit
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent's HTTP/1.1 server, on SwiftNIO: it parses requests with NIO's HTTP/1 decoder, hands each
/// one to a ``Handler`` (in the agent, ``AutoserveHTTPRoutes``) and writes the answer back.
///
/// What a daemon that listens on every interface needs, set in ``Configuration``: keep-alive with an
/// idle timeout; a timeout over each whole exchange, so a client that sends or reads slowly loses its
/// connection rather than holding it; a handler timeout; limits on the request head and body; and a
/// connection limit in the thousands that makes room for a new connection by closing the one that has
/// waited longest without being answered, so that idle or half-sent connections never keep a health
/// check out. Connections cost no thread: one event loop serves them all unless another group is given.
///
/// ```swift
/// let server = AutoserveHTTPServer(configuration: .init(host: "0.0.0.0", port: 8080)) { request in
///     await routes.respond(to: request)
/// }
/// let address = try await server.start()
/// // …
/// await server.stop()
/// ```
public final class AutoserveHTTPServer: Sendable {
    /// Answers one request.
    public typealias Handler = @Sendable (AutoserveHTTPRequest) async -> AutoserveHTTPResponse

    private struct State {
        var started = false
        var listener: (any Channel)?
        var address: String?
    }

    public let configuration: Configuration
    private let handler: Handler
    private let logger: Logger?
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let registry: ConnectionRegistry
    private let state = Mutex(State())

    /// A server that is not listening yet (see ``start()``). Without `eventLoopGroup` it runs on one event
    /// loop thread of its own, ended by ``stop()``. `logger` receives refused connections at debug level.
    public init(
        configuration: Configuration = Configuration(), eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger? = nil, handler: @escaping Handler
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.ownsGroup = eventLoopGroup == nil
        self.registry = ConnectionRegistry(
            limit: min(configuration.maximumConnections, ServerListener.connectionsTheFileLimitAllows()))
    }

    /// The bound address (`127.0.0.1:8080`, `[::1]:8080`) once started.
    public var address: String? { state.withLock { $0.address } }

    /// Connections open now.
    public var openConnections: Int { registry.count }

    /// The most connections kept open at once: ``Configuration/maximumConnections``, or less when the
    /// process's open-file limit would not allow as many.
    public var connectionLimit: Int { registry.limit }

    /// Binds, listens and starts accepting; returns the bound address.
    @discardableResult
    public func start() async throws(HTTPServerError) -> String {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        guard !alreadyStarted else { throw .alreadyStarted }
        let listener: any Channel
        let address: String
        do {
            (listener, address) = try await ServerListener.bind(bootstrap(), host: configuration.host, port: configuration.port)
        } catch {
            state.withLock { $0.started = false }
            throw error
        }
        state.withLock {
            $0.listener = listener
            $0.address = address
        }
        return address
    }

    /// Stops accepting, closes connections that are idle or still sending a request, waits up to
    /// ``Configuration/stopGrace`` for the requests being answered (their connections close after the
    /// answer), then closes what is left. Safe to call twice, and without ``start()``.
    public func stop() async {
        let listener = state.withLock { state -> (any Channel)? in
            defer { state.listener = nil }
            return state.listener
        }
        await registry.stop(listener: listener, grace: configuration.stopGrace, on: group)
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    private func bootstrap() -> ServerBootstrap {
        let registry = registry
        let handler = handler
        let configuration = configuration
        let logger = logger
        let limits = {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderListSize = configuration.maximumHeaderBytes
            limits.maxHeaderFieldSize = configuration.maximumHeaderBytes
            return limits
        }()
        let idle = TimeAmount(configuration.idleTimeout)
        let exchange = TimeAmount(configuration.requestTimeout)
        let handlerTimeout = TimeAmount(configuration.handlerTimeout)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard registry.admit(channel) else {
                        logger?.debug("HTTP server: no connection can make room, closing a new one")
                        channel.close(promise: nil)
                        return
                    }
                    let connection = ConnectionGuard(registry: registry, idleTimeout: idle, requestTimeout: exchange)
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(connection)
                    try operations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: true, withOutboundHeaderValidation: true,
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
                    try operations.addHandler(NIOHTTPServerRequestAggregator(maxContentLength: max(0, configuration.maximumBodyBytes)))
                    try operations.addHandler(
                        RouteHandler(
                            handler: handler, connection: connection, registry: registry, handlerTimeout: handlerTimeout))
                }
            }
    }
}
