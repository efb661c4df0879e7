import MLOpsCore
import Prometheus

extension PrometheusCollectorRegistry {
    /// The gauge `name{labels}` with its help text, created on first use.
    func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        makeGauge(descriptor: Self.descriptor(name, help: help), labels: labels)
    }

    /// The counter `name{labels}` with its help text, created on first use.
    func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Counter {
        makeCounter(descriptor: Self.descriptor(name, help: help), labels: labels)
    }

    /// The histogram `name{labels}` of durations (rendered in seconds), created on first use.
    func durationHistogram(
        _ name: String, labels: [(String, String)] = [], buckets: [Duration], help: String
    ) -> DurationHistogram {
        makeDurationHistogram(descriptor: Self.descriptor(name, help: help), labels: labels, buckets: buckets)
    }

    private static func descriptor(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
