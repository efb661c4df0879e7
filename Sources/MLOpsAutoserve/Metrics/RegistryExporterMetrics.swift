import MLOpsServing
import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Prometheus
import Synchronization

/// The original registry exporter's series, exactly as its dashboards read them, updated from each
/// ``RegistrySnapshot``:
///
/// - `mlflow_registered_models_total`: registered models;
/// - `mlflow_model_versions_total{model_name}`: versions per model;
/// - `mlflow_model_version_created_timestamp{model_name,version}`: a version's creation time, in
///   milliseconds since the epoch;
/// - `mlflow_model_alias_version{model_name,alias,version}`: 1 for each alias in ``aliases`` that a model
///   carries (`MLFLOW_EXPORTER_ALIASES`);
/// - `mlflow_exporter_last_success_timestamp`: when the registry was last read, in seconds since the epoch.
///
/// Series of models, versions and aliases that are gone from the registry are removed, not left at
/// their last value. Nothing is exported before the first successful read.
///
/// As an ``AutoserveObserver`` it updates itself from every registry read of the reconciler.
public final class RegistryExporterMetrics: AutoserveObserver, Sendable {
    /// The metric names.
    public enum Names {
        public static let registeredModels = "mlflow_registered_models_total"
        public static let modelVersions = "mlflow_model_versions_total"
        public static let versionCreated = "mlflow_model_version_created_timestamp"
        public static let aliasVersion = "mlflow_model_alias_version"
        public static let lastSuccess = "mlflow_exporter_last_success_timestamp"
    }

    private enum Help {
        static let registeredModels = "Number of registered models in the MLflow model registry."
        static let modelVersions = "Number of versions of a registered model."
        static let versionCreated = "Creation time of a model version, in milliseconds since the epoch."
        static let aliasVersion = "1 for the model version an alias points to."
        static let lastSuccess = "Time of the last successful read of the model registry, in seconds since the epoch."
    }

    /// The aliases reported in `mlflow_model_alias_version`.
    public let aliases: [String]
    /// The registry the series live in.
    public let registry: PrometheusCollectorRegistry

    private struct VersionID: Hashable {
        var model: String
        var version: String
    }

    private struct AliasID: Hashable {
        var model: String
        var alias: String
        var version: String
    }

    private struct Series: Sendable {
        var registeredModels: Gauge?
        var lastSuccess: Gauge?
        var versionCounts: [String: Gauge] = [:]
        var created: [VersionID: Gauge] = [:]
        var aliasVersions: [AliasID: Gauge] = [:]
    }

    private let series = Mutex(Series())
    private let clock: ServingClock

    /// - Parameters:
    ///   - registry: Where the series are registered; the exposition renders it.
    ///   - aliases: The aliases to report (`MLFLOW_EXPORTER_ALIASES`, `Production` by default).
    ///   - clock: the wall time a registry read is stamped with.
    public init(registry: PrometheusCollectorRegistry, aliases: [String] = ["Production"], clock: ServingClock = .system) {
        self.registry = registry
        self.aliases = aliases
        self.clock = clock
    }

    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {
        update(from: snapshot)
    }

    /// Sets every series from `snapshot`, read now.
    public func update(from snapshot: RegistrySnapshot) {
        update(from: snapshot, at: clock.wallTime())
    }

    /// Sets every series from `snapshot`, read at `date`, and removes those of models, versions and
    /// aliases it no longer has.
    public func update(from snapshot: RegistrySnapshot, at date: Date) {
        var versionCounts: [String: Int] = [:]
        for model in snapshot.models { versionCounts[model.name] = 0 }
        var created: [VersionID: Int64] = [:]
        for version in snapshot.versions {
            versionCounts[version.name, default: 0] += 1
            if let timestamp = version.creationTimestamp {
                created[VersionID(model: version.name, version: version.version)] = timestamp
            }
        }
        var aliasVersions: Set<AliasID> = []
        for model in snapshot.models {
            for alias in aliases {
                guard let version = model.version(forAlias: alias) else { continue }
                aliasVersions.insert(AliasID(model: model.name, alias: alias, version: version))
            }
        }

        let registry = registry
        series.withLock { series in
            let models = series.registeredModels
                ?? registry.gauge(Names.registeredModels, help: Help.registeredModels)
            series.registeredModels = models
            models.set(to: Double(snapshot.models.count))

            for (model, gauge) in series.versionCounts where versionCounts[model] == nil {
                registry.unregisterGauge(gauge)
                series.versionCounts[model] = nil
            }
            for (model, count) in versionCounts {
                let gauge = series.versionCounts[model]
                    ?? registry.gauge(Names.modelVersions, labels: [("model_name", model)], help: Help.modelVersions)
                series.versionCounts[model] = gauge
                gauge.set(to: Double(count))
            }

            for (id, gauge) in series.created where created[id] == nil {
                registry.unregisterGauge(gauge)
                series.created[id] = nil
            }
            for (id, timestamp) in created {
                let gauge = series.created[id]
                    ?? registry.gauge(Names.versionCreated, labels: [("model_name", id.model), ("version", id.version)],
                        help: Help.versionCreated)
                series.created[id] = gauge
                gauge.set(to: Double(timestamp))
            }

            for (id, gauge) in series.aliasVersions where !aliasVersions.contains(id) {
                registry.unregisterGauge(gauge)
                series.aliasVersions[id] = nil
            }
            for id in aliasVersions where series.aliasVersions[id] == nil {
                let gauge = registry.gauge(Names.aliasVersion,
                    labels: [("model_name", id.model), ("alias", id.alias), ("version", id.version)],
                    help: Help.aliasVersion)
                gauge.set(to: 1)
                series.aliasVersions[id] = gauge
            }

            let lastSuccess = series.lastSuccess
                ?? registry.gauge(Names.lastSuccess, help: Help.lastSuccess)
            series.lastSuccess = lastSuccess
            lastSuccess.set(to: date.timeIntervalSince1970)
        }
    }
}
