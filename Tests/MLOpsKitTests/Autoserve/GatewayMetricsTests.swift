import Foundation
import Prometheus
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The gateway's request metrics, as its data plane reports requests.
@Suite struct GatewayMetricsTests {
    static func target(_ model: String = "iris", _ alias: String = "Production", version: String = "3", id: String = "i-1")
        -> UpstreamTarget
    {
        UpstreamTarget(
            key: ServingKey(model: model, alias: alias), instanceID: id, version: version,
            endpoint: URL(string: "http://127.0.0.1:5001")!)
    }

    static func record(
        _ target: UpstreamTarget?, model: String = "iris", alias: String = "Production", method: String = "POST",
        handler: String = "/invocations", status: Int = 200, duration: Duration = .milliseconds(30),
        requestBytes: Int = 0, responseBytes: Int = 0
    ) -> GatewayRequestRecord {
        GatewayRequestRecord(
            target: target, model: target?.key.model ?? model, alias: target?.key.alias ?? alias, method: method,
            handler: handler, status: status, duration: duration, requestBytes: requestBytes, responseBytes: responseBytes)
    }

    static let iris = #"model="iris",alias="Production",version="3""#

    static func lines(_ registry: PrometheusCollectorRegistry) -> Set<String> {
        seriesLines(MetricsExposition(registries: [registry]).renderString())
    }

    @Test func onlyTheUnlabelledHistogramExistsBeforeTheFirstRequest() {
        let registry = PrometheusCollectorRegistry()
        _ = GatewayMetrics(registry: registry)
        let lines = Self.lines(registry)
        #expect(lines.contains("http_request_duration_highr_seconds_count 0"))
        #expect(lines.allSatisfy { $0.hasPrefix("http_request_duration_highr_seconds") })
        #expect(lines.count == GatewayMetrics.highResolutionBuckets.count + 3)
    }

    @Test func requestsAreCountedByStatusClass() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let target = Self.target()
        for status in [200, 201, 204, 302, 404, 500, 503, 0] {
            metrics.requestStarted(on: target)
            metrics.requestFinished(Self.record(target, status: status))
        }
        metrics.requestStarted(on: target)
        metrics.requestFinished(Self.record(target, method: "GET", handler: "/ping"))
        let lines = Self.lines(registry)
        let labels = Self.iris + #",method="POST",handler="/invocations""#
        #expect(lines.contains(#"http_requests_total{\#(labels),status="2xx"} 3"#))
        #expect(lines.contains(#"http_requests_total{\#(labels),status="3xx"} 1"#))
        #expect(lines.contains(#"http_requests_total{\#(labels),status="4xx"} 1"#))
        #expect(lines.contains(#"http_requests_total{\#(labels),status="5xx"} 2"#))
        #expect(lines.contains(#"http_requests_total{\#(Self.iris),method="GET",handler="/ping",status="2xx"} 1"#))
        // The client that left (status 0) is in no request count, but its duration is recorded.
        #expect(lines.filter { $0.hasPrefix("http_requests_total{") }.count == 5)
        #expect(!lines.contains { $0.contains(#"status="0"#) || $0.contains(#"status="0xx""#) })
        #expect(lines.contains(#"http_request_duration_seconds_count{\#(labels)} 8"#))
        #expect(lines.contains(#"http_request_duration_seconds_count{\#(Self.iris),method="GET",handler="/ping"} 1"#))
        #expect(lines.contains("http_request_duration_highr_seconds_count 9"))
    }

    @Test func aThirtyMillisecondRequestLandsInTheFiftyMillisecondBucket() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let target = Self.target()
        metrics.requestStarted(on: target)
        metrics.requestFinished(Self.record(target, duration: .milliseconds(30)))
        let lines = Self.lines(registry)
        #expect(lines.contains(#"http_request_duration_highr_seconds_bucket{le="0.01"} 0"#))
        #expect(lines.contains(#"http_request_duration_highr_seconds_bucket{le="0.025"} 0"#))
        #expect(lines.contains(#"http_request_duration_highr_seconds_bucket{le="0.05"} 1"#))
        #expect(lines.contains(#"http_request_duration_highr_seconds_bucket{le="60.0"} 1"#))
        #expect(lines.contains(#"http_request_duration_highr_seconds_bucket{le="+Inf"} 1"#))
        #expect(lines.contains("http_request_duration_highr_seconds_sum 0.03"))
        let labels = Self.iris + #",method="POST",handler="/invocations""#
        #expect(lines.contains(#"http_request_duration_seconds_bucket{\#(labels),le="0.1"} 1"#))
        #expect(lines.contains(#"http_request_duration_seconds_bucket{\#(labels),le="1.0"} 1"#))
        // The buckets are the instrumentation's: 21 bounds and +Inf, 3 and +Inf.
        #expect(lines.filter { $0.hasPrefix("http_request_duration_highr_seconds_bucket") }.count == 22)
        #expect(lines.filter { $0.hasPrefix("http_request_duration_seconds_bucket") }.count == 4)
    }

    @Test func inFlightGoesUpThenDownAndBytesAddUp() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let target = Self.target()
        for _ in 0..<3 { metrics.requestStarted(on: target) }
        #expect(Self.lines(registry).contains(#"autoserve_gateway_requests_in_flight{\#(Self.iris)} 3.0"#))
        metrics.requestFinished(Self.record(target, requestBytes: 100, responseBytes: 20))
        metrics.requestFinished(Self.record(target, requestBytes: 50, responseBytes: 7))
        #expect(Self.lines(registry).contains(#"autoserve_gateway_requests_in_flight{\#(Self.iris)} 1.0"#))
        metrics.requestFinished(Self.record(target, status: 0, requestBytes: 1, responseBytes: 0))
        let lines = Self.lines(registry)
        #expect(lines.contains(#"autoserve_gateway_requests_in_flight{\#(Self.iris)} 0.0"#))
        #expect(lines.contains(#"autoserve_gateway_request_bytes_total{\#(Self.iris)} 151"#))
        #expect(lines.contains(#"autoserve_gateway_response_bytes_total{\#(Self.iris)} 27"#))
    }

    @Test func upstreamFailuresAreCountedByKind() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let target = Self.target()
        metrics.upstreamConnectFailed(target)
        metrics.upstreamConnectFailed(target)
        metrics.upstreamFailed(target, kind: .timeout)
        metrics.upstreamFailed(target, kind: .reset)
        metrics.upstreamFailed(target, kind: .reset)
        let lines = Self.lines(registry)
        #expect(lines.contains(#"autoserve_gateway_upstream_connect_errors_total{\#(Self.iris)} 2"#))
        #expect(lines.contains(#"autoserve_gateway_upstream_errors_total{\#(Self.iris),kind="reset"} 2"#))
        #expect(lines.contains(#"autoserve_gateway_upstream_errors_total{\#(Self.iris),kind="timeout"} 1"#))
        #expect(lines.contains(#"autoserve_gateway_upstream_errors_total{\#(Self.iris),kind="protocol"} 0"#))
    }

    @Test func requestsTheGatewayAnsweredHaveAnEmptyVersion() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        metrics.requestFinished(Self.record(nil, model: "nope", alias: "Production", status: 404, duration: .milliseconds(2)))
        metrics.requestFinished(Self.record(nil, model: "", alias: "", method: "GET", handler: "none", status: 404))
        metrics.requestFinished(Self.record(nil, status: 503))
        let lines = Self.lines(registry)
        let nope = #"model="nope",alias="Production",version="",method="POST",handler="/invocations""#
        #expect(lines.contains(#"http_requests_total{\#(nope),status="4xx"} 1"#))
        #expect(lines.contains(#"http_request_duration_seconds_count{\#(nope)} 1"#))
        #expect(lines.contains(#"http_requests_total{model="",alias="",version="",method="GET",handler="none",status="4xx"} 1"#))
        #expect(lines.contains(#"http_requests_total{model="iris",alias="Production",version="",method="POST",handler="/invocations",status="5xx"} 1"#))
        #expect(lines.contains("http_request_duration_highr_seconds_count 3"))
        // No instance, so no per-instance series.
        #expect(!lines.contains { $0.hasPrefix("autoserve_gateway_") })
    }

    @Test func labelsAClientChoosesAreBounded() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry, unroutedLabelSetLimit: 3)
        for index in 0..<10 {
            metrics.requestFinished(Self.record(nil, model: "m\(index)", alias: "a", method: "BREW\(index)", status: 404))
        }
        let lines = Self.lines(registry)
        let counts = lines.filter { $0.hasPrefix("http_requests_total{") }
        #expect(counts.count == 4, "\(counts)")
        #expect(lines.contains(#"http_requests_total{model="m0",alias="a",version="",method="other",handler="/invocations",status="4xx"} 1"#))
        #expect(lines.contains(#"http_requests_total{model="",alias="",version="",method="other",handler="/invocations",status="4xx"} 7"#))
        #expect(GatewayMetrics.methodLabel("POST") == "POST")
        #expect(GatewayMetrics.methodLabel("post") == "other")
    }

    @Test func forgetRemovesATargetsSeries() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let old = Self.target(version: "3", id: "i-1")
        let new = Self.target(version: "4", id: "i-2")
        for target in [old, new] {
            metrics.requestStarted(on: target)
            metrics.requestFinished(Self.record(target, status: 200, requestBytes: 1))
            metrics.requestStarted(on: target)
            metrics.requestFinished(Self.record(target, method: "GET", handler: "/ping", status: 500))
            metrics.upstreamFailed(target, kind: .protocol)
        }
        metrics.forget(old)
        let lines = Self.lines(registry)
        #expect(!lines.contains { $0.contains(#"version="3""#) }, "\(lines.sorted())")
        #expect(lines.contains(#"http_requests_total{model="iris",alias="Production",version="4",method="GET",handler="/ping",status="5xx"} 1"#))
        #expect(lines.contains(#"autoserve_gateway_requests_in_flight{model="iris",alias="Production",version="4"} 0.0"#))
        #expect(lines.contains("http_request_duration_highr_seconds_count 4"))

        metrics.forget(new)
        metrics.forget(new)
        let left = Self.lines(registry)
        #expect(left.allSatisfy { $0.hasPrefix("http_request_duration_highr_seconds") }, "\(left.sorted())")

        // Reported again after being forgotten: the series come back, and the gauge does not go below 0.
        metrics.requestFinished(Self.record(new))
        let again = Self.lines(registry)
        #expect(again.contains(#"http_requests_total{model="iris",alias="Production",version="4",method="POST",handler="/invocations",status="2xx"} 1"#))
        #expect(again.contains(#"autoserve_gateway_requests_in_flight{model="iris",alias="Production",version="4"} 0.0"#))
    }

    @Test func seriesSharedWithAnotherInstanceOfTheSameVersionStayUntilBothAreForgotten() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let crashed = Self.target(id: "i-1")
        let restarted = Self.target(id: "i-2")
        metrics.requestStarted(on: crashed)
        metrics.requestFinished(Self.record(crashed, method: "GET", handler: "/health"))
        metrics.requestStarted(on: restarted)
        metrics.requestFinished(Self.record(restarted))
        metrics.requestStarted(on: restarted)

        metrics.forget(crashed)
        let lines = Self.lines(registry)
        #expect(lines.contains(#"http_requests_total{\#(Self.iris),method="POST",handler="/invocations",status="2xx"} 1"#))
        #expect(lines.contains(#"http_requests_total{\#(Self.iris),method="GET",handler="/health",status="2xx"} 1"#))
        #expect(lines.contains(#"autoserve_gateway_requests_in_flight{\#(Self.iris)} 1.0"#))

        metrics.requestFinished(Self.record(restarted))
        metrics.forget(restarted)
        let left = Self.lines(registry)
        #expect(left.allSatisfy { $0.hasPrefix("http_request_duration_highr_seconds") }, "\(left.sorted())")
    }

    @Test func requestsFromManyTasksAddUp() async {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let targets = [Self.target(version: "3", id: "i-1"), Self.target(version: "4", id: "i-2")]
        let tasks = 8
        let perTask = 2_000
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in 0..<perTask {
                        let target = targets[(task + index) % 2]
                        metrics.requestStarted(on: target)
                        if index % 100 == 0 { metrics.upstreamFailed(target, kind: .reset) }
                        metrics.requestFinished(
                            Self.record(target, status: index % 10 == 0 ? 502 : 200, requestBytes: 3, responseBytes: 5))
                        if index % 50 == 0 { metrics.requestFinished(Self.record(nil, model: "x", status: 404)) }
                    }
                }
            }
        }
        let lines = Self.lines(registry)
        let half = tasks * perTask / 2
        for version in ["3", "4"] {
            let labels = #"model="iris",alias="Production",version="\#(version)""#
            #expect(lines.contains(#"http_requests_total{\#(labels),method="POST",handler="/invocations",status="2xx"} \#(half * 9 / 10)"#))
            #expect(lines.contains(#"http_requests_total{\#(labels),method="POST",handler="/invocations",status="5xx"} \#(half / 10)"#))
            #expect(lines.contains(#"autoserve_gateway_requests_in_flight{\#(labels)} 0.0"#))
            #expect(lines.contains(#"autoserve_gateway_request_bytes_total{\#(labels)} \#(half * 3)"#))
            #expect(lines.contains(#"autoserve_gateway_response_bytes_total{\#(labels)} \#(half * 5)"#))
            #expect(lines.contains(#"autoserve_gateway_upstream_errors_total{\#(labels),kind="reset"} \#(tasks * perTask / 100 / 2)"#))
        }
        let unrouted = tasks * perTask / 50
        #expect(lines.contains(#"http_requests_total{model="x",alias="Production",version="",method="POST",handler="/invocations",status="4xx"} \#(unrouted)"#))
        #expect(lines.contains("http_request_duration_highr_seconds_count \(tasks * perTask + unrouted)"))
    }
}

/// A canary split's answers: counted under the alias asked for, with the version that answered.
@Suite struct GatewayMetricsCanaryTests {
    @Test func aCanarysAnswersCountUnderTheRequestedAliasAndTheirVersion() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        let production = GatewayMetricsTests.target(version: "1", id: "p")
        let challenger = GatewayMetricsTests.target("iris", "Challenger", version: "2", id: "c")
        for (target, count) in [(production, 9), (challenger, 1)] {
            for _ in 0..<count {
                metrics.requestStarted(on: target)
                metrics.requestFinished(
                    GatewayRequestRecord(
                        target: target, model: "iris", alias: "Production", method: "POST", handler: "/invocations",
                        status: 200, duration: .milliseconds(3), requestBytes: 10, responseBytes: 20))
            }
        }
        var lines = GatewayMetricsTests.lines(registry)
        let common = #"method="POST",handler="/invocations",status="2xx""#
        #expect(lines.contains(#"http_requests_total{model="iris",alias="Production",version="1",\#(common)} 9"#))
        #expect(lines.contains(#"http_requests_total{model="iris",alias="Production",version="2",\#(common)} 1"#))
        #expect(lines.contains(#"autoserve_gateway_request_bytes_total{model="iris",alias="Challenger",version="2"} 10"#))
        #expect(lines.contains(#"autoserve_gateway_requests_in_flight{model="iris",alias="Challenger",version="2"} 0.0"#))
        // Forgetting the canary's instance keeps the series Production's instance of another version
        // does not share only until that is forgotten too.
        metrics.forget(challenger)
        lines = GatewayMetricsTests.lines(registry)
        #expect(!lines.contains { $0.contains(#"version="2""#) })
        #expect(lines.contains(#"http_requests_total{model="iris",alias="Production",version="1",\#(common)} 9"#))
        metrics.forget(production)
        #expect(!GatewayMetricsTests.lines(registry).contains { $0.hasPrefix("http_requests_total") })
    }
}
