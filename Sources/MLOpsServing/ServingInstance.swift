import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A serving instance as its runtime reports it: the actual state the reconciler compares with the
/// registry.
public struct ServingInstance: Sendable, Hashable {
    /// The runtime's identifier: a container ID, or the process runtime's instance ID.
    public var id: String
    /// The instance's name (``ServingNames``).
    public var name: String
    /// Every label on the instance, ``ServingLabels`` among them.
    public var labels: [String: String]
    /// Whether it runs.
    public var state: ServingInstanceState
    /// Where its model server answers, such as `http://127.0.0.1:5001`. `nil` when the runtime cannot
    /// tell (not started).
    public var endpoint: URL?
    /// When it last started.
    public var startedAt: Date?
    /// The process ID of the model server, when the runtime knows it.
    public var processID: Int32?
    /// How many times the runtime itself restarted it (Docker's restart policy).
    public var restartCount: Int

    public init(
        id: String,
        name: String,
        labels: [String: String],
        state: ServingInstanceState,
        endpoint: URL? = nil,
        startedAt: Date? = nil,
        processID: Int32? = nil,
        restartCount: Int = 0
    ) {
        self.id = id
        self.name = name
        self.labels = labels
        self.state = state
        self.endpoint = endpoint
        self.startedAt = startedAt
        self.processID = processID
        self.restartCount = restartCount
    }

    /// The (model, alias) from the instance's labels, when it carries both.
    public var key: ServingKey? {
        guard let model = labels[ServingLabels.model], let alias = labels[ServingLabels.alias] else { return nil }
        return ServingKey(model: model, alias: alias)
    }

    /// The model version from ``ServingLabels/version``.
    public var version: String? { labels[ServingLabels.version] }

    /// The port from ``ServingLabels/port``.
    public var port: Int? { labels[ServingLabels.port].flatMap { Int($0) } }

    /// The configuration hash from ``ServingLabels/configHash``.
    public var configHash: String? { labels[ServingLabels.configHash] }
}

/// Whether a serving instance runs.
public enum ServingInstanceState: Sendable, Hashable, CustomStringConvertible {
    /// Created and never started.
    case created
    /// Its process runs (which says nothing yet about whether the model answers).
    case running
    /// The runtime is restarting it after it exited.
    case restarting
    /// It ran and stopped; `exitCode` when known.
    case exited(exitCode: Int32?)

    /// Whether its process runs.
    public var isRunning: Bool { self == .running }

    public var description: String {
        switch self {
        case .created: "created"
        case .running: "running"
        case .restarting: "restarting"
        case .exited(let code?): "exited (\(code))"
        case .exited(nil): "exited"
        }
    }
}
