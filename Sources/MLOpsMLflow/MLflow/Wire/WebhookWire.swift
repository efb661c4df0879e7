import MLOpsCore

/// Request and response bodies of the webhook endpoints, spelled as the server spells them.
enum WebhookWire {
    // MARK: Requests

    /// `POST webhooks`. The secret goes out only in this body; nothing logs request bodies.
    struct Create: Encodable {
        var name: String
        var url: String
        var events: [WebhookEventType]
        var description: String?
        var secret: String?
        var status: WebhookStatus?
    }

    /// `PATCH webhooks/<id>`: absent fields stay as they are.
    struct Update: Encodable {
        var name: String?
        var description: String?
        var url: String?
        var events: [WebhookEventType]?
        var secret: String?
        var status: WebhookStatus?
    }

    /// `POST webhooks/<id>/test`: the event to send an example of, or the webhook's first event.
    struct Test: Encodable {
        var event: WebhookEventType?
    }

    // MARK: Responses

    struct WebhookResponse: Decodable {
        var webhook: Webhook?
    }

    struct ListResponse: Decodable {
        var webhooks: [Webhook]?
        var nextPageToken: String?

        enum CodingKeys: String, CodingKey {
            case webhooks
            case nextPageToken = "next_page_token"
        }
    }

    struct TestResponse: Decodable {
        var result: WebhookTestResult?
    }
}
