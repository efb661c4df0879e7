import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Registry webhooks end to end: a real `mlflow server` of the test's own (with the settings webhooks to
/// a loopback receiver need) delivers `model_version_alias.created` to the agent binary, whose resync
/// interval is an hour, so only the webhook can make it switch. Forged and stale deliveries are refused
/// and counted.
@Suite(.enabled(if: AgentTestServer.enabled), .timeLimit(.minutes(5)))
struct AgentWebhookTests {
    @Test func anAliasMoveDeliveredByWebhookIsServedAtOnceAndForgeriesAreRefused() async throws {
        let server = try await TestServices.webhookServer()
        defer { server.stop() }
        let client = MLflowClient(
            configuration: MLflowClient.Configuration(trackingURI: server.url), transport: RetryingTransport(wrapping: CurlTransport()))
        let model = AgentTestServer.uniqueName("agent-webhook")
        let experimentID = try await client.createExperiment(name: model, artifactLocation: nil, tags: [])
        _ = try await client.createRegisteredModel(name: model, description: nil, tags: [])
        for _ in 0..<2 {
            let run = try await client.createRun(experimentID: experimentID, runName: nil, startTime: nil, tags: [], userID: nil)
            _ = try await client.createModelVersion(
                name: model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil, tags: [],
                modelID: nil)
        }
        try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "1")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-webhook-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = "whsec-" + UUID().uuidString
        let secretFile = directory.appendingPathComponent("webhook-secret")
        try Data(secret.utf8).write(to: secretFile)
        let standIn = AgentRunner.repositoryRoot.appendingPathComponent("Tests/Fixtures/stand_in_model_server.py").path
        let stateDirectory = directory.appendingPathComponent("state")
        let agent = try AgentRunner.Running(
            arguments: [
                "--tracking-uri", server.url.absoluteString, "--runtime", "process", "--state-dir", stateDirectory.path,
                "--process-command", "python3 \(standIn) {port} {model} {version}", "--listen", "127.0.0.1:0",
                "--poll-seconds", "3600", "--webhook-secret-file", secretFile.path, "--log-format", "json",
            ],
            extraEnvironment: ["STAND_IN_START_SECONDS": "1"])
        defer { agent.cleanUp() }
        agent.start()
        do {
            let base = "http://" + (try await agent.listeningAddress(within: .seconds(30)))
            try await Self.waitForStatus(base, version: "1", within: .seconds(60))

            _ = try await client.createWebhook(
                name: "autoserve", url: base + "/webhooks/mlflow",
                events: [.modelVersionAliasCreated, .modelVersionAliasDeleted], secret: WebhookSecret(secret))
            try await Task.sleep(for: .seconds(2))  // the server caches its webhook list for a second

            // The alias moves; with an hour between resyncs, only the delivery can start the rollout.
            let moved = ContinuousClock.now
            try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "2")
            try await Self.waitForStatus(base, version: "2", within: .seconds(30))
            let latency = ContinuousClock.now - moved
            // The stand-in loads for one second; the budget is that plus one second, with room for this
            // loaded machine's polling.
            print("alias change to version 2 ready in \(latency) (model start 1 s)")
            #expect(latency < .seconds(10))

            let metrics = try await httpGet(base + "/metrics").body
            #expect(metrics.contains(#"autoserve_webhook_events_total{event="model_version_alias.created",result="accepted"}"#), "\(metrics)")

            // A forged signature is refused (401); a correctly signed but stale delivery too (400).
            let body = Array(#"{"entity":"model_version_alias","action":"created","timestamp":"2026-01-01T00:00:00Z","data":{"name":"\#(model)","alias":"Production","version":"1"}}"#.utf8)
            let now = Int(Date().timeIntervalSince1970)
            #expect(try await Self.deliver(base, body: body, id: UUID().uuidString, timestamp: now, secret: "not-the-secret") == 401)
            #expect(try await Self.deliver(base, body: body, id: UUID().uuidString, timestamp: now - 900, secret: secret) == 400)
            let after = try await httpGet(base + "/metrics").body
            #expect(after.contains(#"autoserve_webhook_events_total{event="unknown",result="rejected-signature"} 1"#), "\(after)")
            #expect(after.contains(#"autoserve_webhook_events_total{event="unknown",result="rejected-stale"} 1"#), "\(after)")
            // Neither moved anything: version 2 still serves.
            try await Self.waitForStatus(base, version: "2", within: .seconds(5))
            #expect(!agent.stderr.contains(secret), "the secret never reaches the logs")
        } catch {
            Issue.record("agent log:\n\(agent.stderr.suffix(3000))")
            await Self.removeInstances(stateDirectory: stateDirectory, model: model)
            throw error
        }
        agent.signal(SIGTERM)
        _ = try await agent.wait()
        await Self.removeInstances(stateDirectory: stateDirectory, model: model)
    }

    /// Sends one delivery signed the way MLflow signs (`v1,<base64 HMAC-SHA256>` over
    /// `<id>.<timestamp>.<body>`) with `secret`; returns the HTTP status.
    static func deliver(_ base: String, body: [UInt8], id: String, timestamp: Int, secret: String) async throws -> Int {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        let signature = "v1," + Data(Digest.hmacSHA256(key: Array(secret.utf8), message: signed)).base64EncodedString()
        let response = try await CurlTransport().send(
            TransportRequest(
                method: .post, url: URL(string: base + "/webhooks/mlflow")!,
                headers: [
                    "Content-Type": "application/json", "X-MLflow-Delivery-Id": id, "X-MLflow-Timestamp": "\(timestamp)",
                    "X-MLflow-Signature": signature,
                ],
                body: .bytes(Data(body)), timeout: .seconds(10)))
        return response.status
    }

    static func waitForStatus(_ base: String, version: String, within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            let body = try await httpGet(base + "/status").body
            last = body
            if let document = try? AutoserveStatusDocument.makeDecoder().decode(AutoserveStatusDocument.self, from: Data(body.utf8)),
                let status = document.keys.first, status.state == .ready, status.servingVersion == version
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw AgentTestError("version \(version) was not Ready within \(timeout); last /status: \(last)")
    }

    static func removeInstances(stateDirectory: URL, model: String) async {
        guard let runtime = try? ProcessServingRuntime(configuration: ProcessServingConfiguration(stateDirectory: stateDirectory.path))
        else { return }
        for instance in (try? await runtime.instances(matching: [ServingLabels.model: model])) ?? [] {
            try? await runtime.remove(instance.id)
        }
        await runtime.close()
    }
}
