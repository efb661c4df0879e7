import MLOpsCore
import MLOpsServing
import Prometheus
import Synchronization

/// The request metrics of the agent's serving gateway, fed by its data plane as a
/// ``GatewayRequestObserver``.
///
/// The first three families keep the names, labels and buckets of the original model server's
/// instrumentation (prometheus-fastapi-instrumentator's defaults), so the original dashboards and
/// alerts keep working; the model server's own labels `model`, `alias` and `version` are added.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `http_requests_total` | counter | `model`, `alias`, `version`, `method`, `handler`, `status` |
/// | `http_request_duration_highr_seconds` | histogram | none (``highResolutionBuckets``) |
/// | `http_request_duration_seconds` | histogram | `model`, `alias`, `version`, `method`, `handler` (``durationBuckets``) |
/// | `autoserve_gateway_requests_in_flight` | gauge | `model`, `alias`, `version` |
/// | `autoserve_gateway_upstream_connect_errors_total` | counter | `model`, `alias`, `version` |
/// | `autoserve_gateway_upstream_errors_total` | counter | `model`, `alias`, `version`, `kind` (`reset`, `timeout`, `protocol`) |
/// | `autoserve_gateway_request_bytes_total` | counter | `model`, `alias`, `version` |
/// | `autoserve_gateway_response_bytes_total` | counter | `model`, `alias`, `version` |
/// | `autoserve_gateway_canary_basis_points` | gauge | `model`, `alias`, `canary` |
/// | `autoserve_shadow_comparisons_total` | counter | `model`, `alias`, `shadow`, `result` (`agree`, `disagree`, `error`) |
/// | `autoserve_shadow_requests_dropped_total` | counter | `model`, `alias`, `shadow` |
///
/// `status` is grouped as the instrumentation groups it: `2xx`, `3xx`, `4xx`, `5xx` (the first digit and
/// `xx`). The original alerts select errors with `status=~"5.."`; Prometheus anchors the regular
/// expression to the whole value and `.` matches any character, so `5..` matches the three characters
/// `5xx` (and would match `503` too). A request whose client left before any answer (status 0) is not
/// counted in `http_requests_total`, but its duration and bytes are recorded.
///
/// Requests the gateway answers itself (no instance: 404, 405, 413, 503) count in `http_requests_total`
/// and both duration histograms with `version` empty and `model` and `alias` as requested (empty when
/// the route named none); at most ``unroutedLabelSetLimit`` label sets of such requests are kept, since
/// a client chooses the model and alias of a 404, and the requests beyond that count with `model` and
/// `alias` empty. `method` is the request's method when it is a standard one and `other` otherwise, for
/// the same reason.
///
/// Each family always has the same label names, buckets and help text, and the unlabelled histogram is
/// registered once and never removed, so the registry never sees a conflicting registration. Use one
/// `GatewayMetrics` per registry: ``forget(_:)`` removes series from the registry, whoever made them.
///
/// The data plane calls it on its event loops for every request: a finished request costs one lock and
/// one dictionary lookup keyed by the target's identity, the method, the handler and the status class;
/// label lists are built only the first time a combination is seen.
public final class GatewayMetrics: GatewayRequestObserver, Sendable {
    /// The metric names.
    public enum Names {
        public static let requests = "http_requests_total"
        public static let durationHighResolution = "http_request_duration_highr_seconds"
        public static let duration = "http_request_duration_seconds"
        public static let inFlight = "autoserve_gateway_requests_in_flight"
        public static let connectErrors = "autoserve_gateway_upstream_connect_errors_total"
        public static let upstreamErrors = "autoserve_gateway_upstream_errors_total"
        public static let requestBytes = "autoserve_gateway_request_bytes_total"
        public static let responseBytes = "autoserve_gateway_response_bytes_total"
        public static let shadowComparisons = "autoserve_shadow_comparisons_total"
        public static let shadowDropped = "autoserve_shadow_requests_dropped_total"
        public static let canaryBasisPoints = "autoserve_gateway_canary_basis_points"
    }

    /// Bucket bounds of `http_request_duration_highr_seconds`, the instrumentation's defaults.
    public static let highResolutionBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(75), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .milliseconds(750), .seconds(1), .milliseconds(1500), .seconds(2),
        .milliseconds(2500), .seconds(3), .milliseconds(3500), .seconds(4), .milliseconds(4500), .seconds(5),
        .milliseconds(7500), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Bucket bounds of `http_request_duration_seconds`, the instrumentation's defaults.
    public static let durationBuckets: [Duration] = [.milliseconds(100), .milliseconds(500), .seconds(1)]

    /// The default of ``unroutedLabelSetLimit``.
    public static let defaultUnroutedLabelSetLimit = 256

    /// The registry the series live in.
    public let registry: PrometheusCollectorRegistry

    /// How many label sets (model, alias, method, handler, status) of requests the gateway answered
    /// itself are kept apart; beyond it, such requests count with `model` and `alias` empty.
    public let unroutedLabelSetLimit: Int

    private let highResolution: DurationHistogram
    private let state = Mutex(State())

    /// Registers the gateway's series in `registry`, the one behind the agent's `/metrics`, so that one
    /// scrape has everything.
    ///
    /// - Parameters:
    ///   - registry: Where the series are registered.
    ///   - unroutedLabelSetLimit: The most label sets kept for requests the gateway answered itself.
    public init(registry: PrometheusCollectorRegistry, unroutedLabelSetLimit: Int = defaultUnroutedLabelSetLimit) {
        self.registry = registry
        self.unroutedLabelSetLimit = max(0, unroutedLabelSetLimit)
        highResolution = registry.durationHistogram(Names.durationHighResolution, buckets: Self.highResolutionBuckets,
            help: Help.durationHighResolution)
    }

    // MARK: GatewayRequestObserver

    public func requestStarted(on target: UpstreamTarget) {
        let series = state.withLock { state in targetSeries(for: target, in: &state) }
        series.inFlight.increment()
    }

    public func requestFinished(_ record: GatewayRequestRecord) {
        let statusClass = StatusClass(record.status)
        let method = Self.methodLabel(record.method)
        highResolution.record(record.duration)
        guard let target = record.target else {
            let series = state.withLock { state in unroutedSeries(for: record, method: method, status: statusClass, in: &state) }
            series.requests?.increment()
            series.duration.record(record.duration)
            return
        }
        // The alias asked for, with the version that answered: a canary's answers count under the
        // primary alias and the canary's version.
        let key = RoutedKey(
            target: ObjectIdentifier(target), alias: record.alias.isEmpty ? target.key.alias : record.alias,
            request: RequestKey(method: method, handler: record.handler, status: statusClass))
        let (requests, isNew) = state.withLock { state in
            if let requests = state.routed[key] { return (requests, false) }
            let isNew = state.targets[key.target] == nil
            let series = targetSeries(for: target, in: &state)
            let requests = makeRequestSeries(
                model: target.key.model, alias: key.alias, version: target.version, key: key.request, target: series)
            state.routed[key] = requests
            return (requests, isNew)
        }
        requests.requests?.increment()
        requests.duration.record(record.duration)
        guard let series = requests.target else { return }
        series.requestBytes.increment(by: Int64(max(0, record.requestBytes)))
        series.responseBytes.increment(by: Int64(max(0, record.responseBytes)))
        // A target seen first here was forgotten while the request was in flight: its new gauge never
        // counted the request.
        if !isNew { series.inFlight.decrement() }
    }

    public func upstreamConnectFailed(_ target: UpstreamTarget) {
        let series = state.withLock { state in targetSeries(for: target, in: &state) }
        series.connectErrors.increment()
    }

    public func upstreamFailed(_ target: UpstreamTarget, kind: GatewayUpstreamFailure) {
        let series = state.withLock { state in targetSeries(for: target, in: &state) }
        series.upstreamErrors(kind).increment()
    }

    public func shadowCompared(model: String, alias: String, shadow: String, result: ShadowComparisonResult) {
        shadowCounter(ShadowKey(model: model, alias: alias, shadow: shadow, result: result)).increment()
    }

    public func shadowDropped(model: String, alias: String, shadow: String) {
        shadowCounter(ShadowKey(model: model, alias: alias, shadow: shadow, result: nil)).increment()
    }

    /// Sets `autoserve_gateway_canary_basis_points` to the canary splits in effect: one series per model
    /// with both aliases of a rule served, removed when the split no longer applies. Pass it to
    /// ``GatewayRouteTable/init(canaries:shadows:onCanaries:)``.
    public func publishCanaries(_ active: Set<ActiveCanary>) {
        let registry = registry
        state.withLock { state in
            for (split, gauge) in state.canaries where !active.contains(split) {
                registry.unregisterGauge(gauge)
                state.canaries[split] = nil
            }
            for split in active where state.canaries[split] == nil {
                let gauge = registry.gauge(
                    Names.canaryBasisPoints,
                    labels: [("model", split.model), ("alias", split.rule.primary), ("canary", split.rule.canary)],
                    help: Help.canaryBasisPoints)
                gauge.set(to: Double(split.rule.basisPoints))
                state.canaries[split] = gauge
            }
        }
    }

    /// The comparison (or, without a result, the drop) counter of a shadow rule's model and aliases.
    /// Only served keys have shadows, so the label sets are bounded by the served ones.
    private func shadowCounter(_ key: ShadowKey) -> Counter {
        let registry = registry
        return state.withLock { state in
            if let counter = state.shadows[key] { return counter }
            let labels = [("model", key.model), ("alias", key.alias), ("shadow", key.shadow)]
            let counter =
                key.result.map {
                    registry.counter(Names.shadowComparisons, labels: labels + [("result", $0.rawValue)], help: Help.shadowComparisons)
                } ?? registry.counter(Names.shadowDropped, labels: labels, help: Help.shadowDropped)
            state.shadows[key] = counter
            return counter
        }
    }

    // MARK: Retirement

    /// Removes the series of a retired instance from the registry.
    ///
    /// The agent calls it a few minutes after the instance was retired (drained and stopped), so that
    /// the last values have been scraped and `rate()` over the final interval still sees them. A request
    /// reported on `target` after this creates its series again. When another target still in use has
    /// the same model, alias and version (an instance restarted or replaced with the same version), the
    /// series are shared and stay, and are removed when that target is forgotten.
    public func forget(_ target: UpstreamTarget) {
        let registry = registry
        state.withLock { state in
            let id = ObjectIdentifier(target)
            guard let entry = state.targets.removeValue(forKey: id) else { return }
            let requests = state.routed.filter { $0.key.target == id }
            for key in requests.keys { state.routed[key] = nil }
            // Request series carry the requested alias and the version: another target of the same model
            // and version (a restart, or the other side of a canary split) may share them. They are
            // handed over to it, so that forgetting it removes them.
            let sharing = state.targets.first {
                $0.value.labels.model == entry.labels.model && $0.value.labels.version == entry.labels.version
            }
            for (key, series) in requests {
                guard let (otherID, other) = sharing else {
                    series.unregister(from: registry)
                    continue
                }
                let moved = RoutedKey(target: otherID, alias: key.alias, request: key.request)
                if state.routed[moved] == nil {
                    state.routed[moved] = RequestSeries(requests: series.requests, duration: series.duration, target: other.series)
                }
            }
            // Same label values, so the same registry series: they stay for the other target.
            if !state.targets.values.contains(where: { $0.labels == entry.labels }) {
                entry.series.unregister(from: registry)
            }
        }
    }

    // MARK: Series

    /// The series of `target`, created (and registered) on first sight.
    private func targetSeries(for target: UpstreamTarget, in state: inout State) -> TargetSeries {
        let id = ObjectIdentifier(target)
        if let series = state.targets[id]?.series { return series }
        let labels = TargetLabels(model: target.key.model, alias: target.key.alias, version: target.version)
        let series = TargetSeries(labels: labels, registry: registry)
        state.targets[id] = TargetEntry(target: target, labels: labels, series: series)
        return series
    }

    /// The series of a request the gateway answered itself, created on first sight.
    private func unroutedSeries(
        for record: GatewayRequestRecord, method: String, status: StatusClass, in state: inout State
    ) -> RequestSeries {
        var key = UnroutedKey(
            model: record.model, alias: record.alias,
            request: RequestKey(method: method, handler: record.handler, status: status))
        if let series = state.unrouted[key] { return series }
        if state.unrouted.count >= unroutedLabelSetLimit {
            key.model = ""
            key.alias = ""
            if let series = state.unrouted[key] { return series }
        }
        let series = makeRequestSeries(model: key.model, alias: key.alias, version: "", key: key.request, target: nil)
        state.unrouted[key] = series
        return series
    }

    private func makeRequestSeries(
        model: String, alias: String, version: String, key: RequestKey, target: TargetSeries?
    ) -> RequestSeries {
        let labels = [("model", model), ("alias", alias), ("version", version), ("method", key.method), ("handler", key.handler)]
        let requests = key.status.label.map { status in
            registry.counter(Names.requests, labels: labels + [("status", status)], help: Help.requests)
        }
        let duration = registry.durationHistogram(Names.duration, labels: labels, buckets: Self.durationBuckets,
            help: Help.duration)
        return RequestSeries(requests: requests, duration: duration, target: target)
    }

    /// `method` when it is a standard HTTP method, else `other`: a client chooses it.
    static func methodLabel(_ method: String) -> String {
        switch method {
        case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT": method
        default: "other"
        }
    }
}
