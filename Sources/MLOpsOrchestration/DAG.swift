import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A DAG as the scheduler describes it.
public struct DAG: Sendable, Hashable, Codable {
    public var dagID: String
    public var isPaused: Bool
    public var description: String?
    public var tags: [String]
    /// Whether the DAG file failed to import.
    public var hasImportErrors: Bool

    public init(dagID: String, isPaused: Bool, description: String? = nil, tags: [String] = [], hasImportErrors: Bool = false) {
        self.dagID = dagID
        self.isPaused = isPaused
        self.description = description
        self.tags = tags
        self.hasImportErrors = hasImportErrors
    }

    enum CodingKeys: String, CodingKey {
        case dagID = "dag_id"
        case isPaused = "is_paused"
        case description, tags
        case hasImportErrors = "has_import_errors"
    }
}

/// One run of a DAG.
public struct DAGRun: Sendable, Hashable, Codable {
    /// Where a run is.
    public struct State: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let queued = State(rawValue: "queued")
        public static let running = State(rawValue: "running")
        public static let success = State(rawValue: "success")
        public static let failed = State(rawValue: "failed")
        /// Whether the run has ended.
        public var isTerminal: Bool { self == .success || self == .failed }
        public var description: String { rawValue }
    }

    public var dagID: String
    public var runID: String
    public var state: State
    public var conf: [String: JSONValue]
    public var logicalDate: Date?
    public var queuedAt: Date?
    public var startDate: Date?
    public var endDate: Date?

    public init(
        dagID: String, runID: String, state: State, conf: [String: JSONValue] = [:], logicalDate: Date? = nil,
        queuedAt: Date? = nil, startDate: Date? = nil, endDate: Date? = nil
    ) {
        self.dagID = dagID
        self.runID = runID
        self.state = state
        self.conf = conf
        self.logicalDate = logicalDate
        self.queuedAt = queuedAt
        self.startDate = startDate
        self.endDate = endDate
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dagID = try container.decode(String.self, forKey: .dagID)
        runID = try container.decode(String.self, forKey: .runID)
        state = try container.decodeIfPresent(State.self, forKey: .state) ?? .queued
        conf = try container.decodeIfPresent([String: JSONValue].self, forKey: .conf) ?? [:]
        logicalDate = try container.decodeIfPresent(Date.self, forKey: .logicalDate)
        queuedAt = try container.decodeIfPresent(Date.self, forKey: .queuedAt)
        startDate = try container.decodeIfPresent(Date.self, forKey: .startDate)
        endDate = try container.decodeIfPresent(Date.self, forKey: .endDate)
    }

    enum CodingKeys: String, CodingKey {
        case dagID = "dag_id"
        case runID = "dag_run_id"
        case state, conf
        case logicalDate = "logical_date"
        case queuedAt = "queued_at"
        case startDate = "start_date"
        case endDate = "end_date"
    }
}

/// One task of a run.
public struct TaskInstance: Sendable, Hashable, Codable {
    public var taskID: String
    /// `nil` until the scheduler has looked at the task; then `scheduled`, `queued`, `running`,
    /// `success`, `failed`, `up_for_retry`, `upstream_failed`, `skipped`, …
    public var state: String?
    /// The current try, from 1; 0 before the first.
    public var tryNumber: Int
    public var startDate: Date?
    public var endDate: Date?
    public var durationSeconds: Double?

    public init(
        taskID: String, state: String?, tryNumber: Int, startDate: Date? = nil, endDate: Date? = nil,
        durationSeconds: Double? = nil
    ) {
        self.taskID = taskID
        self.state = state
        self.tryNumber = tryNumber
        self.startDate = startDate
        self.endDate = endDate
        self.durationSeconds = durationSeconds
    }

    /// Whether the task failed for good.
    public var hasFailed: Bool { state == "failed" || state == "upstream_failed" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        taskID = try container.decode(String.self, forKey: .taskID)
        state = try container.decodeIfPresent(String.self, forKey: .state)
        tryNumber = try container.decodeIfPresent(Int.self, forKey: .tryNumber) ?? 0
        startDate = try container.decodeIfPresent(Date.self, forKey: .startDate)
        endDate = try container.decodeIfPresent(Date.self, forKey: .endDate)
        durationSeconds = try container.decodeIfPresent(Double.self, forKey: .durationSeconds)
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case state
        case tryNumber = "try_number"
        case startDate = "start_date"
        case endDate = "end_date"
        case durationSeconds = "duration"
    }
}
