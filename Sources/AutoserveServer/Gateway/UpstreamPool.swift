import MLOpsKit
import NIOCore
import NIOHTTP1
import NIOPosix

/// The connections one event loop keeps open to the model servers, reused across requests (most
/// recently used first, so a few connections stay warm), each closed after it has been idle for
/// ``GatewayServer/Configuration/upstreamIdleTimeout``. Each event loop has its own pool, used only on
/// that loop: no lock, and a client connection and its upstream connection share a thread.
final class UpstreamPool {
    /// A connection to an instance, with its last handler.
    struct Connection {
        let channel: any Channel
        let handler: UpstreamHandler
    }

    private struct Idle {
        let connection: Connection
        let since: NIODeadline
    }

    private struct Entry {
        let target: UpstreamTarget
        var idle: [Idle] = []
    }

    private let eventLoop: any EventLoop
    private let configuration: GatewayServer.Configuration
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var sweep: RepeatedTask?
    /// The shadow copies in flight on this event loop (kept alive here until they end).
    private var shadows: [ObjectIdentifier: ShadowExchange] = [:]
    /// The most shadow copies in flight on one event loop; more are dropped.
    static let shadowLimit = 32

    /// Whether another shadow copy may start.
    var shadowHasRoom: Bool { shadows.count < Self.shadowLimit }

    func shadowStarted(_ exchange: ShadowExchange) {
        shadows[ObjectIdentifier(exchange)] = exchange
    }

    func shadowFinished(_ exchange: ShadowExchange) {
        shadows[ObjectIdentifier(exchange)] = nil
    }

    /// The event loop's canary draws: one generator per loop, so a draw takes no lock.
    var draws: SplitMix64

    /// The pool of the event loop numbered `index` (it mixes into ``GatewayServer/Configuration/trafficSeed``).
    init(eventLoop: any EventLoop, configuration: GatewayServer.Configuration, index: Int = 0) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        if let seed = configuration.trafficSeed {
            var mixer = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            draws = SplitMix64(seed: mixer.next())
        } else {
            draws = SplitMix64()
        }
    }

    /// Starts closing connections idle for too long, once a second.
    func startSweeping() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let interval = TimeAmount.milliseconds(500)
        sweep = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.closeExpired(now: .now())
        }
    }

    /// An idle connection to `target`, most recently used first; `nil` when none is open.
    func checkOut(_ target: UpstreamTarget) -> Connection? {
        let id = ObjectIdentifier(target)
        while let idle = entries[id]?.idle.popLast() {
            let connection = idle.connection
            guard connection.channel.isActive else { continue }
            connection.handler.pooledFor = nil
            return connection
        }
        return nil
    }

    /// Keeps `connection` for the next request to `target`, or closes it when the pool is full or the
    /// target retired.
    func checkIn(_ connection: Connection, for target: UpstreamTarget) {
        let id = ObjectIdentifier(target)
        guard !target.isClosed, connection.channel.isActive,
            (entries[id]?.idle.count ?? 0) < configuration.maximumIdleUpstreamConnections
        else {
            connection.channel.close(promise: nil)
            return
        }
        connection.handler.exchange = nil
        connection.handler.pool = self
        connection.handler.pooledFor = id
        entries[id, default: Entry(target: target)].idle.append(Idle(connection: connection, since: .now()))
    }

    /// Opens a new connection to `target`.
    func connect(to target: UpstreamTarget) -> EventLoopFuture<Connection> {
        let host = target.host
        let port = target.port
        guard !host.isEmpty else { return eventLoop.makeFailedFuture(GatewayUpstreamError.unusableEndpoint) }
        let limits = NIOHTTPDecoderLimitConfiguration()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 64 * 1024))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHTTPClientHandlers(
                        position: .last, leftOverBytesStrategy: .dropBytes, enableOutboundHeaderValidation: true,
                        encoderConfiguration: .init(), decoderLimitConfiguration: limits)
                    try operations.addHandler(UpstreamHandler())
                }
            }
        let connecting: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            connecting = bootstrap.connect(to: address)
        } else {
            connecting = bootstrap.connect(host: host, port: port)
        }
        return connecting.flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
            return Connection(channel: channel, handler: handler)
        }
    }

    /// Connections kept idle now (all targets).
    var idleCount: Int { entries.values.reduce(0) { $0 + $1.idle.count } }

    /// Closes every idle connection and stops the sweep.
    func closeAll() {
        sweep?.cancel()
        sweep = nil
        for exchange in Array(shadows.values) { exchange.finish(.failed) }
        let all = entries.values.flatMap(\.idle)
        entries.removeAll()
        for idle in all {
            idle.connection.handler.pooledFor = nil
            idle.connection.channel.close(promise: nil)
        }
    }

    /// Forgets an idle connection that closed or turned unusable.
    func remove(_ channel: any Channel, of id: ObjectIdentifier) {
        entries[id]?.idle.removeAll { $0.connection.channel === channel }
        if entries[id]?.idle.isEmpty == true { entries[id] = nil }
    }

    private func closeExpired(now: NIODeadline) {
        let limit = TimeAmount(configuration.upstreamIdleTimeout)
        for (id, entry) in entries {
            let (keep, expired) = entry.idle.reduce(into: ([Idle](), [Idle]())) { split, idle in
                if now - idle.since < limit, !entry.target.isClosed { split.0.append(idle) } else { split.1.append(idle) }
            }
            guard !expired.isEmpty else { continue }
            entries[id] = keep.isEmpty ? nil : Entry(target: entry.target, idle: keep)
            for idle in expired {
                idle.connection.handler.pooledFor = nil
                idle.connection.channel.close(promise: nil)
            }
        }
    }
}

/// Why a connection to an instance could not be made.
enum GatewayUpstreamError: Error {
    /// The instance's endpoint has no host or port.
    case unusableEndpoint
}
