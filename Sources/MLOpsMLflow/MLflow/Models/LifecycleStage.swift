import MLOpsCore

/// Whether an experiment or run is live or marked for deletion.
///
/// Decodes any string, so a stage added by a newer server does not break decoding.
public struct LifecycleStage: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stage as MLflow spells it, such as `"active"`.
    public let rawValue: String

    /// A stage from its raw value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// In use.
    public static let active = LifecycleStage(rawValue: "active")
    /// Marked for deletion; restorable until garbage-collected.
    public static let deleted = LifecycleStage(rawValue: "deleted")

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
