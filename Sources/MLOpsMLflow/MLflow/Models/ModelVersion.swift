import MLOpsCore

/// One version of a registered model.
public struct ModelVersion: Sendable, Codable, Equatable {
    /// The registered model's name.
    public var name: String
    /// The version number as a decimal string, such as `"1"`.
    public var version: String
    /// When the version was created, in milliseconds since 1970.
    public var creationTimestamp: Int64?
    /// When the version's metadata last changed, in milliseconds since 1970.
    public var lastUpdatedTimestamp: Int64?
    /// The user who created the version.
    public var userID: String?
    /// The deprecated stage, such as `"None"` or `"Production"`.
    public var currentStage: String?
    /// The version's description.
    public var description: String?
    /// Where the model's files came from, such as `mlflow-artifacts:/1/<run>/artifacts/model` or
    /// `models:/m-<id>` for an MLflow 3 logged model. Use `getModelVersionDownloadURI` for the files.
    public var source: String?
    /// The run that produced the model, if any.
    public var runID: String?
    /// Whether registration is pending, failed or done. ``ModelVersionStatus/pendingRegistration``
    /// (MLflow's default) when the server omits it.
    public var status: ModelVersionStatus
    /// Details on a pending or failed registration.
    public var statusMessage: String?
    /// The version's tags.
    public var tags: [ModelVersionTag]
    /// A link to the producing run on another tracking server; usually empty.
    public var runLink: String?
    /// The aliases pointing at this version. Filled by `get` and get-by-alias, but **empty in search
    /// results** (the server omits them there); use ``RegisteredModel/aliases`` instead.
    public var aliases: [String]
    /// The MLflow 3 logged model this version was registered from, when the server reports it.
    public var modelID: String?

    /// Creates a model-version value.
    public init(
        name: String,
        version: String,
        creationTimestamp: Int64? = nil,
        lastUpdatedTimestamp: Int64? = nil,
        userID: String? = nil,
        currentStage: String? = nil,
        description: String? = nil,
        source: String? = nil,
        runID: String? = nil,
        status: ModelVersionStatus = .ready,
        statusMessage: String? = nil,
        tags: [ModelVersionTag] = [],
        runLink: String? = nil,
        aliases: [String] = [],
        modelID: String? = nil
    ) {
        self.name = name
        self.version = version
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
        self.userID = userID
        self.currentStage = currentStage
        self.description = description
        self.source = source
        self.runID = runID
        self.status = status
        self.statusMessage = statusMessage
        self.tags = tags
        self.runLink = runLink
        self.aliases = aliases
        self.modelID = modelID
    }

    /// The value of the tag called `key`, if set.
    public func tag(_ key: String) -> String? {
        tags.last { $0.key == key }?.value
    }

    enum CodingKeys: String, CodingKey {
        case name
        case version
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        case userID = "user_id"
        case currentStage = "current_stage"
        case description
        case source
        case runID = "run_id"
        case status
        case statusMessage = "status_message"
        case tags
        case runLink = "run_link"
        case aliases
        case modelID = "model_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(forKey: .name, default: "")
        version = try container.decode(forKey: .version, default: "")
        creationTimestamp = try container.decodeIfPresent(Int64.self, forKey: .creationTimestamp)
        lastUpdatedTimestamp = try container.decodeIfPresent(Int64.self, forKey: .lastUpdatedTimestamp)
        userID = try container.decodeIfPresent(String.self, forKey: .userID)
        currentStage = try container.decodeIfPresent(String.self, forKey: .currentStage)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        runID = try container.decodeIfPresent(String.self, forKey: .runID)
        status = try container.decode(forKey: .status, default: .pendingRegistration)
        statusMessage = try container.decodeIfPresent(String.self, forKey: .statusMessage)
        tags = try container.decode(forKey: .tags, default: [])
        runLink = try container.decodeIfPresent(String.self, forKey: .runLink)
        aliases = try container.decode(forKey: .aliases, default: [])
        modelID = try container.decodeIfPresent(String.self, forKey: .modelID)
    }
}
