import MLOpsKit
import NIOCore
import NIOHTTP1

/// The gateway's side of one client connection: it routes each request to the instance serving its
/// key now and streams the request to it and the answer back, part by part, holding back reads on
/// whichever side is faster (so a 100 MiB body crosses in pieces of the socket buffers' size).
///
/// A request holds a lease on its ``UpstreamTarget`` from routing until its answer has been passed on
/// or has failed; a retiring instance is removed only after its last lease is given back. Requests
/// whose connection to the instance could not be made, or whose reused connection was closed by the
/// instance before any answer, are sent again (they reached no model); past that a failure before the
/// answer's head is answered 502, and a failure after it cuts the client's connection, never ending a
/// cut answer as if it were complete.
final class GatewayRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What every connection of one server shares.
    struct Context {
        let routes: GatewayRouteTable
        let observer: any GatewayRequestObserver
        let configuration: GatewayServer.Configuration
        let registry: ConnectionRegistry
    }

    enum Phase {
        /// Between requests.
        case idle
        /// The gateway answered the request itself; the rest of its body is read and dropped.
        case answeredLocally
        /// The request is being forwarded, or its answer passed back.
        case forwarding
    }

    /// Bodies up to this size are kept while they are sent on a reused connection, to be sent again
    /// if the instance had closed that connection.
    static let replayLimit = 64 * 1024

    let shared: Context
    let connection: ConnectionGuard
    let pool: UpstreamPool
    var context: ChannelHandlerContext?
    var clientAddress: String?

    // The exchange in progress (one at a time: HTTPServerPipelineHandler holds pipelined requests back).
    var phase = Phase.idle
    var exchangeID = 0
    var requestHead: HTTPRequestHead?
    var keepAlive = true
    var closeAfterAnswer = false
    var target: UpstreamTarget?
    /// Whether the exchange holds a lease on ``target``.
    var leaseHeld = false
    var model = ""
    var alias = ""
    var handlerName = "none"
    var path = ""
    var started = NIODeadline.uptimeNanoseconds(0)
    var lastProgress = NIODeadline.uptimeNanoseconds(0)
    var upstreamRequestEndedAt: NIODeadline?
    var timer: Scheduled<Void>?
    var requestEnded = false
    var answerWritten = false
    var requestBytes = 0
    var responseBytes = 0
    var status = 0
    var responseHeadSent = false

    // The connection to the instance.
    var upstream: UpstreamPool.Connection?
    var upstreamReused = false
    var connecting = false
    var attempts = 0
    var upstreamKeepAlive = false
    /// Parts not yet sent (while connecting), then, on a reused connection, every part sent so far
    /// while they fit ``replayLimit``.
    var parts: [HTTPClientRequestPart] = []
    var sentCount = 0
    var retainedBytes = 0
    var retainSent = false
    var readPending = false
    /// Parts were written to the instance since the last flush.
    var unflushed = false

    // A shadowed request: the alias its copy goes to, the request body kept for the copy, then the
    // comparison and the primary's answer kept for it (bodies up to ``ShadowExchange/bodyLimit``).
    var shadowAlias: String?
    var shadowBody: [ByteBuffer] = []
    var shadowPair: ShadowPair?
    var primaryBody: [ByteBuffer] = []
    var primaryBodyBytes = 0
    var primaryComplete = false

    init(shared: Context, connection: ConnectionGuard, pool: UpstreamPool) {
        self.shared = shared
        self.connection = connection
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clientAddress = context.channel.remoteAddress?.ipAddress
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Client → gateway

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            begin(head, context: context)
        case .body(let buffer):
            requestBytes += buffer.readableBytes
            switch phase {
            case .forwarding where !requestEnded:
                if requestBytes > shared.configuration.maximumBodyBytes {
                    bodyTooLarge(context: context)
                } else {
                    if shadowAlias != nil { keepForShadow(buffer) }
                    send(.body(.byteBuffer(buffer)), bytes: buffer.readableBytes)
                }
            default:
                break  // answered already: dropped
            }
        case .end(let trailers):
            requestEnded = true
            if phase == .forwarding, upstreamRequestEndedAt == nil {
                send(.end(trailers), bytes: 0)
                upstreamRequestEndedAt = .now()
                if shadowAlias != nil { sendShadowCopy(context: context) }
            }
            finishIfDone(context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if phase != .idle { lastProgress = .now() }
        if let upstream, unflushed {
            unflushed = false
            upstream.handler.flushOut()
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if phase == .forwarding, !requestEnded, upstreamIsFull {
            readPending = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { upstream?.handler.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if phase != .idle { abandon(status: responseHeadSent ? status : 0) }
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Protocol errors were answered (400) by HTTPServerProtocolErrorHandler; a reset ends the connection.
        context.close(promise: nil)
    }

    /// While the instance's socket is full, or too much waits for a connection, the client is not read.
    private var upstreamIsFull: Bool {
        if connecting || upstream == nil { return retainedBytesUnsent >= Self.replayLimit }
        return upstream.map { !$0.channel.isWritable } ?? false
    }

    private var retainedBytesUnsent: Int {
        parts[sentCount...].reduce(0) { total, part in
            if case .body(.byteBuffer(let buffer)) = part { total + buffer.readableBytes } else { total }
        }
    }

    // MARK: Routing

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        connection.requestReceived(context: context)
        exchangeID &+= 1
        resetExchange()
        requestHead = head
        started = .now()
        lastProgress = started
        keepAlive = head.isKeepAlive
        armTimer(context: context)
        let routed = shared.routes.target(method: head.method.rawValue, uri: head.uri, host: head.headers.first(name: "host"))
        switch routed {
        case .notFound(let message):
            answer(.notFound(message), context: context)
        case .methodNotAllowed(let allow):
            answer(.methodNotAllowed(allow: allow), context: context)
        case .key(let key, let handler, let path):
            model = key.model
            alias = key.alias
            handlerName = handler
            self.path = path
            if let length = GatewayHeaders.contentLength(head.headers), length > shared.configuration.maximumBodyBytes {
                closeAfterAnswer = true
                answer(.tooLarge(limit: shared.configuration.maximumBodyBytes), context: context)
                return
            }
            // `X-MLOps-Route: <alias>` picks the alias of the same model that answers, past any split
            // (NIO's parser trims the value).
            if let forced = head.headers.first(name: GatewayHeaders.route), !forced.isEmpty {
                route(ServingKey(model: key.model, alias: forced), draw: nil, context: context)
            } else {
                if handler == "/invocations", let shadow = shared.routes.shadowAlias(for: key.alias) {
                    shadowAlias = shadow
                }
                route(key, draw: pool.draws.next(), context: context)
                if phase != .forwarding { shadowAlias = nil }
            }
        }
    }

    /// Takes a lease on the instance serving `key`, or on its canary's when `draw` falls in the canary
    /// share (``GatewayRouteTable/lease(for:draw:)``), and starts forwarding to it.
    func route(_ key: ServingKey, draw: UInt64?, context: ChannelHandlerContext) {
        let lease = draw.map { shared.routes.lease(for: key, draw: $0) } ?? shared.routes.lease(for: key)
        switch lease {
        case .unknown:
            let served = shared.routes.routedKeys().keys.filter { $0.model == key.model }.map(\.alias).sorted()
            let message =
                served.isEmpty
                ? "model '\(key.model)' is not served by this gateway"
                : "model '\(key.model)' has no served alias '\(key.alias)' (served: \(served.joined(separator: ", ")))"
            answer(.notFound(message, model: key.model, alias: key.alias), context: context)
        case .unavailable(let retryAfter):
            answer(.unavailable(model: key.model, alias: key.alias, retryAfter: retryAfter), context: context)
        case .target(let target):
            start(on: target, context: context)
        }
    }

    private func start(on target: UpstreamTarget, context: ChannelHandlerContext) {
        self.target = target
        leaseHeld = true
        phase = .forwarding
        shared.observer.requestStarted(on: target)
        guard let head = requestHead else { return }
        let upstreamHead = GatewayHeaders.upstreamRequest(head, path: path, upstreamHost: target.authority, clientAddress: clientAddress)
        parts.insert(.head(upstreamHead), at: 0)
        if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        attempts = 0
        obtainConnection(reuse: true, withinClientRead: true, context: context)
    }

    /// A pooled connection to the target, or a new one.
    /// `withinClientRead`: called while reading the client, whose read-burst flush sends the parts.
    func obtainConnection(reuse: Bool, withinClientRead: Bool = false, context: ChannelHandlerContext) {
        guard let target else { return }
        attempts += 1
        if reuse, let pooled = pool.checkOut(target) {
            attach(pooled, reused: true, flush: !withinClientRead, context: context)
            return
        }
        connecting = true
        let id = exchangeID
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pool.connect(to: target).whenComplete { result in
            let (handler, context) = bound.value
            handler.connected(result, exchange: id, target: target, context: context)
        }
    }

    private func connected(
        _ result: Result<UpstreamPool.Connection, any Error>, exchange id: Int, target: UpstreamTarget, context: ChannelHandlerContext
    ) {
        guard id == exchangeID, phase == .forwarding, self.target === target else {
            if case .success(let late) = result { late.channel.close(promise: nil) }
            return
        }
        connecting = false
        switch result {
        case .success(let connection):
            attach(connection, reused: false, flush: true, context: context)
        case .failure:
            shared.observer.upstreamConnectFailed(target)
            connectFailed(context: context)
        }
    }

    private func attach(_ connection: UpstreamPool.Connection, reused: Bool, flush: Bool, context: ChannelHandlerContext) {
        upstream = connection
        upstreamReused = reused
        connection.handler.exchange = self
        // Kept on every connection: a reused one may turn out closed, and an answer from a version whose
        // traffic was rolled back is not passed on when the request can go to the version back in place.
        retainSent = retainedBytes <= Self.replayLimit && !responseHeadSent
        sendPending()
        if flush {
            unflushed = false
            connection.handler.flushOut()
        }
        if readPending, !upstreamIsFull {
            readPending = false
            context.read()
        }
    }

    // MARK: Sending to the instance

    /// Sends `part` now, or keeps it until the connection is made.
    private func send(_ part: HTTPClientRequestPart, bytes: Int) {
        parts.append(part)
        retainedBytes += bytes
        if retainSent, retainedBytes > Self.replayLimit { retainSent = false }
        guard upstream != nil, !connecting else { return }
        sendPending()
    }

    private func sendPending() {
        guard let upstream else { return }
        while sentCount < parts.count {
            upstream.handler.send(parts[sentCount])
            sentCount += 1
            unflushed = true
        }
        if !retainSent {
            parts.removeAll(keepingCapacity: true)
            sentCount = 0
        }
    }

    /// Whether every part of the request so far can be sent again on a new connection.
    var canReplay: Bool {
        retainSent && !responseHeadSent && (parts.first.map { if case .head = $0 { true } else { false } } ?? false)
    }

    // MARK: Ending

    /// The gateway answers on its own; the rest of the request body is dropped.
    func answer(_ answer: GatewayAnswer, context: ChannelHandlerContext) {
        phase = .answeredLocally
        resumeClientReads(context: context)
        status = Int(answer.status.code)
        // A 502 or 504 for the instance holding the lease counts against it, as its own 5xx would.
        if leaseHeld, let target { target.recordAnswer(status: status) }
        responseHeadSent = true
        let version = requestHead?.version ?? .http1_1
        let body = answer.body
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.count))
        for (name, value) in answer.extraHeaders { headers.add(name: name, value: value) }
        let staysOpen = keepAlive && !closeAfterAnswer && !shared.registry.isStopping
        if !staysOpen {
            keepAlive = false
            headers.add(name: "connection", value: "close")
        }
        let isHead = requestHead?.method == .HEAD
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: answer.status, headers: headers))), promise: nil)
        if !isHead {
            responseBytes = body.count
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        writeEnd(trailers: nil, context: context)
    }

    /// Writes the answer's end; the exchange finishes once the request has ended too.
    func writeEnd(trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        let id = exchangeID
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { result in
            let (handler, context) = bound.value
            guard id == handler.exchangeID else { return }
            guard case .success = result else {
                context.close(promise: nil)
                return
            }
            handler.answerWritten = true
            handler.report()
            handler.finishIfDone(context: context)
        }
    }

    /// Both directions are complete: the connection waits for its next request, or closes.
    func finishIfDone(context: ChannelHandlerContext) {
        guard answerWritten else {
            if phase == .answeredLocally, closeAfterAnswer, requestEnded { context.close(promise: nil) }
            return
        }
        guard requestEnded else {
            if !keepAlive {
                // A large body the answer refused: stop reading it, and close soon.
                lingerThenClose(context: context)
            }
            return
        }
        phase = .idle
        if keepAlive {
            connection.responseWritten(context: context)
        } else {
            context.close(promise: nil)
        }
    }

    /// Half-closes toward the client so it reads the answer rather than a reset, and closes within two seconds.
    /// Reads the client again if reads were held back for the instance.
    func resumeClientReads(context: ChannelHandlerContext) {
        guard readPending else { return }
        readPending = false
        context.read()
    }

    private func lingerThenClose(context: ChannelHandlerContext) {
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    /// Counts the exchange once its answer is written (or it is given up).
    func report() {
        if let pair = shadowPair {
            shadowPair = nil
            pair.primaryAnswered(primaryAnswer())
        }
        let lease = leaseHeld ? target : nil
        leaseHeld = false
        lease?.release()
        shared.observer.requestFinished(
            GatewayRequestRecord(
                target: lease, model: model, alias: alias, method: requestHead?.method.rawValue ?? "", handler: handlerName,
                status: status, duration: Duration.nanoseconds((NIODeadline.now() - started).nanoseconds),
                requestBytes: requestBytes, responseBytes: responseBytes))
        target = nil
    }

    private func resetExchange() {
        phase = .idle
        requestHead = nil
        closeAfterAnswer = false
        target = nil
        leaseHeld = false
        model = ""
        alias = ""
        handlerName = "none"
        path = ""
        upstreamRequestEndedAt = nil
        requestEnded = false
        answerWritten = false
        requestBytes = 0
        responseBytes = 0
        status = 0
        responseHeadSent = false
        upstream = nil
        upstreamReused = false
        connecting = false
        attempts = 0
        upstreamKeepAlive = false
        parts.removeAll(keepingCapacity: true)
        sentCount = 0
        retainedBytes = 0
        retainSent = false
        shadowAlias = nil
        shadowBody.removeAll()
        shadowPair = nil
        primaryBody.removeAll()
        primaryBodyBytes = 0
        primaryComplete = false
    }
}
