import MLOpsCore

/// A registered model: a named series of model versions, with tags and aliases.
public struct RegisteredModel: Sendable, Codable, Equatable {
    /// The model's unique name.
    public var name: String
    /// When the model was created, in milliseconds since 1970.
    public var creationTimestamp: Int64?
    /// When the model's metadata last changed, in milliseconds since 1970.
    public var lastUpdatedTimestamp: Int64?
    /// The user who created the model (the server currently leaves it out).
    public var userID: String?
    /// The model's description.
    public var description: String?
    /// The latest version in each stage. These carry no aliases; use ``aliases``.
    public var latestVersions: [ModelVersion]
    /// The model's tags.
    public var tags: [RegisteredModelTag]
    /// The model's aliases and the versions they point to. Included by `get` and by `search`.
    public var aliases: [RegisteredModelAlias]

    /// Creates a registered-model value.
    public init(
        name: String,
        creationTimestamp: Int64? = nil,
        lastUpdatedTimestamp: Int64? = nil,
        userID: String? = nil,
        description: String? = nil,
        latestVersions: [ModelVersion] = [],
        tags: [RegisteredModelTag] = [],
        aliases: [RegisteredModelAlias] = []
    ) {
        self.name = name
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.userID = userID
        self.description = description
        self.latestVersions = latestVersions
        self.tags = tags
        self.aliases = aliases
    }

    /// The version `alias` points to, if the model has that alias (compared case-sensitively).
    public func version(forAlias alias: String) -> String? {
        aliases.first { $0.alias == alias }?.version
    }

    /// The value of the tag called `key`, if set.
    public func tag(_ key: String) -> String? {
        tags.last { $0.key == key }?.value
    }

    enum CodingKeys: String, CodingKey {
        case name
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        case userID = "user_id"
        case description
        case latestVersions = "latest_versions"
        case tags
        case aliases
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(forKey: .name, default: "")
        creationTimestamp = try container.decodeIfPresent(Int64.self, forKey: .creationTimestamp)
        lastUpdatedTimestamp = try container.decodeIfPresent(Int64.self, forKey: .lastUpdatedTimestamp)
        userID = try container.decodeIfPresent(String.self, forKey: .userID)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        latestVersions = try container.decode(forKey: .latestVersions, default: [])
        tags = try container.decode(forKey: .tags, default: [])
        aliases = try container.decode(forKey: .aliases, default: [])
    }
}
