import MLOpsKit
import NIOCore
import NIOHTTP1

/// Shadow copies: a request for an alias with a shadow rule (``GatewayRouteTable/setShadows(_:)``) is
/// copied, once its body is complete, to the shadow alias of the same model, and both answers are
/// compared when both are in. The primary's exchange never waits for the copy.
extension GatewayRequestHandler {
    /// Keeps a piece of the request body for the copy, or gives the copy up past the limit.
    func keepForShadow(_ buffer: ByteBuffer) {
        guard requestBytes <= ShadowExchange.bodyLimit else {
            shadowAlias = nil
            shadowBody.removeAll()
            // Counted only when a copy would have gone out.
            if let target = shared.routes.shadowLease(for: ServingKey(model: model, alias: alias)) {
                target.release()
                shared.observer.shadowCompared(model: model, alias: alias, shadow: target.key.alias, result: .error)
            }
            return
        }
        shadowBody.append(buffer)
    }

    /// The request is complete: sends its copy to the shadow instance, unless too many are in flight.
    func sendShadowCopy(context: ChannelHandlerContext) {
        shadowAlias = nil
        let body = shadowBody
        shadowBody.removeAll()
        guard let head = requestHead, !answerWritten,
            let target = shared.routes.shadowLease(for: ServingKey(model: model, alias: alias))
        else { return }
        guard pool.shadowHasRoom else {
            target.release()
            shared.observer.shadowDropped(model: model, alias: alias, shadow: target.key.alias)
            return
        }
        let pair = ShadowPair(model: model, alias: alias, shadow: target.key.alias, observer: shared.observer)
        shadowPair = pair
        let upstreamHead = GatewayHeaders.upstreamRequest(head, path: path, upstreamHost: target.authority, clientAddress: clientAddress)
        ShadowExchange(pool: pool, target: target, head: upstreamHead, body: body, comparison: pair).start(on: context.eventLoop)
    }

    /// Keeps a piece of the primary's answer for the comparison (by reference, up to the limit).
    func keepPrimaryAnswer(_ buffer: ByteBuffer) {
        primaryBodyBytes += buffer.readableBytes
        if primaryBodyBytes <= ShadowExchange.bodyLimit { primaryBody.append(buffer) } else { primaryBody.removeAll() }
    }

    /// The primary's answer as the comparison takes it.
    func primaryAnswer() -> ShadowAnswer {
        guard primaryComplete, answerWritten, primaryBodyBytes <= ShadowExchange.bodyLimit else { return .failed }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(primaryBodyBytes)
        for buffer in primaryBody { bytes.append(contentsOf: buffer.readableBytesView) }
        primaryBody.removeAll()
        return .answered(status: status, body: bytes)
    }
}
