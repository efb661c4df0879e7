import Logging
import MLOpsKit
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The agent's serving gateway: one stable address per model alias in front of the model servers.
///
/// `POST /models/{model}/{alias}/invocations` (and `GET …/ping`, `…/health`, `…/version`), or the
/// original stack's `Host: mlflow-serve-<model>-<alias>` with the scoring server's own paths, reach the
/// instance that serves the key now, as the reconciler publishes it in a ``GatewayRouteTable``.
/// Requests and answers stream through; a switch to a new version loses no request (see
/// ``GatewayRouteTable``). NIO's HTTP/1 parser reads both sides; the connections to the model servers
/// are kept per event loop and reused.
///
/// ```swift
/// let routes = GatewayRouteTable()
/// let reconciler = AliasReconciler(…, traffic: routes)
/// let gateway = GatewayServer(configuration: .init(port: 9102), routes: routes, observer: metrics)
/// let address = try await gateway.start()
/// // …
/// await gateway.stop()
/// ```
public final class GatewayServer: Sendable {
    private struct State {
        var started = false
        var listener: (any Channel)?
        var address: String?
        var pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>] = [:]
    }

    public let configuration: Configuration
    private let routes: GatewayRouteTable
    private let observer: any GatewayRequestObserver
    private let logger: Logger?
    private let group: MultiThreadedEventLoopGroup
    private let registry: ConnectionRegistry
    private let state = Mutex(State())

    /// A gateway that is not listening yet (see ``start()``), with event loop threads of its own.
    public init(
        configuration: Configuration = Configuration(), routes: GatewayRouteTable,
        observer: any GatewayRequestObserver = NoGatewayRequestObserver(), logger: Logger? = nil
    ) {
        self.configuration = configuration
        self.routes = routes
        self.observer = observer
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(
            numberOfThreads: configuration.threads > 0 ? configuration.threads : System.coreCount)
        // Each client connection may hold one upstream connection: half the descriptors for each side.
        self.registry = ConnectionRegistry(
            limit: min(configuration.maximumConnections, ServerListener.connectionsTheFileLimitAllows() / 2))
    }

    /// The bound address (`127.0.0.1:9102`) once started.
    public var address: String? { state.withLock { $0.address } }

    /// Client connections open now.
    public var openConnections: Int { registry.count }

    /// The most client connections kept open at once.
    public var connectionLimit: Int { registry.limit }

    /// Idle connections to model servers kept for reuse now, over all event loops.
    public func idleUpstreamConnections() async -> Int {
        let pools = state.withLock { $0.pools }
        var total = 0
        for loop in group.makeIterator() {
            guard let pool = pools[ObjectIdentifier(loop)] else { continue }
            total += (try? await loop.submit { pool.value.idleCount }.get()) ?? 0
        }
        return total
    }

    /// Binds, listens and starts accepting; returns the bound address.
    @discardableResult
    public func start() async throws(HTTPServerError) -> String {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        guard !alreadyStarted else { throw .alreadyStarted }
        var pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>] = [:]
        for (index, loop) in group.makeIterator().enumerated() {
            let configuration = configuration
            if let pool = try? await loop.submit({
                let pool = UpstreamPool(eventLoop: loop, configuration: configuration, index: index)
                pool.startSweeping()
                return NIOLoopBound(pool, eventLoop: loop)
            }).get() {
                pools[ObjectIdentifier(loop)] = pool
            }
        }
        let listener: any Channel
        let address: String
        do {
            (listener, address) = try await ServerListener.bind(bootstrap(pools: pools), host: configuration.host, port: configuration.port)
        } catch {
            for loop in group.makeIterator() {
                guard let pool = pools[ObjectIdentifier(loop)] else { continue }
                try? await loop.submit { pool.value.closeAll() }.get()
            }
            state.withLock { $0.started = false }
            throw error
        }
        state.withLock {
            $0.listener = listener
            $0.address = address
            $0.pools = pools
        }
        return address
    }

    /// Stops accepting, closes idle client connections, waits up to ``Configuration/stopGrace`` for the
    /// requests in flight (their connections close after the answer), then closes everything. Safe to
    /// call twice, and without ``start()``.
    public func stop() async {
        let (listener, pools) = state.withLock { state -> ((any Channel)?, [ObjectIdentifier: NIOLoopBound<UpstreamPool>]) in
            defer {
                state.listener = nil
                state.pools = [:]
            }
            return (state.listener, state.pools)
        }
        await registry.stop(listener: listener, grace: configuration.stopGrace, on: group)
        for loop in group.makeIterator() {
            guard let pool = pools[ObjectIdentifier(loop)] else { continue }
            try? await loop.submit { pool.value.closeAll() }.get()
        }
        try? await group.shutdownGracefully()
    }

    private func bootstrap(pools: [ObjectIdentifier: NIOLoopBound<UpstreamPool>]) -> ServerBootstrap {
        let registry = registry
        let configuration = configuration
        let logger = logger
        let shared = GatewayRequestHandler.Context(
            routes: routes, observer: observer, configuration: configuration, registry: registry)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = configuration.maximumHeaderBytes
        limits.maxHeaderFieldSize = configuration.maximumHeaderBytes
        let idle = TimeAmount(configuration.idleTimeout)
        let head = TimeAmount(configuration.headTimeout)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 64 * 1024))
            .childChannelInitializer { [limits] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let pool = pools[ObjectIdentifier(channel.eventLoop)]?.value, registry.admit(channel) else {
                        logger?.debug("gateway: no connection can make room, closing a new one")
                        channel.close(promise: nil)
                        return
                    }
                    let connection = ConnectionGuard(
                        registry: registry, idleTimeout: idle, requestTimeout: head, timesAnswers: false)
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(connection)
                    try operations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: true, withOutboundHeaderValidation: true,
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
                    try operations.addHandler(GatewayRequestHandler(shared: shared, connection: connection, pool: pool))
                }
            }
    }
}
