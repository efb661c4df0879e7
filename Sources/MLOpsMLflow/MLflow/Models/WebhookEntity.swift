import MLOpsCore

/// The kind of registry object a webhook event is about, such as `model_version_alias`.
///
/// Behaves like an enum but keeps any value, so an entity added by a newer server does not break
/// decoding. The raw value is the lower-case name deliveries carry (`"model_version_alias"`); the
/// REST API spells it in upper case (`"MODEL_VERSION_ALIAS"`), see ``restName``.
public struct WebhookEntity: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The entity as a delivery spells it, such as `"model_version_alias"`.
    public let rawValue: String

    /// An entity from its lower-case name; upper-case REST names are lowered.
    public init(rawValue: String) { self.rawValue = rawValue.lowercased() }

    /// A registered model.
    public static let registeredModel = WebhookEntity(rawValue: "registered_model")
    /// A model version.
    public static let modelVersion = WebhookEntity(rawValue: "model_version")
    /// A tag on a model version.
    public static let modelVersionTag = WebhookEntity(rawValue: "model_version_tag")
    /// An alias of a registered model (`Production`, `Staging`, …).
    public static let modelVersionAlias = WebhookEntity(rawValue: "model_version_alias")
    /// A prompt of the prompt registry.
    public static let prompt = WebhookEntity(rawValue: "prompt")
    /// A prompt version.
    public static let promptVersion = WebhookEntity(rawValue: "prompt_version")
    /// A tag on a prompt.
    public static let promptTag = WebhookEntity(rawValue: "prompt_tag")
    /// A tag on a prompt version.
    public static let promptVersionTag = WebhookEntity(rawValue: "prompt_version_tag")
    /// An alias of a prompt.
    public static let promptAlias = WebhookEntity(rawValue: "prompt_alias")

    /// The upper-case name the REST API expects, such as `"MODEL_VERSION_ALIAS"`. The server answers a
    /// lower-case name with an HTML 500.
    public var restName: String { rawValue.uppercased() }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
