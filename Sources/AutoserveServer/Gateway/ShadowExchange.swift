import MLOpsKit
import NIOCore
import NIOHTTP1

/// A copy of a request sent to a shadow instance, whose answer is kept (up to ``bodyLimit``) for the
/// comparison and never passed to a client. It uses the event loop's ``UpstreamPool`` like a client's
/// exchange, never waits on the primary and is never waited for: the primary's answer goes out as soon as
/// it arrives. It gives up after ``timeout``.
final class ShadowExchange: UpstreamExchange {
    /// The largest request or answer body a shadow copy carries.
    static let bodyLimit = 1 << 20
    /// How long the shadow instance may take to answer completely.
    static let timeout = TimeAmount.seconds(10)

    private let pool: UpstreamPool
    private let target: UpstreamTarget
    private let parts: [HTTPClientRequestPart]
    private let comparison: ShadowPair
    private var connection: UpstreamPool.Connection?
    private var timer: Scheduled<Void>?
    private var status = 0
    private var keepAlive = false
    private var body: [ByteBuffer] = []
    private var bodyBytes = 0
    private var finished = false
    /// The copy went out on a pooled connection: if the instance had closed it, it is sent once more.
    private var reused = false
    private var eventLoop: (any EventLoop)?

    /// A copy of `head` with `body` (complete) for `target`, on which the caller holds a lease that this
    /// exchange gives back when it ends.
    init(pool: UpstreamPool, target: UpstreamTarget, head: HTTPRequestHead, body: [ByteBuffer], comparison: ShadowPair) {
        self.pool = pool
        self.target = target
        self.comparison = comparison
        var head = head
        let length = body.reduce(0) { $0 + $1.readableBytes }
        head.headers.remove(name: "transfer-encoding")
        head.headers.replaceOrAdd(name: "content-length", value: String(length))
        head.headers.replaceOrAdd(name: "host", value: target.authority)
        self.parts = [.head(head)] + body.map { .body(.byteBuffer($0)) } + [.end(nil)]
    }

    /// Sends the copy on a pooled connection or a new one.
    func start(on eventLoop: any EventLoop) {
        pool.shadowStarted(self)
        self.eventLoop = eventLoop
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(in: Self.timeout) { bound.value.finish(.failed) }
        if let pooled = pool.checkOut(target) {
            reused = true
            attach(pooled)
            return
        }
        connect(on: eventLoop)
    }

    private func connect(on eventLoop: any EventLoop) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        pool.connect(to: target).whenComplete { result in
            let exchange = bound.value
            switch result {
            case .success(let connection):
                guard !exchange.finished else {
                    connection.channel.close(promise: nil)
                    return
                }
                exchange.attach(connection)
            case .failure:
                exchange.finish(.failed)
            }
        }
    }

    private func attach(_ connection: UpstreamPool.Connection) {
        self.connection = connection
        connection.handler.exchange = self
        for part in parts { connection.handler.send(part) }
        connection.handler.flushOut()
    }

    // MARK: UpstreamExchange

    var clientIsWritable: Bool { true }

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard !finished else { return }
        switch part {
        case .head(let head):
            status = Int(head.status.code)
            keepAlive = head.isKeepAlive
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes <= Self.bodyLimit { body.append(buffer) }
        case .end:
            guard bodyBytes <= Self.bodyLimit else {
                finish(.failed)
                return
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(bodyBytes)
            for buffer in body { bytes.append(contentsOf: buffer.readableBytesView) }
            finish(.answered(status: status, body: bytes), reusable: keepAlive)
        }
    }

    func upstreamReadComplete() {}

    func upstreamWritabilityChanged(isWritable: Bool) {}

    func upstreamFailed(_ error: (any Error)?) {
        if reused, status == 0, !finished, let eventLoop, let connection {
            // A kept-alive connection the instance closed as the copy went out: it reached no model.
            reused = false
            self.connection = nil
            connection.handler.exchange = nil
            connection.channel.close(promise: nil)
            connect(on: eventLoop)
            return
        }
        finish(.failed)
    }

    /// Ends the exchange once: the connection back to the pool (or closed), the lease given back, the
    /// answer to the comparison.
    func finish(_ answer: ShadowAnswer, reusable: Bool = false) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        if let connection {
            self.connection = nil
            connection.handler.exchange = nil
            if reusable {
                pool.checkIn(connection, for: target)
            } else {
                connection.channel.close(promise: nil)
            }
        }
        target.release()
        pool.shadowFinished(self)
        comparison.shadowAnswered(answer)
    }
}

/// The two answers of a shadowed request, compared (off the event loop) once both are in. Used on one
/// event loop.
final class ShadowPair {
    private let model: String
    private let alias: String
    private let shadow: String
    private let observer: any GatewayRequestObserver
    private var primary: ShadowAnswer?
    private var copy: ShadowAnswer?

    init(model: String, alias: String, shadow: String, observer: any GatewayRequestObserver) {
        self.model = model
        self.alias = alias
        self.shadow = shadow
        self.observer = observer
    }

    func primaryAnswered(_ answer: ShadowAnswer) {
        guard primary == nil else { return }
        primary = answer
        compareIfComplete()
    }

    func shadowAnswered(_ answer: ShadowAnswer) {
        guard copy == nil else { return }
        copy = answer
        compareIfComplete()
    }

    private func compareIfComplete() {
        guard let primary, let copy else { return }
        let (model, alias, shadow, observer) = (model, alias, shadow, observer)
        // Decoding up to 2 MiB of JSON is no work for an event loop.
        Task.detached {
            let result = ShadowComparison.compare(primary: primary, shadow: copy)
            observer.shadowCompared(model: model, alias: alias, shadow: shadow, result: result)
        }
    }
}
