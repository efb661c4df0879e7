import MLOpsKit
import NIOCore
import NIOHTTP1

/// Hands each complete request to the server's handler as an ``AutoserveHTTPRequest`` and writes its
/// ``AutoserveHTTPResponse`` back, keeping the connection open when the client asked for it.
///
/// The handler runs as a task of its own, off the event loop. When it has not answered within the
/// handler timeout, the client gets 503 and the task is cancelled; an answer after that is dropped.
final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = NIOHTTPServerRequestFull
    typealias OutboundOut = HTTPServerResponsePart

    private struct Pending {
        let task: Task<Void, Never>
        let timeout: Scheduled<Void>
        let head: HTTPRequestHead
    }

    private let handler: AutoserveHTTPServer.Handler
    private let connection: ConnectionGuard
    private let registry: ConnectionRegistry
    private let handlerTimeout: TimeAmount
    private var pending: Pending?

    init(
        handler: @escaping AutoserveHTTPServer.Handler, connection: ConnectionGuard, registry: ConnectionRegistry,
        handlerTimeout: TimeAmount
    ) {
        self.handler = handler
        self.connection = connection
        self.registry = registry
        self.handlerTimeout = handlerTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let full = unwrapInboundIn(data)
        connection.requestReceived(context: context)
        let request = Self.request(from: full)
        let promise = context.eventLoop.makePromise(of: AutoserveHTTPResponse.self)
        let handler = handler
        let task = Task { promise.succeed(await handler(request)) }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(in: handlerTimeout) {
            bound.value.respond(.plain(503, "request not answered in time"), context: boundContext.value)
        }
        pending = Pending(task: task, timeout: timeout, head: full.head)
        promise.futureResult.whenSuccess { response in
            bound.value.respond(response, context: boundContext.value)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let pending {
            pending.timeout.cancel()
            pending.task.cancel()
            self.pending = nil
        }
        context.fireChannelInactive()
    }

    /// Protocol errors were answered by the handlers before this one (400, 413): the connection cannot
    /// go on. Anything else (a reset) ends it too.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(_ response: AutoserveHTTPResponse, context: ChannelHandlerContext) {
        guard let pending else { return }
        self.pending = nil
        pending.timeout.cancel()
        pending.task.cancel()
        let keepAlive = pending.head.isKeepAlive && !registry.isStopping
        var headers = HTTPHeaders()
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) where Self.mayForward(name, value) {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: pending.head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if pending.head.method != .HEAD, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { result in
            guard case .success = result, keepAlive else {
                channel.close(promise: nil)
                return
            }
            let (handler, context) = bound.value
            handler.connection.responseWritten(context: context)
        }
    }

    /// The request as the routes see it: lower-cased header names, repeated ones joined with `, `.
    private static func request(from full: NIOHTTPServerRequestFull) -> AutoserveHTTPRequest {
        var headers: [String: String] = [:]
        for (name, value) in full.head.headers {
            let lowered = name.lowercased()
            headers[lowered] = headers[lowered].map { "\($0), \(value)" } ?? value
        }
        let body = full.body.map { Array($0.readableBytesView) } ?? []
        return AutoserveHTTPRequest(method: full.head.method.rawValue, target: full.head.uri, headers: headers, body: body)
    }

    /// Framing headers are the server's; a name or value with a line break is dropped, never sent split.
    private static func mayForward(_ name: String, _ value: String) -> Bool {
        let lowered = name.lowercased()
        guard lowered != "content-length", lowered != "connection", lowered != "transfer-encoding" else { return false }
        let isLineBreak = { (byte: UInt8) in byte == 0x0D || byte == 0x0A }
        return !name.isEmpty && !name.utf8.contains(where: isLineBreak) && !value.utf8.contains(where: isLineBreak)
    }
}

extension AutoserveHTTPResponse {
    /// A plain-text answer the server sends on its own.
    static func plain(_ status: Int, _ text: String) -> AutoserveHTTPResponse {
        AutoserveHTTPResponse(
            status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
    }
}
