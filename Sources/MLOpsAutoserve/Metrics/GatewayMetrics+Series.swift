import MLOpsCore
import Prometheus

extension GatewayMetrics {
    enum Help {
        static let requests = "Requests answered, by model, alias, version, method, handler and status class."
        static let durationHighResolution =
            "Time from a request's head to the last byte of its answer, with many buckets and no labels."
        static let duration = "Time from a request's head to the last byte of its answer, by handler."
        static let inFlight = "Requests sent to an instance and not yet answered."
        static let connectErrors = "Connections to an instance that could not be made."
        static let upstreamErrors = "Requests an instance failed after the connection was made, by kind."
        static let requestBytes = "Request body bytes received from clients."
        static let responseBytes = "Response body bytes sent to clients."
        static let shadowComparisons = "Shadow copies whose answer was compared with the primary's, by result."
        static let canaryBasisPoints = "Canary splits in effect: the share of a model's requests for alias answered by alias canary, in 1/10,000."
        static let shadowDropped = "Shadow copies not sent because too many were in flight."
    }

    /// A status grouped as the original instrumentation groups it: `2xx` … (nil for 0, the client
    /// having left before any answer, and for anything outside 100…599).
    struct StatusClass: Hashable, Sendable {
        private let digit: UInt8

        init(_ status: Int) {
            digit = (100...599).contains(status) ? UInt8(status / 100) : 0
        }

        private static let labels = ["1xx", "2xx", "3xx", "4xx", "5xx"]

        var label: String? { digit == 0 ? nil : Self.labels[Int(digit) - 1] }
    }

    /// The label values a target's series carry.
    struct TargetLabels: Hashable, Sendable {
        var model: String
        var alias: String
        var version: String

        var pairs: [(String, String)] { [("model", model), ("alias", alias), ("version", version)] }
    }

    /// What distinguishes the request series of one target.
    struct RequestKey: Hashable, Sendable {
        var method: String
        var handler: String
        var status: StatusClass
    }

    /// A shadow counter's labels; no result: the drops.
    struct ShadowKey: Hashable, Sendable {
        var model: String
        var alias: String
        var shadow: String
        var result: ShadowComparisonResult?
    }

    /// What distinguishes the series of requests the gateway answered itself.
    struct UnroutedKey: Hashable, Sendable {
        var model: String
        var alias: String
        var request: RequestKey
    }

    /// A request to one target: its identity (kept alive by its ``TargetEntry``), the alias the request
    /// asked for (another than the target's when a canary split or `X-MLOps-Route` sent it there), and
    /// what else tells its request series apart.
    struct RoutedKey: Hashable, Sendable {
        var target: ObjectIdentifier
        var alias: String
        var request: RequestKey
    }

    /// `http_requests_total` (none for a request that got no status) and `http_request_duration_seconds`,
    /// with the series of the target that answered (none when the gateway did).
    struct RequestSeries: Sendable {
        var requests: Counter?
        var duration: DurationHistogram
        var target: TargetSeries?

        func unregister(from registry: PrometheusCollectorRegistry) {
            requests.map(registry.unregisterCounter)
            registry.unregisterDurationHistogram(duration)
        }
    }

    /// The series of one target's label values that are not per request.
    final class TargetSeries: Sendable {
        let inFlight: Gauge
        let connectErrors: Counter
        let resets: Counter
        let timeouts: Counter
        let protocolErrors: Counter
        let requestBytes: Counter
        let responseBytes: Counter

        init(labels: TargetLabels, registry: PrometheusCollectorRegistry) {
            let pairs = labels.pairs
            inFlight = registry.gauge(Names.inFlight, labels: pairs, help: Help.inFlight)
            connectErrors = registry.counter(Names.connectErrors, labels: pairs, help: Help.connectErrors)
            func upstreamErrors(_ kind: GatewayUpstreamFailure) -> Counter {
                registry.counter(Names.upstreamErrors, labels: pairs + [("kind", kind.rawValue)], help: Help.upstreamErrors)
            }
            resets = upstreamErrors(.reset)
            timeouts = upstreamErrors(.timeout)
            protocolErrors = upstreamErrors(.protocol)
            requestBytes = registry.counter(Names.requestBytes, labels: pairs, help: Help.requestBytes)
            responseBytes = registry.counter(Names.responseBytes, labels: pairs, help: Help.responseBytes)
        }

        func upstreamErrors(_ kind: GatewayUpstreamFailure) -> Counter {
            switch kind {
            case .reset: resets
            case .timeout: timeouts
            case .protocol: protocolErrors
            }
        }

        func unregister(from registry: PrometheusCollectorRegistry) {
            registry.unregisterGauge(inFlight)
            for counter in [connectErrors, resets, timeouts, protocolErrors, requestBytes, responseBytes] {
                registry.unregisterCounter(counter)
            }
        }
    }

    /// A target seen by the observer: kept alive here, so that its `ObjectIdentifier` stays its own
    /// until ``GatewayMetrics/forget(_:)``.
    struct TargetEntry: Sendable {
        let target: UpstreamTarget
        let labels: TargetLabels
        let series: TargetSeries
    }

    struct State: Sendable {
        var targets: [ObjectIdentifier: TargetEntry] = [:]
        /// The request series of every target in ``targets``.
        var routed: [RoutedKey: RequestSeries] = [:]
        var unrouted: [UnroutedKey: RequestSeries] = [:]
        var shadows: [ShadowKey: Counter] = [:]
        var canaries: [ActiveCanary: Gauge] = [:]
    }
}
