import MLOpsCore

/// An alias of a registered model, such as `Production`, and the version it points to.
public struct RegisteredModelAlias: Sendable, Codable, Hashable {
    /// The alias. Aliases are case-sensitive.
    public var alias: String
    /// The version the alias points to, as a decimal string such as `"3"`.
    public var version: String

    /// Creates an alias value.
    public init(alias: String, version: String) {
        self.alias = alias
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case alias
        case version
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        alias = try container.decode(forKey: .alias, default: "")
        version = try container.decode(forKey: .version, default: "")
    }
}
