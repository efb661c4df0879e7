import MLOpsCore
import MLOpsServing
/// The reconciler's memory of its keys and the bookkeeping on it: statuses, crashes, failed versions,
/// alias changes. A value the reconciler actor owns; every method is synchronous and reads the time
/// from the clock it was given, so the rules are tested without running anything.
///
/// Whatever changes which instance serves a key is published to ``TrafficControl`` in the same call,
/// so the data plane routes to an instance from the moment it is Ready, and never to a crashed one.
struct ServingKeyBook: Sendable {
    private var states: [ServingKey: KeyState] = [:]
    let policy: RestartBackoff.Policy
    let clock: ServingClock
    let traffic: any TrafficControl

    /// What a request gets as `Retry-After` while nothing serves a key and no back-off says more.
    static let unservedRetryAfter: Duration = .seconds(5)

    init(policy: RestartBackoff.Policy, clock: ServingClock, traffic: any TrafficControl = NoTrafficControl()) {
        self.policy = policy
        self.clock = clock
        self.traffic = traffic
    }

    subscript(key: ServingKey) -> KeyState? {
        get { states[key] }
        set { states[key] = newValue }
    }

    /// Forgets the key: nothing is desired and nothing runs for it.
    mutating func forget(_ key: ServingKey) {
        states[key] = nil
        traffic.remove(key)
    }

    var keys: Dictionary<ServingKey, KeyState>.Keys { states.keys }

    /// The status of every key, sorted by model and alias.
    var statuses: [ServingStatus] { states.keys.sorted().compactMap { states[$0]?.status } }

    /// The key's state, created (`Pending`) when it has none.
    mutating func ensure(_ key: ServingKey) {
        guard states[key] == nil else { return }
        states[key] = KeyState(key: key, policy: policy, at: clock.wallTime())
        traffic.unavailable(key, retryAfter: Self.unservedRetryAfter)
    }

    mutating func setStatus(
        _ key: ServingKey, _ state: ServingState, reason: String?, message: String, keepServing: ServingInstance? = nil
    ) {
        ensure(key)
        let date = clock.wallTime()
        states[key]?.setState(state, reason: reason, message: message, at: date)
        if state != .ready, let keepServing, states[key]?.status.instanceID == nil {
            states[key]?.setServing(keepServing)
        }
    }

    /// `instance` answered its readiness checks and now serves the key.
    mutating func markReady(_ key: ServingKey, instance: ServingInstance) {
        ensure(key)
        states[key]?.confirmedInstances.insert(instance.id)
        let now = clock.now
        states[key]?.upSince = now
        states[key]?.crashedAt = nil
        states[key]?.setServing(instance)
        let restarts = states[key]?.backoff.restarts ?? 0
        states[key]?.status.restarts = restarts
        setStatus(key, .ready, reason: nil, message: "serving version \(instance.version ?? "?")")
        traffic.serve(key, instance: instance)
    }

    /// The instance `id` was removed: the status no longer points at it.
    mutating func forgetServing(_ key: ServingKey, instanceID id: String) {
        guard states[key]?.status.instanceID == id else { return }
        states[key]?.setServing(nil)
        traffic.unavailable(key, retryAfter: Self.unservedRetryAfter)
    }

    /// Notes when the alias's version changes, for burst protection and propagation times.
    mutating func observeDesired(_ version: String, key: ServingKey, at instant: ServingClock.Instant, settleInterval: Duration) {
        guard let state = states[key] else { return }
        if state.observedDesiredVersion != version {
            // The first sight of a key is no change; a change after a quiet spell starts a new burst.
            let isChange = state.observedDesiredVersion != nil
            let previous = state.desiredChangedAt
            states[key]?.inBurst = isChange && previous.map { instant - $0 < settleInterval } ?? false
            states[key]?.observedDesiredVersion = version
            states[key]?.desiredChangedAt = isChange ? instant : nil
            if state.failedUntilAliasMoves, isChange {
                // The alias moved: a version rolled back may be tried again once it points there again.
                states[key]?.failedUntilAliasMoves = false
                if state.failedVersion != version { states[key]?.failedVersion = nil }
            }
        }
        if state.status.servingVersion != version, state.changeSeenAt == nil {
            states[key]?.changeSeenAt = instant
        }
    }

    /// What the planner needs to know about the key's failed version.
    func context(for key: ServingKey) -> ServingPlanner.KeyContext {
        guard let state = states[key], let failed = state.failedVersion else { return ServingPlanner.KeyContext() }
        return ServingPlanner.KeyContext(
            failedVersion: failed, failedReason: state.failedReason, failedMessage: state.failedMessage,
            blockedUntilPassed: state.failedUntilAliasMoves ? false : state.failedRetryAt.map { clock.now >= $0 } ?? true,
            waitsForAliasMove: state.failedUntilAliasMoves)
    }

    /// Traffic went back to `previous` after `version` failed its verification on live traffic: the
    /// key is Degraded, and `version` is not tried again until the alias moves.
    mutating func trafficRolledBack(_ key: ServingKey, to previous: ServingInstance, version: String, message: String) {
        markReady(key, instance: previous)
        states[key]?.failedVersion = version
        states[key]?.failedReason = "TrafficRolledBack"
        states[key]?.failedMessage = message
        states[key]?.failedAttempts += 1
        states[key]?.failedRetryAt = nil
        states[key]?.failedUntilAliasMoves = true
        setStatus(key, .degraded, reason: "TrafficRolledBack", message: message)
    }

    /// Notes that the key's serving instance crashed now, unless a crash is already noted. An
    /// instance that had stayed up for the policy's `resetAfter` resets the back-off.
    private mutating func noteCrash(_ key: ServingKey) {
        guard var state = states[key], state.crashedAt == nil else { return }
        let now = clock.now
        state.crashedAt = now
        state.backoff.recordCrash(at: now, upSince: state.upSince)
        states[key] = state
        traffic.unavailable(key, retryAfter: state.backoff.nextDelay)
    }

    /// When the key's crashed instance may be restarted (noting the crash if it is new).
    mutating func earliestRestart(_ key: ServingKey) -> ServingClock.Instant {
        let now = clock.now
        noteCrash(key)
        let crashed = states[key]?.crashedAt ?? now
        return states[key]?.backoff.earliestRestart(after: crashed) ?? now
    }

    /// A restart is about to happen: counted against the back-off.
    mutating func recordRestart(_ key: ServingKey) {
        let upSince = states[key]?.upSince
        let now = clock.now
        states[key]?.backoff.recordRestart(at: now, upSince: upSince)
    }

    /// The restarted instance did not come back: the delay until the next try.
    mutating func restartFailed(_ key: ServingKey) -> Duration {
        let now = clock.now
        states[key]?.crashedAt = now
        return states[key]?.backoff.nextDelay ?? policy.initialDelay
    }

    /// A rollout switched the key to `instance`: failures and back-off are forgotten. Returns how long
    /// the change took from when it was first seen to serving, when that is known.
    mutating func switched(_ key: ServingKey, to instance: ServingInstance, version: String) -> Duration? {
        let propagation = states[key]?.changeSeenAt.map { clock.now - $0 }
        markReady(key, instance: instance)
        states[key]?.failedVersion = nil
        states[key]?.failedAttempts = 0
        states[key]?.backoff.reset()
        // A change that arrived during this rollout counts from when it was seen.
        let observed = states[key]?.observedDesiredVersion
        let changedAt = states[key]?.desiredChangedAt
        states[key]?.changeSeenAt = observed != nil && observed != version ? changedAt : nil
        return propagation
    }

    /// A rollout of `version` failed: it is blocked until a back-off delay passes, which is returned.
    mutating func rolloutFailed(
        _ key: ServingKey, version: String, reason: String, message: String, keepServing: ServingInstance?
    ) -> Duration {
        let attempts = (states[key]?.failedAttempts ?? 0) + 1
        let delay = RestartBackoff(policy: policy).delay(afterFailures: attempts)
        states[key]?.failedVersion = version
        states[key]?.failedReason = reason
        states[key]?.failedMessage = message
        states[key]?.failedAttempts = attempts
        let retryAt = clock.now + delay
        states[key]?.failedRetryAt = retryAt
        setStatus(key, .degraded, reason: reason, message: message, keepServing: keepServing)
        return delay
    }

    /// The key that `event` (an exit) concerns, when it is the instance serving that key; the crash is
    /// noted and the instance is no longer confirmed.
    mutating func noteExit(_ event: ServingRuntimeEvent) -> ServingKey? {
        guard let key = event.key ?? states.first(where: { $0.value.status.instanceID == event.instanceID })?.key,
            states[key]?.status.instanceID == event.instanceID
        else { return nil }
        noteCrash(key)
        states[key]?.confirmedInstances.remove(event.instanceID)
        return key
    }
}
