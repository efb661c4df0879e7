import MLOpsCore

/// The registration state of a model version.
///
/// Behaves like an enum but decodes any string, so a status added by a newer server does not break
/// decoding.
public struct ModelVersionStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The status as MLflow spells it, such as `"READY"`.
    public let rawValue: String

    /// A status from its raw value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The server is still registering the version.
    public static let pendingRegistration = ModelVersionStatus(rawValue: "PENDING_REGISTRATION")
    /// Registration failed; see ``ModelVersion/statusMessage``.
    public static let failedRegistration = ModelVersionStatus(rawValue: "FAILED_REGISTRATION")
    /// The version is ready for use.
    public static let ready = ModelVersionStatus(rawValue: "READY")

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
