import MLOpsCore

/// Something a runtime noticed about one of its serving instances without being asked.
public struct ServingRuntimeEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// The instance started.
        case started
        /// Its process exited (crashed, killed, or stopped); `exitCode` when known.
        case exited(exitCode: Int32?)
        /// It was killed for running out of memory.
        case outOfMemory
        /// It was removed.
        case removed
    }

    /// The runtime's instance ID.
    public var instanceID: String
    /// The instance's labels when the runtime reports them (Docker events carry them).
    public var labels: [String: String]
    public var kind: Kind

    public init(instanceID: String, labels: [String: String] = [:], kind: Kind) {
        self.instanceID = instanceID
        self.labels = labels
        self.kind = kind
    }

    /// The (model, alias) from the labels, when present.
    public var key: ServingKey? {
        guard let model = labels[ServingLabels.model], let alias = labels[ServingLabels.alias] else { return nil }
        return ServingKey(model: model, alias: alias)
    }
}
