import MLOpsServing
import MLOpsCore

/// Crash-loop back-off for one serving key, as the kubelet does it: the first restart waits
/// ``Policy/initialDelay`` after the crash, each further one twice as long up to ``Policy/maximumDelay``, and the count
/// starts again once an instance has stayed up for ``Policy/resetAfter``.
public struct RestartBackoff: Sendable, Hashable {
    /// The back-off's timing.
    public struct Policy: Sendable, Hashable {
        public var initialDelay: Duration
        public var maximumDelay: Duration
        public var resetAfter: Duration

        public init(
            initialDelay: Duration = .seconds(10),
            maximumDelay: Duration = .seconds(300),
            resetAfter: Duration = .seconds(600)
        ) {
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.resetAfter = resetAfter
        }
    }

    public let policy: Policy
    /// Restarts since the last reset.
    public private(set) var restarts: Int = 0
    /// When the last restart happened.
    public private(set) var lastRestart: ServingClock.Instant?

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// How long the next restart waits after the crash it answers: ``Policy/initialDelay`` for the first,
    /// doubling with each restart since the last reset, never more than ``Policy/maximumDelay``.
    public var nextDelay: Duration {
        var delay = policy.initialDelay
        for _ in 0..<restarts {
            delay *= 2
            if delay >= policy.maximumDelay { return policy.maximumDelay }
        }
        return min(delay, policy.maximumDelay)
    }

    /// When the instance that crashed at `crash` may be restarted.
    public func earliestRestart(after crash: ServingClock.Instant) -> ServingClock.Instant {
        crash + nextDelay
    }

    /// Records a crash at `instant` of an instance that had been up since `upSince`. One that stayed up
    /// for ``Policy/resetAfter`` starts the count afresh, so its restart waits ``Policy/initialDelay``
    /// rather than the delay its earlier crashes had reached.
    public mutating func recordCrash(at instant: ServingClock.Instant, upSince: ServingClock.Instant?) {
        if let upSince, instant - upSince >= policy.resetAfter { reset() }
    }

    /// Records a restart at `instant`. An instance that had been up for ``Policy/resetAfter`` before it
    /// crashed resets the count first (pass when it last started as `upSince`).
    public mutating func recordRestart(at instant: ServingClock.Instant, upSince: ServingClock.Instant?) {
        if let upSince, instant - upSince >= policy.resetAfter { restarts = 0 }
        restarts += 1
        lastRestart = instant
    }

    /// Forgets past restarts (the key's version changed).
    public mutating func reset() {
        restarts = 0
        lastRestart = nil
    }
}

extension RestartBackoff {
    /// The wait after the `failures`-th failure in a row (1-based): the same doubling, for retrying a
    /// version that failed to become ready.
    public func delay(afterFailures failures: Int) -> Duration {
        var copy = RestartBackoff(policy: policy)
        copy.restarts = max(0, failures - 1)
        return copy.nextDelay
    }
}
