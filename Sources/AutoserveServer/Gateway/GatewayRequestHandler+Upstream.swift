import MLOpsKit
import NIOCore
import NIOHTTP1

extension GatewayRequestHandler: UpstreamExchange {
    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard let context, phase == .forwarding else { return }
        switch part {
        case .head(let head):
            if let target {
                if head.status.code >= 500, target.isRolledBack, canReplay, resendAfterRollback(from: target, context: context) {
                    return
                }
                // Counted at the head, before it is passed on: the answer that decides a rollback is the
                // last 5xx of that version a client gets.
                target.recordAnswer(status: Int(head.status.code))
            }
            responseHeadSent = true
            status = Int(head.status.code)
            upstreamKeepAlive = head.isKeepAlive
            // Nothing is sent twice once an answer began.
            retainSent = false
            parts.removeAll(keepingCapacity: true)
            sentCount = 0
            let version = requestHead?.version ?? .http1_1
            let framed = head.headers.contains(name: "content-length") || version != .http1_0
            if shared.registry.isStopping || !framed { keepAlive = false }
            context.write(
                wrapOutboundOut(.head(GatewayHeaders.clientResponse(head, version: version, keepAlive: keepAlive))),
                promise: nil)
        case .body(let buffer):
            responseBytes += buffer.readableBytes
            if shadowPair != nil || shadowAlias != nil { keepPrimaryAnswer(buffer) }
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let trailers):
            primaryComplete = true
            releaseUpstream(reusable: upstreamKeepAlive && upstreamRequestEndedAt != nil)
            if !requestEnded { resumeClientReads(context: context) }
            writeEnd(trailers: trailers, context: context)
        }
    }

    func upstreamReadComplete() {
        guard let context, phase == .forwarding else { return }
        lastProgress = .now()
        context.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        guard isWritable, let context else { return }
        resumeClientReads(context: context)
    }

    func upstreamFailed(_ error: (any Error)?) {
        guard let context, phase == .forwarding else { return }
        let wasReused = upstreamReused
        releaseUpstream(reusable: false)
        guard let target else { return }
        if responseHeadSent {
            // Part of the answer went out: the client must see it cut, not complete.
            shared.observer.upstreamFailed(target, kind: error is HTTPParserError ? .protocol : .reset)
            abandon(status: status)
            context.close(promise: nil)
            return
        }
        if wasReused, canReplay {
            // The instance closed a kept-alive connection as the request went out: it reached no model.
            sentCount = 0
            obtainConnection(reuse: false, context: context)
            return
        }
        shared.observer.upstreamFailed(target, kind: error is HTTPParserError ? .protocol : .reset)
        if !requestEnded { keepAlive = false }
        answer(
            .badGateway(
                "the instance of \(model)/\(alias) (version \(target.version)) closed the connection without answering",
                model: model, alias: alias), context: context)
    }

    /// `target` answered 5xx after traffic went back from it: the request goes to the instance the key is
    /// routed to now instead, and this answer is dropped. `false` when there is nothing else to send it to.
    private func resendAfterRollback(from target: UpstreamTarget, context: ChannelHandlerContext) -> Bool {
        guard case .target(let next) = shared.routes.lease(for: target.key) else { return false }
        guard next !== target else {
            next.release()
            return false
        }
        releaseUpstream(reusable: false)
        releaseFailedAttempt()
        self.target = next
        leaseHeld = true
        shared.observer.requestStarted(on: next)
        retarget(to: next)
        attempts = 0
        obtainConnection(reuse: true, context: context)
        return true
    }

    /// The connection could not be made: once more, then on whatever serves the key now, then 502/503.
    func connectFailed(context: ChannelHandlerContext) {
        guard let target else { return }
        if attempts < 2 {
            obtainConnection(reuse: false, context: context)
            return
        }
        // The key may have moved on to another instance meanwhile: nothing was sent, so send it there.
        releaseFailedAttempt()
        let key = target.key
        if attempts < 4, case .target(let next) = shared.routes.lease(for: key) {
            if next !== target {
                self.target = next
                leaseHeld = true
                shared.observer.requestStarted(on: next)
                retarget(to: next)
                obtainConnection(reuse: true, context: context)
                return
            }
            next.release()
        }
        self.target = nil
        if !requestEnded { keepAlive = false }
        switch shared.routes.lease(for: key) {
        case .target(let current):
            current.release()
            answer(
                .badGateway(
                    "the instance of \(key.model)/\(key.alias) (version \(target.version)) refused the connection",
                    model: key.model, alias: key.alias), context: context)
        case .unavailable(let retryAfter):
            answer(.unavailable(model: key.model, alias: key.alias, retryAfter: retryAfter), context: context)
        case .unknown:
            answer(.notFound("model '\(key.model)' alias '\(key.alias)' is no longer served", model: key.model, alias: key.alias), context: context)
        }
    }

    /// Gives the exchange up (the client left, or the answer was cut): counted with `status`.
    func abandon(status: Int) {
        releaseUpstream(reusable: false)
        self.status = status
        if !answerWritten, leaseHeld || phase == .forwarding { report() }
        phase = .idle
    }

    /// Counts a failed attempt's lease as given back without ending the exchange.
    private func releaseFailedAttempt() {
        guard leaseHeld, let target else { return }
        leaseHeld = false
        target.release()
        shared.observer.requestFinished(
            GatewayRequestRecord(
                target: target, model: model, alias: alias, method: requestHead?.method.rawValue ?? "",
                handler: handlerName, status: 0, duration: Duration.nanoseconds((NIODeadline.now() - started).nanoseconds),
                requestBytes: 0, responseBytes: 0))
    }

    /// The head already queued names the old instance as `Host`: name the new one.
    private func retarget(to next: UpstreamTarget) {
        guard case .head(var head) = parts.first else { return }
        head.headers.replaceOrAdd(name: "host", value: next.authority)
        parts[0] = .head(head)
        sentCount = 0
    }

    /// Puts the connection back in the pool, or closes it.
    func releaseUpstream(reusable: Bool) {
        guard let upstream else { return }
        self.upstream = nil
        upstream.handler.exchange = nil
        if reusable, let target {
            pool.checkIn(upstream, for: target)
        } else {
            upstream.channel.close(promise: nil)
        }
    }

    // MARK: Timeouts

    /// One timer per connection, not per request: it fires at most the shorter of the two timeouts
    /// ahead and checks the exchange's clock then: waiting for the instance's answer
    /// (``GatewayServer/Configuration/upstreamResponseTimeout``), otherwise no byte moving either way
    /// (``GatewayServer/Configuration/progressTimeout``). Between requests it lapses.
    func armTimer(context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let configuration = shared.configuration
        let shortest = TimeAmount(min(configuration.progressTimeout, configuration.upstreamResponseTimeout))
        let at = min(currentDeadline(), .now() + shortest)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: at) {
            let (handler, context) = bound.value
            handler.timer = nil
            handler.timerFired(context: context)
        }
    }

    private var awaitingAnswer: Bool {
        phase == .forwarding && upstreamRequestEndedAt != nil && !responseHeadSent
    }

    private func currentDeadline() -> NIODeadline {
        if awaitingAnswer, let sent = upstreamRequestEndedAt {
            return sent + TimeAmount(shared.configuration.upstreamResponseTimeout)
        }
        return lastProgress + TimeAmount(shared.configuration.progressTimeout)
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard phase != .idle else { return }
        if currentDeadline() > .now() {
            armTimer(context: context)
            return
        }
        if awaitingAnswer, let target {
            shared.observer.upstreamFailed(target, kind: .timeout)
            releaseUpstream(reusable: false)
            answer(
                .gatewayTimeout(
                    "the instance of \(model)/\(alias) (version \(target.version)) did not answer within \(shared.configuration.upstreamResponseTimeout)",
                    model: model, alias: alias), context: context)
            return
        }
        if phase == .forwarding, !responseHeadSent {
            releaseUpstream(reusable: false)
            keepAlive = false
            closeAfterAnswer = true
            answer(.requestTimeout(), context: context)
            return
        }
        if phase == .forwarding { abandon(status: status) }
        context.close(promise: nil)
    }

    /// The request body passed the limit while streaming.
    func bodyTooLarge(context: ChannelHandlerContext) {
        releaseUpstream(reusable: false)
        guard !responseHeadSent else {
            abandon(status: status)
            context.close(promise: nil)
            return
        }
        closeAfterAnswer = true
        keepAlive = false
        answer(.tooLarge(limit: shared.configuration.maximumBodyBytes), context: context)
    }
}
