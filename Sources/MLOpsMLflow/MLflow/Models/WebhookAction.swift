import MLOpsCore

/// What happened to a webhook event's entity, such as `created`.
///
/// Behaves like an enum but keeps any value. The raw value is the lower-case name deliveries carry;
/// the REST API spells it in upper case, see ``restName``.
public struct WebhookAction: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The action as a delivery spells it, such as `"created"`.
    public let rawValue: String

    /// An action from its lower-case name; upper-case REST names are lowered.
    public init(rawValue: String) { self.rawValue = rawValue.lowercased() }

    /// The entity was created (for aliases: set, including moved to another version).
    public static let created = WebhookAction(rawValue: "created")
    /// The entity was updated.
    public static let updated = WebhookAction(rawValue: "updated")
    /// The entity was deleted.
    public static let deleted = WebhookAction(rawValue: "deleted")
    /// A tag was set.
    public static let set = WebhookAction(rawValue: "set")

    /// The upper-case name the REST API expects, such as `"CREATED"`.
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
