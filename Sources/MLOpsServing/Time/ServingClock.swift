import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where serving and autoserve code read the time: the one adapter between them and a real clock.
///
/// Every part that waits, times out or measures (the reconciler's resyncs, back-off and drain grace,
/// readiness checks, the process runtime's watcher) takes a `ServingClock` and reads nothing else.
/// Production code uses ``system`` (the continuous clock and the system's wall time); a test builds one
/// from a clock it controls, so that "restart after 10 s, then 20 s" runs in microseconds:
///
/// ```swift
/// let clock = ServingClock(manualClock, wallTimeAtStart: Date(timeIntervalSince1970: 1_800_000_000))
/// let reconciler = AliasReconciler(registry: registry, runtime: runtime, configuration: configuration,
///                                  readiness: readiness, clock: clock)
/// ```
///
/// It type-erases any `Clock<Duration>`: its instants count from the moment the clock was wrapped, so
/// the parts that keep instants (when an instance crashed, when a retry is due) need not know the
/// concrete clock. Instants of two different `ServingClock` values are not comparable.
public struct ServingClock: Clock, Sendable {
    /// A point in time: the duration since the wrapped clock's origin.
    public struct Instant: InstantProtocol, Sendable, CustomStringConvertible {
        /// The time since the clock was wrapped.
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public static func + (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: rhs) }
        public static func - (lhs: Instant, rhs: Duration) -> Instant { lhs.advanced(by: .zero - rhs) }
        public static func - (lhs: Instant, rhs: Instant) -> Duration { rhs.duration(to: lhs) }
        public var description: String { "+\(offset)" }
    }

    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration, Duration?) async throws -> Void
    private let wallClock: @Sendable () -> Date
    public let minimumResolution: Duration

    /// The real time: `ContinuousClock` (which keeps counting while the machine sleeps) for waits and
    /// durations, and the system's wall time for timestamps shown to people.
    public static var system: ServingClock {
        ServingClock(ContinuousClock(), wallTime: { Date() })
    }

    /// Wraps `clock`, with `wallTime` for the timestamps that are shown (status `since`, state files).
    public init(_ clock: any Clock<Duration>, wallTime: @escaping @Sendable () -> Date) {
        self.init(opening: clock, wallTime: wallTime)
    }

    /// Wraps `clock` with a wall time that follows it: `wallTimeAtStart` plus the time the clock has
    /// advanced since. What a test uses, so that timestamps are as deterministic as the waits.
    public init(_ clock: any Clock<Duration>, wallTimeAtStart: Date) {
        let elapsed = Self.elapsedFunction(clock)
        self.init(opening: clock) {
            let offset = elapsed().components
            return wallTimeAtStart.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
        }
    }

    private init<C: Clock<Duration>>(opening clock: C, wallTime: @escaping @Sendable () -> Date) {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { offset, tolerance in try await clock.sleep(until: origin.advanced(by: offset), tolerance: tolerance) }
        wallClock = wallTime
        minimumResolution = clock.minimumResolution
    }

    private static func elapsedFunction<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let origin = clock.now
        return { origin.duration(to: clock.now) }
    }

    public var now: Instant { Instant(offset: elapsed()) }

    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleeper(deadline.offset, tolerance)
    }

    /// The wall time now, for timestamps that people read.
    public func wallTime() -> Date { wallClock() }

    /// The wall time now in whole seconds since 1970, as webhook signatures carry it.
    public func unixSeconds() -> Int64 { Int64(wallClock().timeIntervalSince1970.rounded(.down)) }
}
