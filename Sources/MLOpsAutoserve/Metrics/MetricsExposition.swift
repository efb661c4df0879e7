import MLOpsCore
import Prometheus

/// Renders a `PrometheusCollectorRegistry` in the Prometheus text format (0.0.4) for `GET /metrics`.
///
/// Two series of the original registry exporter are gauges whose names end in `_total`
/// (`mlflow_registered_models_total`, `mlflow_model_versions_total`). Dashboards query them by name, so
/// the names stay; their `# TYPE` line says `untyped` instead of `gauge`, which Prometheus stores the
/// same way and which `promtool check metrics` accepts (it rejects a `_total` gauge).
public struct MetricsExposition: Sendable {
    /// The `Content-Type` of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Metric families rendered as `untyped` rather than `gauge`.
    public static let untypedGauges = [
        RegistryExporterMetrics.Names.registeredModels, RegistryExporterMetrics.Names.modelVersions,
    ]

    /// The registries rendered, one after the other. Their metric names must not overlap.
    public let registries: [PrometheusCollectorRegistry]

    public init(registries: [PrometheusCollectorRegistry]) {
        self.registries = registries
    }

    /// The exposition text, as UTF-8.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        for registry in registries { registry.emit(into: &buffer) }
        var text = String(decoding: buffer, as: UTF8.self)
        for name in Self.untypedGauges {
            text = text.replacing("# TYPE \(name) gauge\n", with: "# TYPE \(name) untyped\n")
        }
        return Array(text.utf8)
    }

    /// The exposition text.
    public func renderString() -> String {
        String(decoding: render(), as: UTF8.self)
    }
}
