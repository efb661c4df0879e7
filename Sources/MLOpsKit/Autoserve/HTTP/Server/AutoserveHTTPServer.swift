import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The agent's HTTP/1.1 server: small, with no dependency beyond the C library, so the agent stays
/// free of Foundation.
///
/// One thread accepts connections; each connection gets a thread of its own that reads one request
/// (with a read deadline, so a slow client holds only its own thread), hands it to the handler as an
/// async task and writes the answer with `Connection: close`. Blocking socket calls never run on
/// Swift's cooperative pool. ``stop()`` closes the listening socket, drops connections still sending
/// their request, and waits a few seconds for requests being answered.
public final class AutoserveHTTPServer: Sendable {
    /// Where to listen and how much to accept.
    public struct Configuration: Sendable, Equatable {
        /// A numeric IPv4 or IPv6 address, or `localhost` (127.0.0.1).
        public var host: String
        /// 0: the kernel picks a free port (``AutoserveHTTPServer/start()`` returns it).
        public var port: Int
        /// How long a client may take to send its whole request.
        public var readTimeout: Duration
        /// How long writing the response may block.
        public var writeTimeout: Duration
        /// Connections served at once; more are answered 503 at once.
        public var maximumConnections: Int
        /// How long ``AutoserveHTTPServer/stop()`` waits for requests being answered.
        public var stopGrace: Duration
        /// Request size limits.
        public var parser: HTTPRequestParser

        /// Loopback on a free port, a 15 s read deadline, 64 connections and 3 s to stop by default.
        public init(
            host: String = "127.0.0.1", port: Int = 0, readTimeout: Duration = .seconds(15),
            writeTimeout: Duration = .seconds(15), maximumConnections: Int = 64, stopGrace: Duration = .seconds(3),
            parser: HTTPRequestParser = HTTPRequestParser()
        ) {
            self.host = host
            self.port = port
            self.readTimeout = readTimeout
            self.writeTimeout = writeTimeout
            self.maximumConnections = maximumConnections
            self.stopGrace = stopGrace
            self.parser = parser
        }
    }

    /// Answers one request.
    public typealias Handler = @Sendable (AutoserveHTTPRequest) async -> AutoserveHTTPResponse

    private struct State {
        var address: String?
        var wake: (read: Int32, write: Int32)?
        var stopping = false
        var acceptLoopRunning = false
        var connections = 0
    }

    public let configuration: Configuration
    private let handler: Handler
    private let logger: Logger?
    private let state = Mutex(State())

    /// A server that is not listening yet (see ``start()``); `logger` receives refused requests at debug
    /// level and accept failures.
    public init(configuration: Configuration = Configuration(), logger: Logger? = nil, handler: @escaping Handler) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    deinit {
        if let wake = state.withLock({ $0.wake }) {
            close(wake.read)
            close(wake.write)
        }
    }

    /// The bound address (`127.0.0.1:8080`, `[::1]:8080`) once started.
    public var address: String? { state.withLock { $0.address } }

    /// Binds, listens and starts accepting; returns the bound address.
    @discardableResult
    public func start() throws(HTTPServerError) -> String {
        let alreadyStarted = state.withLock { state in
            defer { state.acceptLoopRunning = true }
            return state.acceptLoopRunning || state.address != nil
        }
        guard !alreadyStarted else { throw .alreadyStarted }
        let listener: (descriptor: Int32, address: String)
        do {
            listener = try ListeningSocket.open(host: configuration.host, port: configuration.port)
        } catch {
            state.withLock { $0.acceptLoopRunning = false }
            throw error
        }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            let reason = posixErrorText()
            close(listener.descriptor)
            state.withLock { $0.acceptLoopRunning = false }
            throw .socket(call: "pipe", address: listener.address, reason: reason)
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let wake = (read: pipeEnds[0], write: pipeEnds[1])
        state.withLock {
            $0.address = listener.address
            $0.wake = wake
        }
        let started = DetachedThread.start { [self] in acceptLoop(listener: listener.descriptor, wake: wake.read) }
        guard started else {
            close(listener.descriptor)
            state.withLock { $0.acceptLoopRunning = false }
            throw .socket(call: "pthread_create", address: listener.address, reason: "no thread")
        }
        return listener.address
    }

    /// Stops accepting, drops connections still sending a request, and waits up to
    /// ``Configuration/stopGrace`` for the requests being answered. Not cancellable; safe to call twice.
    public func stop() async {
        let wake = state.withLock { state -> Int32? in
            defer { state.stopping = true }
            return state.stopping ? nil : state.wake?.write
        }
        if let wake {
            var byte: UInt8 = 1
            _ = write(wake, &byte, 1)
        }
        let deadline = ContinuousClock.now + configuration.stopGrace
        while state.withLock({ $0.acceptLoopRunning || $0.connections > 0 }), ContinuousClock.now < deadline {
            await Self.pause(milliseconds: 20)
        }
    }

    /// Connections being served now.
    public var openConnections: Int { state.withLock { $0.connections } }

    // MARK: - Accepting

    private func acceptLoop(listener: Int32, wake: Int32) {
        defer {
            close(listener)
            state.withLock { $0.acceptLoopRunning = false }
        }
        var descriptors = [
            pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            descriptors[0].revents = 0
            descriptors[1].revents = 0
            if poll(&descriptors, 2, -1) < 0 {
                if errno == EINTR { continue }
                logger?.error("HTTP server: poll failed: \(posixErrorText())")
                return
            }
            if descriptors[1].revents != 0 { return }
            guard descriptors[0].revents != 0 else { continue }
            let client = accept(listener, nil, nil)
            if client < 0 {
                let code = errno
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    logger?.warning("HTTP server: cannot accept: \(posixErrorText(code))")
                    usleep(50_000)
                }
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            admit(client, wake: wake)
        }
    }

    private func admit(_ client: Int32, wake: Int32) {
        let admitted = state.withLock { state -> Bool in
            guard state.connections < configuration.maximumConnections else { return false }
            state.connections += 1
            return true
        }
        guard admitted else {
            logger?.debug("HTTP server: too many connections, answering 503")
            Self.setTimeout(client, option: SO_SNDTIMEO, .milliseconds(200))
            Self.sendAll(client, AutoserveHTTPResponse.plain(503, "too many connections").encoded())
            close(client)
            return
        }
        let started = DetachedThread.start { [self] in
            serve(client, wake: wake)
            state.withLock { $0.connections -= 1 }
        }
        if !started {
            close(client)
            state.withLock { $0.connections -= 1 }
        }
    }

    // MARK: - One connection

    private func serve(_ client: Int32, wake: Int32) {
        defer { close(client) }
        Self.setTimeout(client, option: SO_SNDTIMEO, configuration.writeTimeout)
        #if canImport(Darwin)
            var on: Int32 = 1
            _ = setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let deadline = ContinuousClock.now + configuration.readTimeout
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            switch configuration.parser.parse(buffer[...]) {
            case .request(let request, _):
                let response = answer(request)
                Self.sendAll(client, response.encoded(includeBody: request.method != "HEAD"))
                Self.finish(client)
                return
            case .rejected(let status, let reason):
                logger?.debug("HTTP server: request refused with \(status): \(reason)")
                Self.sendAll(client, AutoserveHTTPResponse.plain(status, reason).encoded())
                Self.finish(client)
                return
            case .incomplete:
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else {
                    Self.sendAll(client, AutoserveHTTPResponse.plain(408, "request not received in time").encoded())
                    Self.finish(client)
                    return
                }
                var descriptors = [
                    pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&descriptors, 2, Self.milliseconds(remaining))
                if ready < 0, errno != EINTR { return }
                if descriptors[1].revents != 0 { return }  // stopping: drop requests not yet received
                guard descriptors[0].revents != 0 else { continue }
                let count = recv(client, &chunk, chunk.count, 0)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }  // the client went away before its request was complete
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }

    /// Runs the handler as a task and blocks this (connection) thread until it answers.
    private func answer(_ request: AutoserveHTTPRequest) -> AutoserveHTTPResponse {
        let slot = ResponseSlot()
        let handler = handler
        Task {
            slot.fill(await handler(request))
        }
        return slot.wait()
    }

    private final class ResponseSlot: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        private let value = Mutex<AutoserveHTTPResponse?>(nil)

        func fill(_ response: AutoserveHTTPResponse) {
            value.withLock { $0 = response }
            semaphore.signal()
        }

        func wait() -> AutoserveHTTPResponse {
            semaphore.wait()
            return value.withLock { $0 } ?? .plain(500, "no response")
        }
    }

    // MARK: - Socket helpers

    /// Sends all of `bytes`; gives up on an error or when the write timeout passes.
    private static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        #if canImport(Darwin)
            let flags: Int32 = 0
        #else
            let flags = Int32(MSG_NOSIGNAL)
        #endif
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, flags)
            }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Ends the response and reads what the client still sends for up to a second, so that closing with
    /// unread bytes (a refused body) does not reset the connection before the client read the answer.
    private static func finish(_ descriptor: Int32) {
        shutdown(descriptor, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + .seconds(1)
        var sink = [UInt8](repeating: 0, count: 16 * 1024)
        var drained = 0
        while drained < 1024 * 1024 {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return }
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 1, milliseconds(remaining)) > 0 else { return }
            let count = recv(descriptor, &sink, sink.count, 0)
            guard count > 0 else { return }
            drained += count
        }
    }

    private static func setTimeout(_ descriptor: Int32, option: Int32, _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// Sleeps without reacting to cancellation (``stop()`` must wait even in a cancelled task).
    private static func pause(milliseconds: Int) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                continuation.resume()
            }
        }
    }
}

extension AutoserveHTTPResponse {
    /// A plain-text answer the server sends on its own (refused requests, time-outs).
    static func plain(_ status: Int, _ text: String) -> AutoserveHTTPResponse {
        AutoserveHTTPResponse(
            status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
    }
}
