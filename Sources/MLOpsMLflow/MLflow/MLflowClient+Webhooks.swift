import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// MLflow's registry webhooks (MLflow 3.3 and later, SQL-backed servers only; experimental upstream).
///
/// The server posts a signed JSON delivery to the webhook's URL for each subscribed event; verify
/// deliveries with ``WebhookVerifier``. The server needs settings of its own for this to work (see
/// the library guide's "Webhooks" section): a fixed `MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY`, and for
/// a receiver on loopback `MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true` and
/// `MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https`.
///
/// Secrets go to the server only in request bodies, which are never logged, and any error message
/// that echoes one has it replaced by ``Redaction/mask``.
extension MLflowClient {
    /// Registers a webhook.
    ///
    /// A server without the settings for private receivers refuses `http://` and loopback URLs with
    /// ``MLflowError/Code/invalidParameterValue``; a file-store server answers with an internal error.
    ///
    /// - Parameters:
    ///   - name: A name for people; need not be unique.
    ///   - url: Where the server posts deliveries.
    ///   - events: The events to send, at least one, such as ``WebhookEventType/modelVersionAliasCreated``.
    ///   - secret: Signs deliveries (`X-MLflow-Signature`). Without one the server sends no signature,
    ///     and ``WebhookVerifier`` rejects such deliveries.
    ///   - description: A free-form description.
    ///   - status: ``WebhookStatus/active`` (the server's default) or ``WebhookStatus/disabled``.
    /// - Returns: The new webhook with its id.
    @discardableResult
    public func createWebhook(
        name: String,
        url: String,
        events: [WebhookEventType],
        secret: WebhookSecret? = nil,
        description: String? = nil,
        status: WebhookStatus? = nil
    ) async throws -> Webhook {
        let endpoint = MLflowEndpoint.createWebhook
        try MLflowValidation.validateNotEmpty(name, name: "webhook name", endpoint: endpoint)
        try MLflowValidation.validateNotEmpty(url, name: "webhook URL", endpoint: endpoint)
        guard !events.isEmpty else {
            throw MLflowError(code: .invalidArgument, message: "a webhook needs at least one event", endpoint: endpoint.operationName)
        }
        let body = WebhookWire.Create(
            name: name, url: url, events: events, description: description,
            secret: secret.flatMap { $0.isEmpty ? nil : $0.value }, status: status)
        let response: WebhookWire.WebhookResponse = try await hidingSecret(secret) {
            try await send(endpoint, body: body)
        }
        return try Self.require(response.webhook, "webhook", from: endpoint)
    }

    /// One page of the server's webhooks.
    ///
    /// - Parameters:
    ///   - maxResults: The page size, 1 to ``MLflowLimits/maxWebhookResults`` (the server's default is 100).
    ///   - pageToken: The previous page's ``Page/nextPageToken``, or `nil` for the first page.
    public func listWebhooks(maxResults: Int = 100, pageToken: String? = nil) async throws -> Page<Webhook> {
        let endpoint = MLflowEndpoint.listWebhooks
        try MLflowValidation.validateMaxResults(maxResults, maximum: MLflowLimits.maxWebhookResults, endpoint: endpoint)
        var query: [(name: String, value: String)] = [("max_results", String(maxResults))]
        if let pageToken { query.append(("page_token", pageToken)) }
        let response: WebhookWire.ListResponse = try await send(endpoint, query: query)
        return Self.page(response.webhooks, response.nextPageToken)
    }

    /// Every webhook on the server, fetched page by page while iterating.
    public func allWebhooks(pageSize: Int = 100) -> PagedSequence<Webhook> {
        PagedSequence { token in try await listWebhooks(maxResults: pageSize, pageToken: token) }
    }

    /// The webhook with id `id`. A missing one throws ``MLflowError`` with ``MLflowError/isNotFound`` set.
    public func getWebhook(id: String) async throws -> Webhook {
        let endpoint = MLflowEndpoint.getWebhook(id: id)
        try MLflowValidation.validateNotEmpty(id, name: "webhook id", endpoint: endpoint)
        let response: WebhookWire.WebhookResponse = try await send(endpoint)
        return try Self.require(response.webhook, "webhook", from: endpoint)
    }

    /// Changes a webhook's fields; `nil` leaves a field as it is.
    ///
    /// - Parameters:
    ///   - events: Replaces the whole subscription list; an empty list leaves it as it is.
    ///   - secret: Replaces the secret; an empty secret removes it (deliveries are then unsigned).
    ///   - description: Replaces the description; an empty string clears it.
    /// - Returns: The webhook as the server now has it.
    @discardableResult
    public func updateWebhook(
        id: String,
        name: String? = nil,
        url: String? = nil,
        events: [WebhookEventType]? = nil,
        secret: WebhookSecret? = nil,
        description: String? = nil,
        status: WebhookStatus? = nil
    ) async throws -> Webhook {
        let endpoint = MLflowEndpoint.updateWebhook(id: id)
        try MLflowValidation.validateNotEmpty(id, name: "webhook id", endpoint: endpoint)
        let body = WebhookWire.Update(
            name: name, description: description, url: url, events: events.flatMap { $0.isEmpty ? nil : $0 },
            secret: secret?.value, status: status)
        let response: WebhookWire.WebhookResponse = try await hidingSecret(secret) {
            try await send(endpoint, body: body)
        }
        return try Self.require(response.webhook, "webhook", from: endpoint)
    }

    /// Deletes a webhook. A missing one throws ``MLflowError`` with ``MLflowError/isNotFound`` set.
    public func deleteWebhook(id: String) async throws {
        let endpoint = MLflowEndpoint.deleteWebhook(id: id)
        try MLflowValidation.validateNotEmpty(id, name: "webhook id", endpoint: endpoint)
        try await send(endpoint)
    }

    /// Has the server send one example delivery to the webhook, signed like a real one, and reports
    /// what the receiver answered. Disabled webhooks are sent to as well.
    ///
    /// The example payload names model `example_model` and alias `example_alias`.
    ///
    /// - Parameter event: The event to send an example of; `nil` sends the webhook's first event.
    public func testWebhook(id: String, event: WebhookEventType? = nil) async throws -> WebhookTestResult {
        let endpoint = MLflowEndpoint.testWebhook(id: id)
        try MLflowValidation.validateNotEmpty(id, name: "webhook id", endpoint: endpoint)
        let response: WebhookWire.TestResponse = try await send(endpoint, body: WebhookWire.Test(event: event))
        return try Self.require(response.result, "result", from: endpoint)
    }

    /// Runs `operation`, replacing `secret` by the mask in the message of any ``MLflowError`` it throws.
    private func hidingSecret<Value>(
        _ secret: WebhookSecret?,
        _ operation: () async throws -> Value
    ) async throws -> Value {
        do {
            return try await operation()
        } catch var error as MLflowError {
            if let secret, !secret.isEmpty, error.message.contains(secret.value) {
                error.message = error.message.replacing(secret.value, with: Redaction.mask)
            }
            throw error
        }
    }
}
