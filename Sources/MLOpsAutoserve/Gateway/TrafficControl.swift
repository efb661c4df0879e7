import MLOpsCore
import MLOpsServing

/// Where the reconciler tells the data plane which instance serves each key, and asks it to drain an
/// instance before it is stopped.
///
/// The reconciler publishes in the same step as it changes a key's status, so a key is routed to a
/// new instance from the moment it is Ready and never to one that is being retired. Without a
/// gateway (``NoTrafficControl``) nothing is routed and a drain is a plain wait of the grace.
public protocol TrafficControl: Sendable {
    /// `instance` serves `key` from now on: new requests go to it.
    func serve(_ key: ServingKey, instance: ServingInstance)
    /// Nothing serves `key` for now (a crash, a first rollout under way): requests get 503 with
    /// `Retry-After` of about `retryAfter`.
    func unavailable(_ key: ServingKey, retryAfter: Duration)
    /// The reconciler no longer knows `key`: requests for it get 404.
    func remove(_ key: ServingKey)
    /// Stops sending requests to the instances `instanceIDs` and returns once none of them has a
    /// request in flight, or once `deadline` passes on `clock`, whichever comes first.
    func drain(_ instanceIDs: [String], until deadline: ServingClock.Instant, clock: ServingClock) async -> DrainOutcome
    /// `instance` has just taken `key` over from `previous`, which is still running: returns once the
    /// new instance's answers decided (see ``VerificationPolicy``), or its time bound passed. When the
    /// outcome is ``VerificationOutcome/rolledBack(answers:errors:)`` the key is routed to `previous`
    /// again (already, when this returns).
    func verify(
        _ key: ServingKey, instance: ServingInstance, previous: ServingInstance, policy: VerificationPolicy,
        clock: ServingClock
    ) async -> VerificationOutcome
}

/// How a drain ended.
public enum DrainOutcome: Sendable, Equatable {
    /// No request was left in flight.
    case drained
    /// The deadline passed with `requestsInFlight` requests still in flight.
    case deadlinePassed(requestsInFlight: Int)
    /// The wait was cancelled (the reconciler is stopping).
    case cancelled
}

/// No data plane: nothing is routed, and a drain waits until its deadline (the drain grace), since
/// requests may reach the instances directly and nobody counts them.
public struct NoTrafficControl: TrafficControl {
    public init() {}

    public func serve(_ key: ServingKey, instance: ServingInstance) {}
    public func unavailable(_ key: ServingKey, retryAfter: Duration) {}
    public func remove(_ key: ServingKey) {}

    /// Nobody counts answers: it passes at once.
    public func verify(
        _ key: ServingKey, instance: ServingInstance, previous: ServingInstance, policy: VerificationPolicy,
        clock: ServingClock
    ) async -> VerificationOutcome {
        .passed(answers: 0)
    }

    public func drain(_ instanceIDs: [String], until deadline: ServingClock.Instant, clock: ServingClock) async -> DrainOutcome {
        do {
            try await clock.sleep(until: deadline)
            return .drained
        } catch {
            return .cancelled
        }
    }
}
