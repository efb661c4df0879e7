import MLOpsCore

/// One event a webhook can subscribe to: an entity and an action, such as
/// `model_version_alias.created`.
///
/// The server accepts only the combinations it knows (``modelVersionAliasCreated`` and the other
/// constants here, plus prompt events); others are refused with ``MLflowError/Code/invalidParameterValue``.
public struct WebhookEventType: Hashable, Sendable, CustomStringConvertible {
    /// The kind of object the event is about.
    public var entity: WebhookEntity
    /// What happened to it.
    public var action: WebhookAction

    /// Creates an event type.
    public init(entity: WebhookEntity, action: WebhookAction) {
        self.entity = entity
        self.action = action
    }

    /// A registered model was created.
    public static let registeredModelCreated = WebhookEventType(entity: .registeredModel, action: .created)
    /// A model version was created.
    public static let modelVersionCreated = WebhookEventType(entity: .modelVersion, action: .created)
    /// A tag was set on a model version.
    public static let modelVersionTagSet = WebhookEventType(entity: .modelVersionTag, action: .set)
    /// A tag was deleted from a model version.
    public static let modelVersionTagDeleted = WebhookEventType(entity: .modelVersionTag, action: .deleted)
    /// An alias was set, or moved to another version.
    public static let modelVersionAliasCreated = WebhookEventType(entity: .modelVersionAlias, action: .created)
    /// An alias was deleted.
    public static let modelVersionAliasDeleted = WebhookEventType(entity: .modelVersionAlias, action: .deleted)

    /// `entity.action`, as MLflow writes event names: `model_version_alias.created`.
    public var description: String { "\(entity).\(action)" }
}

extension WebhookEventType: Codable {
    enum CodingKeys: String, CodingKey {
        case entity
        case action
    }

    /// Decodes `{"entity": "MODEL_VERSION_ALIAS", "action": "CREATED"}` (either case).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entity = try container.decode(WebhookEntity.self, forKey: .entity)
        action = try container.decode(WebhookAction.self, forKey: .action)
    }

    /// Encodes the upper-case form the REST API requires.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entity.restName, forKey: .entity)
        try container.encode(action.restName, forKey: .action)
    }
}
