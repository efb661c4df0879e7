import MLOpsCore

/// A webhook registered on the MLflow server: where it sends which events.
///
/// The server never returns the secret, so a `Webhook` holds none.
public struct Webhook: Sendable, Codable, Equatable, Identifiable {
    /// The server-assigned id (a UUID string).
    public var id: String
    /// The webhook's name.
    public var name: String
    /// The webhook's description, if any.
    public var description: String?
    /// Where deliveries go.
    public var url: String
    /// The events the webhook subscribes to.
    public var events: [WebhookEventType]
    /// Whether the webhook receives events.
    public var status: WebhookStatus
    /// When the webhook was created, in milliseconds since 1970.
    public var creationTimestamp: Int64?
    /// When the webhook last changed, in milliseconds since 1970.
    public var lastUpdatedTimestamp: Int64?

    /// Creates a webhook value.
    public init(
        id: String,
        name: String,
        description: String? = nil,
        url: String,
        events: [WebhookEventType],
        status: WebhookStatus = .active,
        creationTimestamp: Int64? = nil,
        lastUpdatedTimestamp: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.url = url
        self.events = events
        self.status = status
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case id = "webhook_id"
        case name
        case description
        case url
        case events
        case status
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(forKey: .name, default: "")
        description = try container.decodeIfPresent(String.self, forKey: .description)
        url = try container.decode(forKey: .url, default: "")
        events = try container.decode(forKey: .events, default: [])
        status = try container.decode(forKey: .status, default: .active)
        creationTimestamp = try container.decodeIfPresent(Int64.self, forKey: .creationTimestamp)
        lastUpdatedTimestamp = try container.decodeIfPresent(Int64.self, forKey: .lastUpdatedTimestamp)
    }
}
