import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Prometheus
import Synchronization

/// The agent's own metrics (prefix `autoserve_`), fed by the reconciler as an ``AutoserveObserver`` and by
/// the webhook receiver through ``recordWebhookEvent(_:result:)``.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `autoserve_instances` | gauge | `state` (Ready, Progressing, Degraded) |
/// | `autoserve_desired_version`, `autoserve_serving_version` | gauge | `model`, `alias` |
/// | `autoserve_version_drift` | gauge | `model`, `alias` |
/// | `autoserve_rollouts_total` | counter | `outcome` (success, failed) |
/// | `autoserve_rollout_duration_seconds` | histogram | |
/// | `autoserve_propagation_seconds` | histogram | |
/// | `autoserve_instance_restarts_total` | counter | |
/// | `autoserve_reconcile_total` | counter | `result` (success, error) |
/// | `autoserve_reconcile_duration_seconds` | histogram | |
/// | `autoserve_registry_requests_total` | counter | |
/// | `autoserve_last_successful_sync_timestamp_seconds` | gauge | |
/// | `autoserve_webhook_events_total` | counter | `event`, `result` |
/// | `autoserve_agent_info` | gauge | `runtime`, `version` |
///
/// Version gauges hold the MLflow version number; the series of a key that is no longer served are
/// removed.
public final class AutoserveMetrics: AutoserveObserver, Sendable {
    /// The registry the series live in.
    public let registry: PrometheusCollectorRegistry

    /// Bucket bounds of the rollout and propagation histograms: model servers take seconds to minutes.
    public static let rolloutBuckets: [Duration] = [
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300), .seconds(600),
    ]
    /// Bucket bounds of the reconcile histogram: a resync is two registry reads and a runtime listing.
    public static let reconcileBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    private let instances: [ServingState: Gauge]
    private let rollouts: [Bool: Counter]
    private let rolloutDuration: DurationHistogram
    private let propagation: DurationHistogram
    private let restarts: Counter
    private let reconciles: [Bool: Counter]
    private let reconcileDuration: DurationHistogram
    private let registryRequests: Counter
    private let lastSuccessfulSync: Gauge
    private let clock: ServingClock

    private struct KeySeries: Sendable {
        var desired: Gauge?
        var serving: Gauge?
        var drift: Gauge
    }

    private struct State: Sendable {
        var keys: [ServingKey: KeySeries] = [:]
        var webhookEvents: [String: Counter] = [:]
    }

    private let state = Mutex(State())

    /// Registers the agent's series in `registry`.
    ///
    /// - Parameters:
    ///   - runtime: The serving runtime's name, for `autoserve_agent_info`.
    ///   - version: The agent's version, for `autoserve_agent_info`.
    public init(
        registry: PrometheusCollectorRegistry, runtime: String, version: String = MLOpsKitVersion.current,
        clock: ServingClock = .system
    ) {
        self.registry = registry
        self.clock = clock
        registry.gauge("autoserve_agent_info", labels: [("runtime", runtime), ("version", version)],
            help: "Always 1; the labels name the agent's serving runtime and version."
        ).set(to: 1)
        var instances: [ServingState: Gauge] = [:]
        for state in [ServingState.ready, .progressing, .degraded] {
            instances[state] = registry.gauge("autoserve_instances", labels: [("state", state.rawValue)],
                help: "Serving keys (model and alias) by state.")
        }
        self.instances = instances
        var rollouts: [Bool: Counter] = [:]
        for succeeded in [true, false] {
            rollouts[succeeded] = registry.counter("autoserve_rollouts_total", labels: [("outcome", succeeded ? "success" : "failed")],
                help: "Finished rollouts (create or replace) by outcome.")
        }
        self.rollouts = rollouts
        rolloutDuration = registry.durationHistogram("autoserve_rollout_duration_seconds", buckets: Self.rolloutBuckets,
            help: "Time from the start of a rollout to its end (ready or given up).")
        propagation = registry.durationHistogram("autoserve_propagation_seconds", buckets: Self.rolloutBuckets,
            help: "Time from an alias change being seen to the new version being ready.")
        restarts = registry.counter("autoserve_instance_restarts_total", help: "Serving instances restarted after a crash.")
        var reconciles: [Bool: Counter] = [:]
        for succeeded in [true, false] {
            reconciles[succeeded] = registry.counter("autoserve_reconcile_total", labels: [("result", succeeded ? "success" : "error")],
                help: "Finished resyncs by result.")
        }
        self.reconciles = reconciles
        reconcileDuration = registry.durationHistogram("autoserve_reconcile_duration_seconds", buckets: Self.reconcileBuckets,
            help: "Time one resync took.")
        registryRequests = registry.counter("autoserve_registry_requests_total", help: "Requests made to the MLflow model registry.")
        lastSuccessfulSync = registry.gauge("autoserve_last_successful_sync_timestamp_seconds",
            help: "Time of the last resync that finished without error, in seconds since the epoch (0 before).")
    }

    // MARK: AutoserveObserver

    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {
        registryRequests.increment(by: Int64(snapshot.requestCount))
    }

    public func reconcileFinished(duration: Duration, error: (any Error)?) {
        // A resync cut short by shutdown is neither a success nor an error.
        if error is CancellationError { return }
        reconciles[error == nil]?.increment()
        reconcileDuration.record(duration)
        if error == nil { lastSuccessfulSync.set(to: clock.wallTime().timeIntervalSince1970) }
    }

    public func rolloutFinished(
        key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?
    ) {
        rollouts[succeeded]?.increment()
        rolloutDuration.record(duration)
        if succeeded, let propagation { self.propagation.record(propagation) }
    }

    public func instanceRestarted(key: ServingKey, version: String) {
        restarts.increment()
    }

    public func statusesChanged(_ statuses: [ServingStatus]) {
        var counts: [ServingState: Int] = [.ready: 0, .progressing: 0, .degraded: 0]
        for status in statuses { counts[status.state, default: 0] += 1 }
        for (state, gauge) in instances { gauge.set(to: Double(counts[state] ?? 0)) }

        let registry = registry
        state.withLock { state in
            let current = Dictionary(statuses.map { ($0.key, $0) }) { first, _ in first }
            for (key, series) in state.keys where current[key] == nil {
                series.desired.map(registry.unregisterGauge)
                series.serving.map(registry.unregisterGauge)
                registry.unregisterGauge(series.drift)
                state.keys[key] = nil
            }
            for (key, status) in current {
                let labels = [("model", key.model), ("alias", key.alias)]
                var series = state.keys[key]
                    ?? KeySeries(
                        drift: registry.gauge("autoserve_version_drift", labels: labels,
                            help: "1 while the served version differs from the one the alias points to."))
                series.desired = Self.set(
                    series.desired, to: status.desiredVersion, registry: registry, name: "autoserve_desired_version",
                    labels: labels, help: "The model version the alias points to.")
                series.serving = Self.set(
                    series.serving, to: status.servingVersion, registry: registry, name: "autoserve_serving_version",
                    labels: labels, help: "The model version the ready instance serves.")
                let drifts = status.desiredVersion != nil && status.desiredVersion != status.servingVersion
                series.drift.set(to: drifts ? 1 : 0)
                state.keys[key] = series
            }
        }
    }

    /// Sets a version gauge to `version` (a number), creating it when needed, or removes it when there
    /// is no version (or it is not a number).
    private static func set(
        _ gauge: Gauge?, to version: String?, registry: PrometheusCollectorRegistry, name: String,
        labels: [(String, String)], help: String
    ) -> Gauge? {
        guard let value = version.flatMap(Double.init) else {
            gauge.map(registry.unregisterGauge)
            return nil
        }
        let gauge = gauge ?? registry.gauge(name, labels: labels, help: help)
        gauge.set(to: value)
        return gauge
    }

    // MARK: Webhooks

    /// Counts one webhook delivery. Pass `event` only from a verified delivery (the event type, such as
    /// `model_version_alias.created`); unverified ones count as `unknown`, so that no sender can create
    /// series at will.
    public func recordWebhookEvent(_ event: String?, result: WebhookEventResult) {
        let event = event.flatMap(Self.isPlausibleEventName) ?? "unknown"
        let registry = registry
        state.withLock { state in
            let id = event + "\u{0}" + result.rawValue
            let counter = state.webhookEvents[id]
                ?? registry.counter("autoserve_webhook_events_total", labels: [("event", event), ("result", result.rawValue)],
                    help: "MLflow webhook deliveries received, by event type and result.")
            state.webhookEvents[id] = counter
            counter.increment()
        }
    }

    /// `name` if it looks like an MLflow event type (`entity.action`, lower case, at most 64 characters).
    private static func isPlausibleEventName(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 64,
            name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" || $0 == "." })
        else { return nil }
        return name
    }
}
