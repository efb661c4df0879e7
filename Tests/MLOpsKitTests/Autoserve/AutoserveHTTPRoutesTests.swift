import Foundation
import Prometheus
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The agent's HTTP routes, without a socket.
@Suite struct AutoserveHTTPRoutesTests {
    /// A verifier that answers what the test says.
    struct FixedVerifier: WebhookDeliveryVerifying {
        var verdict: WebhookDeliveryVerdict
        func verify(body: [UInt8], headers: [String: String]) async -> WebhookDeliveryVerdict { verdict }
    }

    struct Setup {
        var routes: AutoserveHTTPRoutes
        var state: FixedStateSource
        var health: AutoserveHealth
        var metrics: AutoserveMetrics
    }

    func setup(
        statuses: [ServingStatus] = [], snapshot: RegistrySnapshot? = AutoserveFixtures.snapshot,
        verdict: WebhookDeliveryVerdict? = nil
    ) -> Setup {
        let registry = PrometheusCollectorRegistry()
        let exporter = PrometheusCollectorRegistry()
        let metrics = AutoserveMetrics(registry: registry, runtime: "process")
        let exporterMetrics = RegistryExporterMetrics(registry: exporter)
        if let snapshot { exporterMetrics.update(from: snapshot) }
        let state = FixedStateSource(statuses: statuses, snapshot: snapshot)
        let health = AutoserveHealth()
        let routes = AutoserveHTTPRoutes(
            state: state, health: health, metrics: metrics,
            exposition: MetricsExposition(registries: [exporter, registry]),
            webhookVerifier: verdict.map { FixedVerifier(verdict: $0) },
            info: .init(trackingURI: "http://127.0.0.1:5000"))
        return Setup(routes: routes, state: state, health: health, metrics: metrics)
    }

    func get(_ routes: AutoserveHTTPRoutes, _ target: String) async -> AutoserveHTTPResponse {
        await routes.respond(to: AutoserveHTTPRequest(method: "GET", target: target))
    }

    func json(_ response: AutoserveHTTPResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body))
    }

    @Test func metricsHaveBothFamiliesAndTheTextFormat() async {
        let response = await get(setup().routes, "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.text.contains("mlflow_registered_models_total 2.0"))
        #expect(response.text.contains("autoserve_instances{"))
    }

    @Test func serviceDiscoveryListsReadyInstancesOnly() async throws {
        let setup = setup(statuses: [
            AutoserveFixtures.status("wine", endpoint: "http://127.0.0.1:5002"),
            AutoserveFixtures.status("iris", desired: "3", serving: "3", endpoint: "http://127.0.0.1:5001"),
            AutoserveFixtures.status("beer", state: .progressing, desired: "2", serving: nil, endpoint: nil),
            AutoserveFixtures.status("cider", state: .degraded),
        ])
        let response = await get(setup.routes, "/sd")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        let groups = try #require(try json(response) as? [[String: Any]])
        #expect(groups.count == 2)
        #expect(groups[0]["targets"] as? [String] == ["127.0.0.1:5001"])
        #expect(
            groups[0]["labels"] as? [String: String] == [
                "model": "iris", "alias": "Production", "version": "3", "mlflow_model": "iris",
                "mlflow_alias": "Production", "mlflow_version": "3",
            ])
        #expect(groups[1]["targets"] as? [String] == ["127.0.0.1:5002"])
    }

    @Test func serviceDiscoveryIsAnEmptyListWithoutInstances() async {
        let response = await get(setup().routes, "/sd")
        #expect(response.status == 200)
        #expect(response.text == "[]\n")
    }

    @Test func hostAndPortOfEndpoints() {
        #expect(ServiceDiscovery.hostAndPort("http://127.0.0.1:5001") == "127.0.0.1:5001")
        #expect(ServiceDiscovery.hostAndPort("https://models.example") == "models.example:443")
        #expect(ServiceDiscovery.hostAndPort("http://[::1]:8080/") == "[::1]:8080")
        #expect(ServiceDiscovery.hostAndPort("mlflow-serve-iris-production:8080") == "mlflow-serve-iris-production:8080")
    }

    @Test func agentStatusListsEveryKeyWithItsConditions() async throws {
        let setup = setup(statuses: [
            AutoserveFixtures.status("wine", state: .degraded, desired: "2", serving: "1"),
            AutoserveFixtures.status("iris", desired: "3", serving: "3"),
        ])
        let response = await get(setup.routes, "/status")
        #expect(response.status == 200)
        let body = try #require(try json(response) as? [String: Any])
        #expect(body["runtime"] as? String == "process")
        #expect(body["aliases"] as? [String] == ["Production"])
        #expect(body["last_sync"] as? String == "2026-05-28T20:26:40Z")
        let statuses = try #require(body["keys"] as? [[String: Any]])
        #expect(statuses.map { $0["model"] as? String } == ["iris", "wine"])
        #expect(statuses[1]["state"] as? String == "Degraded")
        #expect(statuses[1]["desired_version"] as? String == "2")
        #expect(statuses[1]["serving_version"] as? String == "1")
        #expect(statuses[1]["reason"] as? String == "Testing")
        #expect(statuses[0]["since"] as? String == "2026-05-28T20:26:40Z")
        let conditions = try #require(statuses[0]["conditions"] as? [[String: Any]])
        #expect(conditions.first?["type"] as? String == "Ready")
        #expect(conditions.first?["status"] as? Bool == true)

        // The document decodes as `mlops serve status` reads it.
        let decoded = try AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: Data(response.body))
        #expect(decoded.keys.map(\.key) == [ServingKey(model: "iris", alias: "Production"), ServingKey(model: "wine", alias: "Production")])
    }
    @Test func originalStatusViewForAModel() async throws {
        let routes = setup().routes
        let response = await get(routes, "/status?model_name=iris")
        #expect(response.status == 200)
        let body = try #require(try json(response) as? [String: Any])
        #expect(body["model_name"] as? String == "iris")
        #expect(body["tracking_uri"] as? String == "http://127.0.0.1:5000")
        let aliases = try #require(body["aliases"] as? [String: [String: Any]])
        #expect(Set(aliases.keys) == ["dev", "test", "Production"])
        #expect(aliases["Production"]?["version"] as? String == "3")
        #expect(aliases["Production"]?["run_id"] as? String == "r3")
        #expect(aliases["Production"]?["stage"] as? String == "None")
        #expect(aliases["dev"]?["error"] as? String == "Registered model alias dev not found.")

        let chosen = try #require(try json(await get(routes, "/status?model_name=iris&aliases=Staging,%20Production")) as? [String: Any])
        let chosenAliases = try #require(chosen["aliases"] as? [String: [String: Any]])
        #expect(Set(chosenAliases.keys) == ["Staging", "Production"])
        #expect(chosenAliases["Staging"]?["version"] as? String == "2")
        // run_id and stage are null rather than missing, as in the original.
        #expect(chosenAliases["Staging"]?.keys.contains("stage") == true)

        let missing = try #require(try json(await get(routes, "/status?model_name=nope")) as? [String: Any])
        let missingAliases = try #require(missing["aliases"] as? [String: [String: Any]])
        #expect(missingAliases["Production"]?["error"] as? String == "Registered Model with name=nope not found")
    }

    @Test func originalStatusViewBeforeTheFirstRead() async {
        let response = await get(setup(snapshot: nil).routes, "/status?model_name=iris")
        #expect(response.status == 503)
    }

    @Test func healthAndReadiness() async throws {
        let setup = setup()
        #expect(await get(setup.routes, "/health").text == #"{"status":"ok"}"# + "\n")
        #expect(await get(setup.routes, "/healthz").status == 200)
        let notReady = await get(setup.routes, "/readyz")
        #expect(notReady.status == 503)
        #expect((try json(notReady) as? [String: String])?["reason"] == "the first resync has not completed")
        setup.health.registryRead(AutoserveFixtures.snapshot, duration: .zero)
        setup.health.reconcileFinished(duration: .zero, error: nil)
        #expect(await get(setup.routes, "/readyz").status == 200)
    }

    @Test func unknownPathsAndWrongMethods() async {
        let setup = setup()
        let missing = await get(setup.routes, "/nope")
        #expect(missing.status == 404)
        #expect(missing.headers["Content-Type"] == "application/json")
        let wrong = await setup.routes.respond(to: AutoserveHTTPRequest(method: "POST", path: "/metrics"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET, HEAD")
        let getWebhook = await get(setup.routes, "/webhooks/mlflow")
        #expect(getWebhook.status == 405)
        #expect(getWebhook.headers["Allow"] == "POST")
        let head = await setup.routes.respond(to: AutoserveHTTPRequest(method: "HEAD", path: "/healthz"))
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(await get(setup.routes, "/status/").status == 200)
    }

    func post(_ setup: Setup, body: String = "{}") async -> AutoserveHTTPResponse {
        await setup.routes.respond(
            to: AutoserveHTTPRequest(method: "POST", path: "/webhooks/mlflow", headers: ["X-MLflow-Signature": "v1,x"], body: Array(body.utf8)))
    }

    func webhookSeries(_ setup: Setup) -> Set<String> {
        seriesLines(MetricsExposition(registries: [setup.metrics.registry]).renderString())
            .filter { $0.hasPrefix("autoserve_webhook_events_total") }
    }

    @Test func acceptedAliasEventsEnqueueTheirKey() async throws {
        let key = ServingKey(model: "iris", alias: "Production")
        let setup = setup(verdict: .accepted(event: "model_version_alias.created", key: key))
        let response = await post(setup)
        #expect(response.status == 200)
        #expect((try json(response) as? [String: String])?["enqueued"] == "iris@Production")
        #expect(setup.state.enqueued == [key])
        #expect(webhookSeries(setup) == [#"autoserve_webhook_events_total{event="model_version_alias.created",result="accepted"} 1"#])
    }

    @Test func acceptedEventsWithoutAnAliasEnqueueNothing() async {
        let setup = setup(verdict: .accepted(event: "model_version.created", key: nil))
        #expect(await post(setup).status == 200)
        #expect(setup.state.enqueued.isEmpty)
    }

    @Test func duplicatesAreAnsweredButIgnored() async {
        let setup = setup(verdict: .duplicate(event: nil))
        #expect(await post(setup).status == 200)
        #expect(setup.state.enqueued.isEmpty)
        #expect(webhookSeries(setup) == [#"autoserve_webhook_events_total{event="unknown",result="duplicate"} 1"#])
    }

    @Test(arguments: [
        (WebhookEventResult.rejectedSignature, 401), (.rejectedStale, 400), (.malformed, 400),
    ])
    func rejectionsAnswerTheirStatusAndAreCounted(result: WebhookEventResult, status: Int) async throws {
        let setup = setup(verdict: .rejected(result: result, status: status, reason: "no"))
        let response = await post(setup)
        #expect(response.status == status)
        #expect((try json(response) as? [String: String])?["result"] == result.rawValue)
        #expect(setup.state.enqueued.isEmpty)
        #expect(webhookSeries(setup) == [#"autoserve_webhook_events_total{event="unknown",result="\#(result.rawValue)"} 1"#])
    }

    @Test func oversizedBodiesAreRefused() async {
        let setup = setup(verdict: .accepted(event: "model_version_alias.created", key: nil))
        let response = await post(setup, body: String(repeating: "x", count: AutoserveHTTPRoutes.maximumWebhookBody + 1))
        #expect(response.status == 413)
        #expect(webhookSeries(setup) == [#"autoserve_webhook_events_total{event="unknown",result="malformed"} 1"#])
    }

    @Test func withoutASecretTheReceiverIsOff() async {
        let response = await post(setup())
        #expect(response.status == 404)
    }

    @Test func requestTargetsAreParsed() {
        let request = AutoserveHTTPRequest(method: "get", target: "/status?model_name=iris+v2%21&aliases=a,b&flag")
        #expect(request.method == "GET")
        #expect(request.path == "/status")
        #expect(request.query == ["model_name": "iris v2!", "aliases": "a,b", "flag": ""])
    }

    @Test func theRealVerifierDrivesTheRoute() async throws {
        let secret = WebhookSecret("route-test-secret")
        let now: Int64 = 1_780_000_000
        let verifier = WebhookVerifier(secret: secret, now: { now })
        let state = FixedStateSource()
        let registry = PrometheusCollectorRegistry()
        let metrics = AutoserveMetrics(registry: registry, runtime: "process")
        let routes = AutoserveHTTPRoutes(
            state: state, health: AutoserveHealth(), metrics: metrics, exposition: MetricsExposition(registries: [registry]),
            webhookVerifier: verifier, info: .init(trackingURI: "http://127.0.0.1:5000"))
        let body = Array(#"{"entity": "model_version_alias", "action": "created", "timestamp": "2026-05-28T20:26:40+00:00", "data": {"name": "iris", "alias": "Production", "version": "4"}}"#.utf8)
        func deliver(id: String, timestamp: Int64, signature: String? = nil) async -> AutoserveHTTPResponse {
            let signed = signature ?? WebhookVerifier.signature(secret: secret, deliveryID: id, timestamp: String(timestamp), body: body)
            return await routes.respond(
                to: AutoserveHTTPRequest(
                    method: "POST", path: "/webhooks/mlflow",
                    headers: ["X-MLflow-Delivery-Id": id, "X-MLflow-Timestamp": String(timestamp), "X-MLflow-Signature": signed],
                    body: body))
        }
        #expect(await deliver(id: "d1", timestamp: now).status == 200)
        #expect(await deliver(id: "d1", timestamp: now).status == 200)
        #expect(await deliver(id: "d2", timestamp: now, signature: "v1,AAAA").status == 401)
        #expect(await deliver(id: "d3", timestamp: now - 3_600).status == 400)
        #expect(state.enqueued == [ServingKey(model: "iris", alias: "Production")])
        let lines = seriesLines(MetricsExposition(registries: [registry]).renderString())
        #expect(lines.contains(#"autoserve_webhook_events_total{event="model_version_alias.created",result="accepted"} 1"#))
        #expect(lines.contains(#"autoserve_webhook_events_total{event="unknown",result="duplicate"} 1"#))
        #expect(lines.contains(#"autoserve_webhook_events_total{event="unknown",result="rejected-signature"} 1"#))
        #expect(lines.contains(#"autoserve_webhook_events_total{event="unknown",result="rejected-stale"} 1"#))
    }
}
