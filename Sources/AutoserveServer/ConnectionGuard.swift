import NIOCore

/// The first handler of every connection, next to the socket: it sees the raw bytes both ways and owns
/// the connection's two clocks.
///
/// - While no request is in progress, the idle timeout runs; when it passes the connection is closed.
/// - The first byte of a request starts the request timeout, which covers the whole exchange: receiving
///   the request, the handler, and writing the response until the client has taken it. When it passes
///   the connection is closed, after a 408 if nothing of a response was sent yet.
///
/// ``RouteHandler`` reports when a request reaches the handler and when its response is written, which
/// ends the exchange and starts the idle clock again.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let registry: ConnectionRegistry
    private let idleTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private let timesAnswers: Bool
    private var phase = ConnectionRegistry.Phase.idle
    private var responseStarted = false
    private var timer: Scheduled<Void>?
    /// When the running clock passes; `nil` while none runs.
    private var deadline: NIODeadline?
    private let shortest: TimeAmount

    /// `timesAnswers` false: the request timeout covers only receiving the request (its head, for a
    /// handler that streams), and the handler keeps its own clocks once ``requestReceived(context:)``
    /// is called (the gateway, whose answers may stream for a long time).
    init(registry: ConnectionRegistry, idleTimeout: TimeAmount, requestTimeout: TimeAmount, timesAnswers: Bool = true) {
        self.registry = registry
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.timesAnswers = timesAnswers
        self.shortest = min(idleTimeout, requestTimeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(idleTimeout, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle { begin(.receiving, context: context) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        responseStarted = true
        context.write(data, promise: promise)
    }

    /// A complete request went to the handler (pipelined requests arrive without new bytes, so this also
    /// starts the exchange's clock when none runs).
    func requestReceived(context: ChannelHandlerContext) {
        if phase == .idle { begin(.answering, context: context) } else { move(to: .answering, context: context) }
        if !timesAnswers { deadline = nil }
    }

    /// The response's last byte was written: the exchange is over.
    func responseWritten(context: ChannelHandlerContext) {
        move(to: .idle, context: context)
        arm(idleTimeout, context: context)
    }

    private func begin(_ next: ConnectionRegistry.Phase, context: ChannelHandlerContext) {
        responseStarted = false
        move(to: next, context: context)
        arm(requestTimeout, context: context)
    }

    private func move(to next: ConnectionRegistry.Phase, context: ChannelHandlerContext) {
        phase = next
        registry.enter(next, context.channel)
    }

    /// Starts a clock that passes `amount` from now. The timer behind it is not rescheduled on every
    /// request: it fires at most the shortest timeout ahead, and when the clock has been moved on since,
    /// it is set again for what is left (so every clock still ends on time).
    private func arm(_ amount: TimeAmount, context: ChannelHandlerContext) {
        deadline = .now() + amount
        if timer == nil { schedule(context: context) }
    }

    private func schedule(context: ChannelHandlerContext) {
        guard let deadline else { return }
        let at = min(deadline, .now() + shortest)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: at) {
            bound.value.timerFired(context: boundContext.value)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        guard let deadline else { return }
        if deadline > .now() {
            schedule(context: context)
            return
        }
        self.deadline = nil
        timeoutPassed(context: context)
    }

    private func timeoutPassed(context: ChannelHandlerContext) {
        guard phase != .idle, !responseStarted else {
            context.close(promise: nil)
            return
        }
        responseStarted = true
        let status = phase == .receiving ? "408 Request Timeout" : "503 Service Unavailable"
        let text = phase == .receiving ? "request not received in time\n" : "request not answered in time\n"
        let head = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n"
        let buffer = context.channel.allocator.buffer(string: head + text)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
