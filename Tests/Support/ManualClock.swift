import Synchronization

/// A clock that moves only when a test moves it, for testing code that waits (back-off, timeouts,
/// drain grace, periodic resyncs) in microseconds of real time and with exact instants.
///
/// Code under test sleeps on it as on any `Clock` (usually through a `ServingClock` built with
/// `ServingClock(manualClock, wallTimeAtStart:)`); a sleeper stays suspended until the test calls
/// ``advance(by:)`` or ``advance(to:)`` past its deadline. A test learns that the code under test has
/// got as far as waiting with ``waitForSleepers(count:)`` or ``waitForSleeper(until:)``: both are
/// resumed by the sleep's registration itself, never by polling or yielding in a loop, so a test can
/// step through "crash, wait 10 s, restart, crash, wait 20 s" without racing the code it drives.
///
/// We use this rather than `TestClock` of pointfreeco's swift-clocks for that synchronisation: a
/// test must be able to wait until the system under test is blocked on the clock before advancing it.
///
/// Thread-safe: its state is guarded by a `Mutex`, and it may be shared by any number of tasks.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual clock's time line: the duration since its zero.
    public struct Instant: InstantProtocol, Sendable, CustomStringConvertible {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "manual+\(offset)" }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var condition: @Sendable ([Instant]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Instant
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        /// Sleeps whose task was cancelled before they registered: they throw at registration.
        var cancelledBeforeRegistration: Set<UInt64> = []
        var waiters: [UInt64: Waiter] = [:]
        /// Every sleep registered so far, for tests that count waits.
        var registrations = 0

        var deadlines: [Instant] { sleepers.values.map(\.deadline) }

        /// The waiters whose condition holds now, removed.
        mutating func satisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let deadlines = self.deadlines
            let ready = waiters.filter { $0.value.condition(deadlines) }
            for id in ready.keys { waiters[id] = nil }
            return ready.sorted { $0.key < $1.key }.map(\.value.continuation)
        }
    }

    private let state: Mutex<State>

    /// A clock at `now` (zero by default).
    public init(now: Instant = Instant(offset: .zero)) {
        state = Mutex(State(now: now))
    }

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Suspends until the clock has been advanced to `deadline` or past it; returns at once when it
    /// is there already. Throws `CancellationError` as soon as the sleeping task is cancelled, and the
    /// sleep no longer counts as a sleeper.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case due, cancelled, waiting([CheckedContinuation<Void, Never>]) }
                let outcome: Outcome = state.withLock { state in
                    if state.cancelledBeforeRegistration.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    state.registrations += 1
                    return .waiting(state.satisfiedWaiters())
                }
                switch outcome {
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting(let waiters): for waiter in waiters { waiter.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return sleeper }
                state.cancelledBeforeRegistration.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and resumes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let target = state.withLock { $0.now.advanced(by: duration) }
        advance(to: target)
    }

    /// Moves the clock to `instant` (never backwards) and resumes every sleeper whose deadline is at or
    /// before it, earliest deadline first (sleepers with the same deadline in the order they slept).
    ///
    /// The sleepers are resumed before this returns, but they run on their own tasks afterwards: to
    /// observe what they did, wait for their next sleep (``waitForSleeper(until:)``) or for an outcome
    /// the code under test reports.
    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            if instant > state.now { state.now = instant }
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in due { state.sleepers[id] = nil }
            return due.map(\.value.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Advances to the earliest deadline of the sleepers, if there is one, and returns it.
    @discardableResult
    public func advanceToNextDeadline() -> Instant? {
        guard let next = nextDeadline else { return nil }
        advance(to: next)
        return next
    }

    /// How many sleeps are suspended now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines of the suspended sleeps, earliest first.
    public var deadlines: [Instant] { state.withLock { $0.deadlines.sorted() } }

    /// The earliest deadline of a suspended sleep.
    public var nextDeadline: Instant? { state.withLock { $0.deadlines.min() } }

    /// How many sleeps have been registered since the clock was made (returned-at-once sleeps aside).
    public var sleepCount: Int { state.withLock { $0.registrations } }

    /// Returns once at least `count` sleeps are suspended on the clock (at once if they are already).
    public func waitForSleepers(count: Int) async {
        await waitForSleepers { $0.count >= count }
    }

    /// Returns once a sleep with exactly `deadline` is suspended on the clock: "the code under test
    /// now waits for that instant".
    public func waitForSleeper(until deadline: Instant) async {
        await waitForSleepers { $0.contains(deadline) }
    }

    /// Returns once `condition` holds for the deadlines of the suspended sleeps. The condition is
    /// checked now and then each time a sleep registers, under the clock's lock: keep it quick.
    /// Returns early when the waiting task is cancelled.
    public func waitForSleepers(where condition: @escaping @Sendable ([Instant]) -> Bool) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let holds = state.withLock { state in
                    if condition(state.deadlines) || state.cancelledBeforeRegistration.remove(id) != nil { return true }
                    state.waiters[id] = Waiter(condition: condition, continuation: continuation)
                    return false
                }
                if holds { continuation.resume() }
            }
        } onCancel: {
            // A cancelled wait (a test's time limit) returns rather than hanging.
            let waiter = state.withLock { state -> Waiter? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelledBeforeRegistration.insert(id)
                return nil
            }
            waiter?.continuation.resume()
        }
    }
}
