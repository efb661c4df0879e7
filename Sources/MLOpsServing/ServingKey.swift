import MLOpsCore

/// One (model, alias) pair the agent keeps a serving instance for.
public struct ServingKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The registered model's name.
    public var model: String
    /// The alias, such as `Production`.
    public var alias: String

    public init(model: String, alias: String) {
        self.model = model
        self.alias = alias
    }

    /// `model@alias`, the form `models:/` URIs and the CLI use.
    public var description: String { "\(model)@\(alias)" }

    public static func < (lhs: ServingKey, rhs: ServingKey) -> Bool {
        (lhs.model, lhs.alias) < (rhs.model, rhs.alias)
    }
}
