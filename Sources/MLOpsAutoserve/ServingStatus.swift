import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the agent knows about one (model, alias): the version the registry wants, the version being
/// served, where, and Kubernetes-style conditions saying whether all is well.
public struct ServingStatus: Sendable, Hashable, Codable {
    /// The registered model.
    public var model: String
    /// The alias.
    public var alias: String
    /// The version the alias points to, when the registry could be read and the version is READY.
    public var desiredVersion: String?
    /// The version the ready instance serves, if any.
    public var servingVersion: String?
    /// Where the serving instance answers.
    public var endpoint: String?
    /// The serving instance's runtime ID and name.
    public var instanceID: String?
    public var instanceName: String?
    /// The overall state, derived from the conditions.
    public var state: ServingState
    /// Why the key is not ready, in one machine-readable word such as `ReadinessTimeout`.
    public var reason: String?
    /// A sentence for people.
    public var message: String?
    /// When ``state`` last changed.
    public var since: Date
    /// `Ready`, `Progressing` and `Degraded`, each with its own reason and transition time.
    public var conditions: [ServingCondition]
    /// Restarts of the serving instance since the back-off last reset.
    public var restarts: Int
    /// The key's stable route on the agent's gateway (`http://127.0.0.1:9102/models/iris/Production`),
    /// when the gateway is on.
    public var gatewayURL: String?
    /// Requests per second through the gateway, over about the last minute.
    public var requestsPerSecond: Double?
    /// The share of those answered 5xx.
    public var errorRatio: Double?

    public init(
        model: String,
        alias: String,
        desiredVersion: String? = nil,
        servingVersion: String? = nil,
        endpoint: String? = nil,
        instanceID: String? = nil,
        instanceName: String? = nil,
        state: ServingState,
        reason: String? = nil,
        message: String? = nil,
        since: Date,
        conditions: [ServingCondition] = [],
        restarts: Int = 0
    ) {
        self.model = model
        self.alias = alias
        self.desiredVersion = desiredVersion
        self.servingVersion = servingVersion
        self.endpoint = endpoint
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.state = state
        self.reason = reason
        self.message = message
        self.since = since
        self.conditions = conditions
        self.restarts = restarts
    }

    /// The key this status is about.
    public var key: ServingKey { ServingKey(model: model, alias: alias) }

    enum CodingKeys: String, CodingKey {
        case model, alias, endpoint, state, reason, message, since, conditions, restarts
        case desiredVersion = "desired_version"
        case servingVersion = "serving_version"
        case instanceID = "instance_id"
        case instanceName = "instance_name"
        case gatewayURL = "gateway_url"
        case requestsPerSecond = "requests_per_second"
        case errorRatio = "error_ratio"
    }
}

/// The overall state of a serving key.
public enum ServingState: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The desired version is served and answered its readiness checks.
    case ready = "Ready"
    /// A rollout, start or restart is under way.
    case progressing = "Progressing"
    /// Something is wrong: the new version failed, the registry or runtime is unreachable, or the
    /// instance crash-loops. The reason says which; a previous version may still serve.
    case degraded = "Degraded"

    public var description: String { rawValue }
}

/// One condition of a serving key, in the shape Kubernetes uses.
public struct ServingCondition: Sendable, Hashable, Codable {
    /// `Ready`, `Progressing` or `Degraded`.
    public var type: ServingState
    /// Whether the condition holds.
    public var status: Bool
    public var reason: String?
    public var message: String?
    /// When ``status`` last changed.
    public var lastTransitionTime: Date

    public init(type: ServingState, status: Bool, reason: String? = nil, message: String? = nil, lastTransitionTime: Date) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }

    enum CodingKeys: String, CodingKey {
        case type, status, reason, message
        case lastTransitionTime = "last_transition_time"
    }
}
