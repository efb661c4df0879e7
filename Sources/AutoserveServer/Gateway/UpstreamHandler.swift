import NIOCore
import NIOHTTP1

/// What an upstream connection reports to the exchange using it; called on the connection's event loop,
/// which is also the client connection's.
protocol UpstreamExchange: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    /// The connection closed or failed before the exchange released it.
    func upstreamFailed(_ error: (any Error)?)
    /// Whether the client can take more of the answer now; while it cannot, the upstream is not read.
    var clientIsWritable: Bool { get }
}

/// The last handler of a connection to a model server: it passes the answer to the exchange that holds
/// the connection, and holds back reads while the client is slower than the model server.
///
/// An idle connection (in the pool, no exchange) that receives anything or closes is dropped from the
/// pool: a model server that sends unasked bytes, or closes a keep-alive connection, must not be reused.
final class UpstreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange using the connection; `nil` while it is idle.
    weak var exchange: (any UpstreamExchange)?
    /// The pool holding the connection while it is idle, and the target it is kept for.
    weak var pool: UpstreamPool?
    var pooledFor: ObjectIdentifier?
    private(set) var context: ChannelHandlerContext?
    private var readPending = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let exchange else {
            loseWhileIdle(context: context)
            return
        }
        exchange.upstreamReceived(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange {
            self.exchange = nil
            exchange.upstreamFailed(nil)
        } else {
            loseWhileIdle(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let exchange {
            self.exchange = nil
            exchange.upstreamFailed(error)
        }
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if let exchange, !exchange.clientIsWritable {
            readPending = true
            return
        }
        context.read()
    }

    /// Writes a part of the request (sent on ``flushOut()``).
    func send(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flushOut() {
        context?.flush()
    }

    /// The client can take more: read what was held back.
    func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    private func loseWhileIdle(context: ChannelHandlerContext) {
        if let pool, let target = pooledFor {
            pooledFor = nil
            pool.remove(context.channel, of: target)
        }
        context.close(promise: nil)
    }
}
