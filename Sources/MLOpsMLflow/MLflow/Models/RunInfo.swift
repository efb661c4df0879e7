import MLOpsCore

/// The metadata of a run: identity, status, timing and where its artifacts live.
public struct RunInfo: Sendable, Codable, Equatable {
    /// The run's ID, a 32-character hex string.
    public var runID: String
    /// The run's display name, if it has one.
    public var runName: String?
    /// The ID of the experiment the run belongs to.
    public var experimentID: String
    /// The user who created the run. The server returns an empty string unless one was sent.
    public var userID: String?
    /// The run's status. MLflow's default, ``RunStatus/running``, when the server omits it.
    public var status: RunStatus
    /// When the run started, in milliseconds since 1970.
    public var startTime: Int64?
    /// When the run ended, in milliseconds since 1970; `nil` while it runs.
    public var endTime: Int64?
    /// The root of the run's artifacts, such as `mlflow-artifacts:/1/<run id>/artifacts`.
    public var artifactURI: String?
    /// Whether the run is active or deleted.
    public var lifecycleStage: LifecycleStage

    /// Creates a run-info value.
    public init(
        runID: String,
        runName: String? = nil,
        experimentID: String,
        userID: String? = nil,
        status: RunStatus = .running,
        startTime: Int64? = nil,
        endTime: Int64? = nil,
        artifactURI: String? = nil,
        lifecycleStage: LifecycleStage = .active
    ) {
        self.runID = runID
        self.runName = runName
        self.experimentID = experimentID
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case runName = "run_name"
        case experimentID = "experiment_id"
        case userID = "user_id"
        case status
        case startTime = "start_time"
        case endTime = "end_time"
        case artifactURI = "artifact_uri"
        case lifecycleStage = "lifecycle_stage"
    }

    /// Older servers send the run ID only as the deprecated `run_uuid`.
    private enum LegacyCodingKeys: String, CodingKey {
        case runUUID = "run_uuid"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let legacy = try decoder.container(keyedBy: LegacyCodingKeys.self)
        runID =
            try container.decodeIfPresent(String.self, forKey: .runID)
            ?? legacy.decode(forKey: .runUUID, default: "")
        runName = try container.decodeIfPresent(String.self, forKey: .runName)
        experimentID = try container.decode(forKey: .experimentID, default: "")
        userID = try container.decodeIfPresent(String.self, forKey: .userID)
        status = try container.decode(forKey: .status, default: .running)
        startTime = try container.decodeIfPresent(Int64.self, forKey: .startTime)
        endTime = try container.decodeIfPresent(Int64.self, forKey: .endTime)
        artifactURI = try container.decodeIfPresent(String.self, forKey: .artifactURI)
        lifecycleStage = try container.decode(forKey: .lifecycleStage, default: .active)
    }
}
