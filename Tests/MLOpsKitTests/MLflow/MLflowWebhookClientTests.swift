import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Request and response shapes of the webhook endpoints. The JSON bodies are what an MLflow 3.17
/// server (SQL store) answered.
@Suite("MLflow webhooks client")
struct MLflowWebhookClientTests {
    typealias Support = MLflowTestSupport

    static let webhookJSON = """
        {
          "webhook": {
            "webhook_id": "24dcc4b6-9b49-480f-a16f-21140cee04c7",
            "name": "w1",
            "description": "d",
            "url": "http://127.0.0.1:46315/hook",
            "events": [
              {"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"},
              {"entity": "MODEL_VERSION_ALIAS", "action": "DELETED"}
            ],
            "status": "ACTIVE",
            "creation_timestamp": 1795944576570,
            "last_updated_timestamp": 1795944576570
          }
        }
        """

    @Test("create sends upper-case events, the secret and the status, and decodes the webhook")
    func create() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Self.webhookJSON)

        let webhook = try await client.createWebhook(
            name: "w1", url: "http://127.0.0.1:46315/hook",
            events: [.modelVersionAliasCreated, .modelVersionAliasDeleted],
            secret: WebhookSecret("s3cr3t"), description: "d", status: .active)

        #expect(webhook.id == "24dcc4b6-9b49-480f-a16f-21140cee04c7")
        #expect(webhook.events == [.modelVersionAliasCreated, .modelVersionAliasDeleted])
        #expect(webhook.status == .active)
        #expect(webhook.description == "d")
        #expect(webhook.creationTimestamp == 1_795_944_576_570)
        let request = try #require(transport.lastRequest)
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "http://127.0.0.1:5055/api/2.0/mlflow/webhooks")
        #expect(request.isIdempotent == false)
        let body = try #require(request.jsonBody)
        #expect(body["name"] as? String == "w1")
        #expect(body["secret"] as? String == "s3cr3t")
        #expect(body["status"] as? String == "ACTIVE")
        let events = try #require(body["events"] as? [[String: String]])
        #expect(events == [
            ["entity": "MODEL_VERSION_ALIAS", "action": "CREATED"], ["entity": "MODEL_VERSION_ALIAS", "action": "DELETED"],
        ])
    }

    @Test("create leaves out absent fields and refuses an empty event list before sending")
    func createMinimal() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Self.webhookJSON)
        _ = try await client.createWebhook(name: "w", url: "https://example.invalid/hook", events: [.registeredModelCreated])
        let body = try #require(transport.lastRequest?.jsonBody)
        #expect(Set(body.keys) == ["name", "url", "events"])

        let error = try await Support.mlflowError {
            try await client.createWebhook(name: "w", url: "https://example.invalid/hook", events: [])
        }
        #expect(error.code == .invalidArgument)
        #expect(transport.requests.count == 1)
    }

    @Test("a server error that echoes the secret has it masked")
    func secretMaskedInErrors() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 400,
            json: #"{"error_code": "INVALID_PARAMETER_VALUE", "message": "bad secret 'hunter2-secret' for webhook"}"#)
        let error = try await Support.mlflowError {
            try await client.createWebhook(
                name: "w", url: "http://127.0.0.1:1/", events: [.modelVersionAliasCreated], secret: WebhookSecret("hunter2-secret"))
        }
        #expect(error.code == .invalidParameterValue)
        #expect(!error.message.contains("hunter2-secret"))
        #expect(!"\(error)".contains("hunter2-secret"))
        #expect(error.message.contains("***"))
    }

    @Test("list sends max_results and page_token and returns the next token")
    func list() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            json: """
                {"webhooks": [{"webhook_id": "726c3070", "name": "w2", "url": "http://127.0.0.1:46315/hook2",
                  "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}], "status": "DISABLED",
                  "creation_timestamp": 1795944576603, "last_updated_timestamp": 1795944576603}],
                 "next_page_token": "eyJvZmZzZXQiOiAxfQ=="}
                """)
        transport.enqueue(json: "{}")

        let first = try await client.listWebhooks(maxResults: 1)
        #expect(first.items.map(\.name) == ["w2"])
        #expect(first.items.first?.status == .disabled)
        #expect(first.items.first?.description == nil)
        #expect(first.items.first?.events == [.registeredModelCreated])
        #expect(first.nextPageToken == "eyJvZmZzZXQiOiAxfQ==")
        #expect(transport.lastRequest?.method == .get)
        #expect(transport.lastRequest?.queryItems.map { "\($0.name)=\($0.value ?? "")" } == ["max_results=1"])

        let last = try await client.listWebhooks(maxResults: 1, pageToken: "eyJvZmZzZXQiOiAxfQ==")
        #expect(last.items.isEmpty)
        #expect(last.isLastPage)
        #expect(transport.lastRequest?.queryItems.last?.value == "eyJvZmZzZXQiOiAxfQ==")

        let error = try await Support.mlflowError { try await client.listWebhooks(maxResults: 1001) }
        #expect(error.code == .invalidArgument)
    }

    @Test("get, update, delete and test address the webhook by its encoded id")
    func byID() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Self.webhookJSON)
        transport.enqueue(json: Self.webhookJSON)
        transport.enqueue(json: "{}")
        transport.enqueue(json: #"{"result": {"success": true, "response_status": 200, "response_body": "ok"}}"#)
        let id = "24dcc4b6-9b49-480f-a16f-21140cee04c7"

        _ = try await client.getWebhook(id: id)
        #expect(transport.lastRequest?.method == .get)
        #expect(transport.lastRequest?.url.path == "/api/2.0/mlflow/webhooks/\(id)")

        _ = try await client.updateWebhook(id: id, description: "", status: .disabled)
        var request = try #require(transport.lastRequest)
        #expect(request.method == .patch)
        #expect(request.isIdempotent == true)
        let body = try #require(request.jsonBody)
        #expect(body["description"] as? String == "")
        #expect(body["status"] as? String == "DISABLED")
        #expect(body["secret"] == nil && body["events"] == nil && body["name"] == nil)

        try await client.deleteWebhook(id: id)
        #expect(transport.lastRequest?.method == .delete)

        let result = try await client.testWebhook(id: id, event: .modelVersionAliasDeleted)
        #expect(result == WebhookTestResult(success: true, responseStatus: 200, responseBody: "ok"))
        request = try #require(transport.lastRequest)
        #expect(request.url.path == "/api/2.0/mlflow/webhooks/\(id)/test")
        let event = try #require(request.jsonBody?["event"] as? [String: String])
        #expect(event == ["entity": "MODEL_VERSION_ALIAS", "action": "DELETED"])

        _ = try? await client.getWebhook(id: "a/b")
        #expect(transport.requests.last?.url.absoluteString.hasSuffix("/webhooks/a%2Fb") == true)
    }

    @Test("a missing webhook is not-found; a failed test delivery decodes its error message")
    func failures() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            status: 404,
            json: #"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Webhook with ID nope not found.", "error_class": "RESOURCE_NOT_FOUND"}"#)
        let error = try await Support.mlflowError { try await client.getWebhook(id: "nope") }
        #expect(error.isNotFound)

        transport.enqueue(json: #"{"result": {"success": false, "error_message": "Failed to test webhook: ConnectionError(...)"}}"#)
        let result = try await client.testWebhook(id: "x")
        #expect(!result.success)
        #expect(result.responseStatus == nil)
        #expect(result.errorMessage?.hasPrefix("Failed to test webhook") == true)
    }

    @Test("event types print as MLflow names and accept either case")
    func eventTypeNames() throws {
        #expect(WebhookEventType.modelVersionAliasCreated.description == "model_version_alias.created")
        let decoded = try JSONDecoder().decode(WebhookEventType.self, from: Data(#"{"entity":"model_version_tag","action":"set"}"#.utf8))
        #expect(decoded == .modelVersionTagSet)
        #expect(WebhookEntity(rawValue: "MODEL_VERSION_ALIAS") == .modelVersionAlias)
    }
}
