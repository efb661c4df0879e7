import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the reconciler remembers about one key between resyncs. Everything else is read again.
struct KeyState: Sendable {
    var status: ServingStatus
    var desiredVersion: String?
    var backoff: RestartBackoff
    /// When a crash of the serving instance was first noticed.
    var crashedAt: ServingClock.Instant?
    /// When the serving instance last became ready.
    var upSince: ServingClock.Instant?
    /// Instances this agent has seen answer their readiness checks.
    var confirmedInstances: Set<String> = []
    /// A version whose rollout failed, and when it may be tried again.
    var failedVersion: String?
    var failedReason: String?
    var failedMessage: String?
    var failedAttempts = 0
    var failedRetryAt: ServingClock.Instant?
    /// The failed version waits for the alias to move rather than for a back-off (its traffic was
    /// rolled back: trying it again would expose clients again).
    var failedUntilAliasMoves = false
    /// When the alias change being rolled out was first noticed (webhook or resync).
    var changeSeenAt: ServingClock.Instant?
    /// The desired version last seen, when it last changed, and whether that change came hard on the
    /// heels of the one before (a burst, rolled out once the alias settles).
    var observedDesiredVersion: String?
    var desiredChangedAt: ServingClock.Instant?
    var inBurst = false

    init(key: ServingKey, policy: RestartBackoff.Policy, at now: Date) {
        status = ServingStatus(
            model: key.model, alias: key.alias, state: .progressing, reason: "Pending", message: "not reconciled yet",
            since: now,
            conditions: [
                ServingCondition(type: .ready, status: false, lastTransitionTime: now),
                ServingCondition(type: .progressing, status: true, reason: "Pending", lastTransitionTime: now),
                ServingCondition(type: .degraded, status: false, lastTransitionTime: now),
            ])
        backoff = RestartBackoff(policy: policy)
    }

    /// Sets the key's state, keeping its conditions consistent: each condition's transition time
    /// changes only when the condition does.
    mutating func setState(_ state: ServingState, reason: String?, message: String, at date: Date) {
        if status.state != state { status.since = date }
        status.state = state
        status.reason = reason
        status.message = message
        for index in status.conditions.indices {
            let holds: Bool
            switch status.conditions[index].type {
            case .ready: holds = state == .ready
            case .progressing: holds = state == .progressing
            case .degraded: holds = state == .degraded
            }
            if status.conditions[index].status != holds { status.conditions[index].lastTransitionTime = date }
            status.conditions[index].status = holds
            status.conditions[index].reason = holds ? reason : nil
            status.conditions[index].message = holds ? message : nil
        }
    }

    /// Points the status at `instance` (or at nothing).
    mutating func setServing(_ instance: ServingInstance?) {
        status.servingVersion = instance?.version
        status.endpoint = instance?.endpoint?.absoluteString
        status.instanceID = instance?.id
        status.instanceName = instance?.name
    }
}
