import Foundation
import Prometheus
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The agent's own metrics, as the reconciler and the webhook receiver feed them.
@Suite struct AutoserveMetricsTests {
    struct Failure: Error {}

    @Test func everyFamilyExistsFromTheStart() {
        let registry = PrometheusCollectorRegistry()
        _ = AutoserveMetrics(registry: registry, runtime: "process", version: "1.2.3")
        let lines = seriesLines(MetricsExposition(registries: [registry]).renderString())
        for state in ["Ready", "Progressing", "Degraded"] {
            #expect(lines.contains(#"autoserve_instances{state="\#(state)"} 0.0"#))
        }
        #expect(lines.contains(#"autoserve_rollouts_total{outcome="success"} 0"#))
        #expect(lines.contains(#"autoserve_rollouts_total{outcome="failed"} 0"#))
        #expect(lines.contains(#"autoserve_reconcile_total{result="error"} 0"#))
        #expect(lines.contains("autoserve_instance_restarts_total 0"))
        #expect(lines.contains("autoserve_last_successful_sync_timestamp_seconds 0.0"))
        #expect(lines.contains(#"autoserve_agent_info{runtime="process",version="1.2.3"} 1.0"#))
        #expect(lines.contains("autoserve_rollout_duration_seconds_count 0"))
    }

    @Test func observerCallsMoveTheSeries() {
        let registry = PrometheusCollectorRegistry()
        let metrics = AutoserveMetrics(registry: registry, runtime: "docker")
        let iris = ServingKey(model: "iris", alias: "Production")
        metrics.registryRead(AutoserveFixtures.snapshot, duration: .milliseconds(20))
        metrics.reconcileFinished(duration: .milliseconds(30), error: nil)
        metrics.reconcileFinished(duration: .milliseconds(30), error: Failure())
        metrics.reconcileFinished(duration: .milliseconds(30), error: CancellationError())
        metrics.rolloutFinished(key: iris, version: "3", succeeded: true, duration: .seconds(12), propagation: .seconds(14))
        metrics.rolloutFinished(key: iris, version: "4", succeeded: false, duration: .seconds(300), propagation: nil)
        metrics.instanceRestarted(key: iris, version: "3")
        metrics.statusesChanged([
            AutoserveFixtures.status("iris", desired: "4", serving: "3"),
            AutoserveFixtures.status("wine", state: .progressing, desired: "2", serving: nil),
            AutoserveFixtures.status("beer", state: .degraded, desired: "1", serving: "1"),
        ])
        let text = MetricsExposition(registries: [registry]).renderString()
        let lines = seriesLines(text)
        #expect(lines.contains("autoserve_registry_requests_total 2"))
        #expect(lines.contains(#"autoserve_reconcile_total{result="success"} 1"#))
        #expect(lines.contains(#"autoserve_reconcile_total{result="error"} 1"#))
        #expect(lines.contains(#"autoserve_rollouts_total{outcome="success"} 1"#))
        #expect(lines.contains(#"autoserve_rollouts_total{outcome="failed"} 1"#))
        #expect(lines.contains("autoserve_rollout_duration_seconds_count 2"))
        #expect(lines.contains(#"autoserve_propagation_seconds_bucket{le="20.0"} 1"#))
        #expect(lines.contains(#"autoserve_propagation_seconds_bucket{le="10.0"} 0"#))
        #expect(lines.contains("autoserve_propagation_seconds_count 1"))
        #expect(lines.contains("autoserve_instance_restarts_total 1"))
        #expect(lines.contains(#"autoserve_instances{state="Ready"} 1.0"#))
        #expect(lines.contains(#"autoserve_instances{state="Progressing"} 1.0"#))
        #expect(lines.contains(#"autoserve_instances{state="Degraded"} 1.0"#))
        #expect(lines.contains(#"autoserve_desired_version{model="iris",alias="Production"} 4.0"#))
        #expect(lines.contains(#"autoserve_serving_version{model="iris",alias="Production"} 3.0"#))
        #expect(lines.contains(#"autoserve_version_drift{model="iris",alias="Production"} 1.0"#))
        #expect(lines.contains(#"autoserve_version_drift{model="beer",alias="Production"} 0.0"#))
        #expect(!text.contains(#"autoserve_serving_version{model="wine""#), "nothing serves wine yet")
        let lastSync = lines.first { $0.hasPrefix("autoserve_last_successful_sync_timestamp_seconds ") }
        let value = lastSync.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
        #expect(value > 1_700_000_000)

        // iris and beer are gone: their series go too.
        metrics.statusesChanged([AutoserveFixtures.status("wine", desired: "2", serving: "2")])
        let after = MetricsExposition(registries: [registry]).renderString()
        #expect(!after.contains(#"model="iris""#))
        #expect(!after.contains(#"model="beer""#))
        #expect(seriesLines(after).contains(#"autoserve_serving_version{model="wine",alias="Production"} 2.0"#))
        #expect(seriesLines(after).contains(#"autoserve_instances{state="Degraded"} 0.0"#))
    }

    @Test func webhookEventsCountVerifiedEventNamesOnly() {
        let registry = PrometheusCollectorRegistry()
        let metrics = AutoserveMetrics(registry: registry, runtime: "process")
        metrics.recordWebhookEvent("model_version_alias.created", result: .accepted)
        metrics.recordWebhookEvent("model_version_alias.created", result: .accepted)
        metrics.recordWebhookEvent("model_version_alias.created", result: .duplicate)
        metrics.recordWebhookEvent(nil, result: .rejectedSignature)
        metrics.recordWebhookEvent("Robert'); DROP TABLE", result: .malformed)
        let lines = seriesLines(MetricsExposition(registries: [registry]).renderString())
        #expect(lines.contains(#"autoserve_webhook_events_total{event="model_version_alias.created",result="accepted"} 2"#))
        #expect(lines.contains(#"autoserve_webhook_events_total{event="model_version_alias.created",result="duplicate"} 1"#))
        #expect(lines.contains(#"autoserve_webhook_events_total{event="unknown",result="rejected-signature"} 1"#))
        #expect(lines.contains(#"autoserve_webhook_events_total{event="unknown",result="malformed"} 1"#))
    }
}
