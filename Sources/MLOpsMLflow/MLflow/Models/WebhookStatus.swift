import MLOpsCore

/// Whether a webhook receives events.
///
/// Behaves like an enum but decodes any string, so a status added by a newer server does not break
/// decoding.
public struct WebhookStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The status as MLflow spells it, such as `"ACTIVE"`.
    public let rawValue: String

    /// A status from its raw value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The webhook receives events (the server's default).
    public static let active = WebhookStatus(rawValue: "ACTIVE")
    /// The webhook receives no events; the `test` endpoint still sends to it.
    public static let disabled = WebhookStatus(rawValue: "DISABLED")

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
