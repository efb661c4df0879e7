import MLOpsCore
import MLOpsServing

/// What the reconciler reports as it works, for metrics and logs. Every method has an empty default,
/// so an observer implements only what it needs. Calls come from the reconciler's actor: keep them
/// quick and non-blocking.
public protocol AutoserveObserver: Sendable {
    /// A resync read the registry (successfully).
    func registryRead(_ snapshot: RegistrySnapshot, duration: Duration)
    /// A resync finished; `error` says why it could not complete.
    func reconcileFinished(duration: Duration, error: (any Error)?)
    /// A decision: one line for the log (model, alias, versions, reason).
    func decided(_ decision: AutoserveDecision)
    /// A rollout finished. `propagation` is the time from when the alias change was first seen (a
    /// webhook or a resync) to the new instance being ready.
    func rolloutFinished(key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?)
    /// An instance was restarted after a crash.
    func instanceRestarted(key: ServingKey, version: String)
    /// The statuses after a change.
    func statusesChanged(_ statuses: [ServingStatus])
}

extension AutoserveObserver {
    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {}
    public func reconcileFinished(duration: Duration, error: (any Error)?) {}
    public func decided(_ decision: AutoserveDecision) {}
    public func rolloutFinished(key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?) {}
    public func instanceRestarted(key: ServingKey, version: String) {}
    public func statusesChanged(_ statuses: [ServingStatus]) {}
}

/// One decision of the reconciler, with everything a log line needs.
public struct AutoserveDecision: Sendable, Hashable, CustomStringConvertible {
    /// What was decided.
    public enum Action: String, Sendable, Hashable {
        case create, replace, start, restart, remove, adopt, keep, wait, rename, giveUp = "give-up"
    }

    public var action: Action
    public var key: ServingKey
    /// The version served before (replace, remove) or now (keep).
    public var fromVersion: String?
    /// The version being rolled out (create, replace, start).
    public var toVersion: String?
    /// Why, in words.
    public var reason: String
    /// The instance concerned, when there is one.
    public var instanceID: String?

    public init(
        action: Action, key: ServingKey, fromVersion: String? = nil, toVersion: String? = nil, reason: String,
        instanceID: String? = nil
    ) {
        self.action = action
        self.key = key
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.reason = reason
        self.instanceID = instanceID
    }

    public var description: String {
        var text = "\(action.rawValue) \(key)"
        switch (fromVersion, toVersion) {
        case let (from?, to?) where from != to: text += " v\(from) → v\(to)"
        case let (_, to?): text += " v\(to)"
        case let (from?, nil): text += " v\(from)"
        default: break
        }
        return text + ": " + reason
    }
}

/// An observer that ignores everything.
public struct NoAutoserveObserver: AutoserveObserver {
    public init() {}
}
