import MLOpsKit
import NIOCore

extension GatewayServer {
    /// Where the gateway listens and what it accepts. The defaults suit a loopback gateway in front of
    /// `mlflow models serve` instances; tests shorten the timeouts.
    public struct Configuration: Sendable, Equatable {
        /// A numeric IPv4 or IPv6 address, or `localhost` (127.0.0.1).
        public var host: String
        /// 0: the kernel picks a free port (``GatewayServer/start()`` returns it).
        public var port: Int
        /// Event loop threads; each has its own pool of connections to the model servers. 0: one per core.
        public var threads: Int
        /// How long a client connection may stay open with no request in progress.
        public var idleTimeout: Duration
        /// How long a client may take from the first byte of a request to the end of its head (a client
        /// that sends its head slowly is answered 408 and disconnected).
        public var headTimeout: Duration
        /// How long a request or an answer may stream without a byte moving either way; past it the
        /// exchange is given up (408 while the request is still arriving, else the connection is closed).
        public var progressTimeout: Duration
        /// How long an instance may take from the end of the request to the head of its answer; past it
        /// the client gets 504.
        public var upstreamResponseTimeout: Duration
        /// How long connecting to an instance may take.
        public var connectTimeout: Duration
        /// The largest request body accepted; larger ones are answered 413. Bodies stream, so this is a
        /// policy, not a memory bound.
        public var maximumBodyBytes: Int
        /// The largest request head: header names and values together. Larger heads are answered 400.
        public var maximumHeaderBytes: Int
        /// Client connections open at once (kept below the process's open-file limit, which the upstream
        /// connections share).
        public var maximumConnections: Int
        /// Idle connections kept per instance and event loop, for reuse.
        public var maximumIdleUpstreamConnections: Int
        /// How long an idle upstream connection is kept: below the 5 s keep-alive timeout of uvicorn, the
        /// server of `mlflow models serve`, so the gateway never reuses one the server is closing.
        public var upstreamIdleTimeout: Duration
        /// How long ``GatewayServer/stop()`` waits for requests in flight.
        public var stopGrace: Duration
        /// The seed of the canary draws (``GatewayRouteTable/lease(for:draw:)``): each event loop draws
        /// from its own ``SplitMix64`` seeded from it (the loop's index mixed in); `nil` seeds each loop
        /// from the system's generator. Tests set it to make a split repeatable.
        public var trafficSeed: UInt64?

        /// Loopback on a free port, one thread per core; 75 s idle, 10 s for a head, 30 s without progress,
        /// 60 s for an instance to start answering, 1 s to connect; 256 MiB bodies, 64 KiB heads, 4,096
        /// connections, 32 idle upstream connections kept 4 s; 10 s to stop.
        public init(
            host: String = "127.0.0.1", port: Int = 0, threads: Int = 0, idleTimeout: Duration = .seconds(75),
            headTimeout: Duration = .seconds(10), progressTimeout: Duration = .seconds(30),
            upstreamResponseTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(1),
            maximumBodyBytes: Int = 256 * 1024 * 1024, maximumHeaderBytes: Int = 64 * 1024,
            maximumConnections: Int = 4096, maximumIdleUpstreamConnections: Int = 32,
            upstreamIdleTimeout: Duration = .seconds(4), stopGrace: Duration = .seconds(10), trafficSeed: UInt64? = nil
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.idleTimeout = idleTimeout
            self.headTimeout = headTimeout
            self.progressTimeout = progressTimeout
            self.upstreamResponseTimeout = upstreamResponseTimeout
            self.connectTimeout = connectTimeout
            self.maximumBodyBytes = maximumBodyBytes
            self.maximumHeaderBytes = maximumHeaderBytes
            self.maximumConnections = maximumConnections
            self.maximumIdleUpstreamConnections = maximumIdleUpstreamConnections
            self.upstreamIdleTimeout = upstreamIdleTimeout
            self.stopGrace = stopGrace
            self.trafficSeed = trafficSeed
        }
    }
}
