import MLOpsCore

/// An experiment: a named group of runs.
public struct Experiment: Sendable, Codable, Equatable {
    /// The experiment's ID, a decimal string such as `"1"`.
    public var experimentID: String
    /// The experiment's unique name.
    public var name: String
    /// Where the runs' artifacts go, such as `mlflow-artifacts:/1`.
    public var artifactLocation: String?
    /// Whether the experiment is active or deleted.
    public var lifecycleStage: LifecycleStage
    /// When the experiment was last changed, in milliseconds since 1970.
    public var lastUpdateTime: Int64?
    /// When the experiment was created, in milliseconds since 1970.
    public var creationTime: Int64?
    /// The experiment's tags; empty when it has none.
    public var tags: [ExperimentTag]

    /// Creates an experiment value.
    public init(
        experimentID: String,
        name: String,
        artifactLocation: String? = nil,
        lifecycleStage: LifecycleStage = .active,
        lastUpdateTime: Int64? = nil,
        creationTime: Int64? = nil,
        tags: [ExperimentTag] = []
    ) {
        self.experimentID = experimentID
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.lastUpdateTime = lastUpdateTime
        self.creationTime = creationTime
        self.tags = tags
    }

    /// The value of the tag called `key`, if set.
    public func tag(_ key: String) -> String? {
        tags.last { $0.key == key }?.value
    }

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id"
        case name
        case artifactLocation = "artifact_location"
        case lifecycleStage = "lifecycle_stage"
        case lastUpdateTime = "last_update_time"
        case creationTime = "creation_time"
        case tags
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        experimentID = try container.decode(forKey: .experimentID, default: "")
        name = try container.decode(forKey: .name, default: "")
        artifactLocation = try container.decodeIfPresent(String.self, forKey: .artifactLocation)
        lifecycleStage = try container.decode(forKey: .lifecycleStage, default: .active)
        lastUpdateTime = try container.decodeIfPresent(Int64.self, forKey: .lastUpdateTime)
        creationTime = try container.decodeIfPresent(Int64.self, forKey: .creationTime)
        tags = try container.decode(forKey: .tags, default: [])
    }
}
