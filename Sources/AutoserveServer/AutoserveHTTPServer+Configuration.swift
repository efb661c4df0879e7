import NIOCore

extension AutoserveHTTPServer {
    /// Where the server listens and what it accepts. Every limit has a default fit for a daemon that
    /// listens on all interfaces; tests shorten the timeouts.
    public struct Configuration: Sendable, Equatable {
        /// A numeric IPv4 or IPv6 address, or `localhost` (127.0.0.1).
        public var host: String
        /// 0: the kernel picks a free port (``AutoserveHTTPServer/start()`` returns it).
        public var port: Int
        /// How long a connection may stay open with no request in progress (keep-alive idle time).
        public var idleTimeout: Duration
        /// How long one exchange may take, from the first byte of the request to the last byte of the
        /// response: a client that sends its request slowly, or reads the answer slowly, is disconnected
        /// once it passes (a request not yet received is answered 408 first).
        public var requestTimeout: Duration
        /// How long the handler may take to answer; past it the client gets 503 and the handler's task is
        /// cancelled.
        public var handlerTimeout: Duration
        /// Connections open at once. When a new connection would pass it, the connection that has waited
        /// longest without a request being answered (idle, or still sending its request) is closed to make
        /// room, so that a health check always gets through; when every connection is being answered the
        /// new one is closed instead. The server also keeps it below the process's open-file limit.
        public var maximumConnections: Int
        /// The largest request body accepted; larger ones are answered 413.
        public var maximumBodyBytes: Int
        /// The largest request head: header names and values together. Larger heads are answered 400.
        public var maximumHeaderBytes: Int
        /// How long ``AutoserveHTTPServer/stop()`` waits for requests being answered.
        public var stopGrace: Duration

        /// Loopback on a free port; 75 s idle (longer than any scrape interval, as nginx's keep-alive),
        /// 30 s per exchange, 10 s per handler, 4,096 connections, 64 KiB bodies and heads, 3 s to stop.
        public init(
            host: String = "127.0.0.1", port: Int = 0, idleTimeout: Duration = .seconds(75),
            requestTimeout: Duration = .seconds(30), handlerTimeout: Duration = .seconds(10),
            maximumConnections: Int = 4096, maximumBodyBytes: Int = 64 * 1024, maximumHeaderBytes: Int = 64 * 1024,
            stopGrace: Duration = .seconds(3)
        ) {
            self.host = host
            self.port = port
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.handlerTimeout = handlerTimeout
            self.maximumConnections = maximumConnections
            self.maximumBodyBytes = maximumBodyBytes
            self.maximumHeaderBytes = maximumHeaderBytes
            self.stopGrace = stopGrace
        }
    }
}

extension TimeAmount {
    /// `duration` in NIO's unit, at least a millisecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else {
            self = .nanoseconds(Int64.max)
            return
        }
        self = .nanoseconds(max(1_000_000, nanoseconds.partialValue &+ attoseconds / 1_000_000_000))
    }
}
