import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// MLflow registry webhooks end to end: a real `mlflow server` (SQL store, one worker) started by the
/// test with the settings webhooks need, a loopback receiver that records deliveries byte for byte,
/// the webhook created and driven through ``MLflowClient``, and every delivery checked with
/// ``WebhookVerifier``.
@Suite("MLflow webhooks against a real mlflow server", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct WebhookIntegrationTests {
    static func webhookServer() async throws -> MLflowServerProcess {
        try await TestServices.webhookServer()
    }

    /// A model with two versions.
    static func makeModel(_ client: MLflowClient) async throws -> String {
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("webhooks"))
        let model = IntegrationEnvironment.uniqueName("wh-model")
        try await client.createRegisteredModel(name: model)
        for _ in 0..<2 {
            let run = try await client.createRun(experimentID: experimentID)
            _ = try await client.createModelVersion(name: model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID)
        }
        return model
    }

    @Test func aliasEventsAreDeliveredSignedAndVerify() async throws {
        let receiver = try WebhookReceiverProcess()
        let server = try await Self.webhookServer()
        defer { server.stop() }
        let client = try IntegrationEnvironment.mlflowClient(uri: server.url)
        let model = try await Self.makeModel(client)
        let secret = WebhookSecret("whsec-" + UUID().uuidString)

        // The REST API: create, get, list, update.
        let webhook = try await client.createWebhook(
            name: "autoserve", url: receiver.url(path: "/hook"),
            events: [.modelVersionAliasCreated, .modelVersionAliasDeleted], secret: secret, description: "aliases")
        #expect(webhook.status == .active)
        #expect(webhook.events == [.modelVersionAliasCreated, .modelVersionAliasDeleted])
        #expect(try await client.getWebhook(id: webhook.id) == webhook)
        let other = try await client.createWebhook(
            name: "disabled", url: receiver.url(path: "/other"), events: [.registeredModelCreated], status: .disabled)
        let firstPage = try await client.listWebhooks(maxResults: 1)
        #expect(firstPage.items.count == 1)
        #expect(firstPage.nextPageToken != nil)
        let all = try await client.allWebhooks(pageSize: 1).collect()
        #expect(Set(all.map(\.id)) == [webhook.id, other.id])
        let updated = try await client.updateWebhook(id: webhook.id, description: "alias events")
        #expect(updated.description == "alias events")
        #expect(updated.events == webhook.events && updated.status == .active)

        // Set, move and delete an alias.
        try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "1")
        try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "2")
        try await client.deleteRegisteredModelAlias(name: model, alias: "Production")

        let deliveries = try await receiver.waitForDeliveries(to: "/hook", count: 3)
        try #require(deliveries.count == 3, "expected 3 deliveries, got \(deliveries.count)")
        #expect(try receiver.deliveries().allSatisfy { $0.path == "/hook" })  // the disabled one got none

        let verifier = WebhookVerifier(secret: secret)
        var payloads: [WebhookEvent.Payload] = []
        for delivery in deliveries {
            let outcome = verifier.verify(body: delivery.body, headers: delivery.headers)
            guard case .accepted(let event, let deliveryID) = outcome else {
                Issue.record("delivery not accepted: \(outcome)")
                continue
            }
            #expect(deliveryID == delivery.headers["X-MLflow-Delivery-Id"])
            #expect(event.servingKey == ServingKey(model: model, alias: "Production"))
            payloads.append(event.payload)
        }
        // The server sends from a thread pool, so the order of arrival is not guaranteed.
        #expect(payloads.count == 3)
        for expected: WebhookEvent.Payload in [
            .aliasCreated(name: model, alias: "Production", version: "1"),
            .aliasCreated(name: model, alias: "Production", version: "2"),
            .aliasDeleted(name: model, alias: "Production"),
        ] {
            #expect(payloads.contains(expected), "missing \(expected)")
        }

        let delivery = deliveries[0]
        // A replay of a delivery already accepted.
        #expect(verifier.verify(body: delivery.body, headers: delivery.headers) == .duplicate(deliveryID: delivery.headers["X-MLflow-Delivery-Id"]!))
        // A forged body under the genuine headers, and a genuine delivery under another secret.
        let forged = Data(String(decoding: delivery.body, as: UTF8.self).replacingOccurrences(of: "Production", with: "Producti0n").utf8)
        #expect(WebhookVerifier(secret: secret).verify(body: forged, headers: delivery.headers) == .rejected(.badSignature))
        #expect(WebhookVerifier(secret: WebhookSecret("another")).verify(body: delivery.body, headers: delivery.headers) == .rejected(.badSignature))
        var forgedSignature = delivery.headers
        forgedSignature["X-MLflow-Signature"] = WebhookVerifier.signature(
            secret: WebhookSecret("another"), deliveryID: delivery.headers["X-MLflow-Delivery-Id"]!,
            timestamp: delivery.headers["X-MLflow-Timestamp"]!, body: Array(delivery.body))
        #expect(WebhookVerifier(secret: secret).verify(body: delivery.body, headers: forgedSignature) == .rejected(.badSignature))
        // The same delivery checked ten minutes later.
        let later = Int64(Date().timeIntervalSince1970) + 600
        let outcome = WebhookVerifier(secret: secret, now: { later }).verify(body: delivery.body, headers: delivery.headers)
        guard case .rejected(.staleTimestamp(let age)) = outcome else {
            Issue.record("expected a stale timestamp, got \(outcome)")
            return
        }
        #expect(age >= 600)
        #expect(outcome.httpStatus == 400)
    }

    @Test func testEndpointSendsASignedExample() async throws {
        let receiver = try WebhookReceiverProcess()
        let server = try await Self.webhookServer()
        defer { server.stop() }
        let client = try IntegrationEnvironment.mlflowClient(uri: server.url)
        let secret = WebhookSecret("whsec-" + UUID().uuidString)
        let webhook = try await client.createWebhook(
            name: "test-endpoint", url: receiver.url(path: "/test"),
            events: [.modelVersionAliasCreated, .modelVersionAliasDeleted], secret: secret)

        let first = try await client.testWebhook(id: webhook.id)
        #expect(first == WebhookTestResult(success: true, responseStatus: 200, responseBody: "ok"))
        let second = try await client.testWebhook(id: webhook.id, event: .modelVersionAliasDeleted)
        #expect(second.success)

        let deliveries = try await receiver.waitForDeliveries(to: "/test", count: 2)
        try #require(deliveries.count == 2)
        let verifier = WebhookVerifier(secret: secret)
        let events = deliveries.compactMap { verifier.verify(body: $0.body, headers: $0.headers).event }
        #expect(events.map(\.payload) == [
            .aliasCreated(name: "example_model", alias: "example_alias", version: "1"),
            .aliasDeleted(name: "example_model", alias: "example_alias"),
        ])

        // Rotating the secret: a verifier holding both accepts the new signatures, one with only the
        // old secret refuses them.
        let rotated = WebhookSecret("whsec-" + UUID().uuidString)
        try await client.updateWebhook(id: webhook.id, secret: rotated)
        #expect(try await client.testWebhook(id: webhook.id).success)
        // Removing the secret: deliveries come unsigned and are refused.
        try await client.updateWebhook(id: webhook.id, secret: WebhookSecret(""))
        #expect(try await client.testWebhook(id: webhook.id).success)
        let later = try await receiver.waitForDeliveries(to: "/test", count: 4)
        try #require(later.count == 4)
        #expect(WebhookVerifier(secrets: [secret, rotated]).verify(body: later[2].body, headers: later[2].headers).event != nil)
        #expect(WebhookVerifier(secret: secret).verify(body: later[2].body, headers: later[2].headers) == .rejected(.badSignature))
        #expect(later[3].headers["X-MLflow-Signature"] == nil)
        #expect(verifier.verify(body: later[3].body, headers: later[3].headers) == .rejected(.missingHeader("X-MLflow-Signature")))

        // A receiver that is not listening: the server reports the failure instead of throwing.
        let deadPort = try MLflowServerProcess.freePort()
        try await client.updateWebhook(id: webhook.id, url: "http://127.0.0.1:\(deadPort)/gone")
        let failed = try await client.testWebhook(id: webhook.id)
        #expect(!failed.success)
        #expect(failed.errorMessage?.isEmpty == false)

        try await client.deleteWebhook(id: webhook.id)
        let error = try await #require(throws: MLflowError.self) { _ = try await client.getWebhook(id: webhook.id) }
        #expect(error.isNotFound)
        #expect(try await client.listWebhooks().items.isEmpty)
    }
}
