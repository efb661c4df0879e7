import MLOpsCore
import MLOpsMLflow
import MLOpsServing
import Synchronization

/// Requests and 5xx answers per (model, alias) through the gateway, for `/status`: the gateway's URL of
/// each key, and its request rate and error ratio over about the last minute.
///
/// Counts are cumulative; ``summary(for:)`` compares them with a sample at least a minute old (or the
/// oldest one kept, before a minute has passed), taking a new sample at most every five seconds.
public final class GatewayTrafficSummary: GatewayRequestObserver {
    /// One key's figures.
    public struct Figures: Sendable, Equatable {
        public var requestsPerSecond: Double
        /// The share of 5xx answers (0 when there was no request).
        public var errorRatio: Double
    }

    private struct Counts: Sendable, Equatable {
        var requests = 0
        var errors = 0
    }

    private struct Sample: Sendable {
        let at: ServingClock.Instant
        let counts: [ServingKey: Counts]
    }

    private struct State: Sendable {
        var counts: [ServingKey: Counts] = [:]
        var samples: [Sample] = []
    }

    private let clock: ServingClock
    private let state = Mutex(State())
    private let base: Mutex<String>

    public init(baseURL: String, clock: ServingClock = .system) {
        self.base = Mutex(baseURL)
        self.clock = clock
    }

    /// The gateway's base URL (`http://127.0.0.1:9102`).
    public var baseURL: String { base.withLock { $0 } }

    /// The gateway bound `address` (`HOST:PORT`, as ``GatewayServer`` reports it): a wildcard host is
    /// shown as loopback, where clients on this host reach it.
    public func gatewayBound(to address: String) {
        var shown = address
        if shown.hasPrefix("0.0.0.0:") { shown = "127.0.0.1:" + shown.dropFirst("0.0.0.0:".count) }
        if shown.hasPrefix("[::]:") { shown = "[::1]:" + shown.dropFirst("[::]:".count) }
        base.withLock { $0 = "http://\(shown)" }
    }

    /// The stable route of `key` on the gateway, such as `http://127.0.0.1:9102/models/iris/Production`.
    public func url(for key: ServingKey) -> String {
        "\(baseURL)/models/\(PercentEncoding.encode(key.model))/\(PercentEncoding.encode(key.alias))"
    }

    /// Each key's figures over about the last minute (keys with no request at all are absent).
    public func summary() -> [ServingKey: Figures] {
        let now = clock.now
        return state.withLock { state in
            if state.samples.last.map({ now - $0.at >= .seconds(5) }) ?? true {
                state.samples.append(Sample(at: now, counts: state.counts))
            }
            // Keep one sample at least a minute old as the baseline, and the ones after it.
            while state.samples.count > 1, now - state.samples[1].at >= .seconds(60) { state.samples.removeFirst() }
            guard let baseline = state.samples.first else { return [:] }
            let elapsed = now - baseline.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            var figures: [ServingKey: Figures] = [:]
            for (key, counts) in state.counts {
                let before = baseline.counts[key] ?? Counts()
                let requests = counts.requests - before.requests
                let errors = counts.errors - before.errors
                figures[key] = Figures(
                    requestsPerSecond: seconds > 0 ? Double(requests) / seconds : 0,
                    errorRatio: requests > 0 ? Double(errors) / Double(requests) : 0)
            }
            return figures
        }
    }

    // MARK: GatewayRequestObserver

    public func requestStarted(on target: UpstreamTarget) {}

    public func requestFinished(_ record: GatewayRequestRecord) {
        guard record.status != 0, !record.model.isEmpty, !record.alias.isEmpty else { return }
        let key = ServingKey(model: record.model, alias: record.alias)
        let isError = record.status >= 500
        state.withLock { state in
            // Only keys the gateway routes count: a client's made-up names must not grow the table.
            guard record.target != nil || state.counts[key] != nil else { return }
            state.counts[key, default: Counts()].requests += 1
            if isError { state.counts[key, default: Counts()].errors += 1 }
        }
    }

    public func upstreamConnectFailed(_ target: UpstreamTarget) {}
    public func upstreamFailed(_ target: UpstreamTarget, kind: GatewayUpstreamFailure) {}
}

/// Reports to several observers in turn.
public struct GatewayRequestObservers: GatewayRequestObserver {
    public let observers: [any GatewayRequestObserver]

    public init(_ observers: [any GatewayRequestObserver]) {
        self.observers = observers
    }

    public func requestStarted(on target: UpstreamTarget) { for observer in observers { observer.requestStarted(on: target) } }
    public func requestFinished(_ record: GatewayRequestRecord) { for observer in observers { observer.requestFinished(record) } }
    public func upstreamConnectFailed(_ target: UpstreamTarget) { for observer in observers { observer.upstreamConnectFailed(target) } }
    public func upstreamFailed(_ target: UpstreamTarget, kind: GatewayUpstreamFailure) {
        for observer in observers { observer.upstreamFailed(target, kind: kind) }
    }
}
