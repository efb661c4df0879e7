import MLOpsCore
import MLOpsServing
import Synchronization

/// What makes the reconciler resync: a stream that holds at most one pending trigger (so any number
/// of triggers while a resync runs cause one more resync, not many), the keys that webhook deliveries
/// asked about with when each was first asked, and timed wake-ups (a back-off ending).
final class ReconcileTriggers: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let pending = Mutex<[ServingKey: ServingClock.Instant]>([:])
    private let wakeUps = Mutex(WakeUps())
    private struct WakeUps: Sendable {
        var nextID = 0
        var tasks: [Int: Task<Void, Never>] = [:]
    }
    private let clock: ServingClock

    init(clock: ServingClock) {
        self.clock = clock
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a resync soon.
    func fire() { continuation.yield(()) }

    /// Asks for a resync because of `key`, remembering when it was first asked since the last resync.
    func enqueue(_ key: ServingKey) {
        let now = clock.now
        pending.withLock { pending in
            if pending[key] == nil { pending[key] = now }
        }
        fire()
    }

    /// The keys asked about since the last call, with when each was first asked.
    func takePendingKeys() -> [ServingKey: ServingClock.Instant] {
        pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }

    /// Fires at `instant`, unless ``cancelWakeUps()`` comes first.
    func wakeUp(at instant: ServingClock.Instant) {
        let clock = self.clock
        wakeUps.withLock { wakeUps in
            let id = wakeUps.nextID
            wakeUps.nextID += 1
            wakeUps.tasks[id] = Task { [weak self] in
                try? await clock.sleep(until: instant)
                guard let self else { return }
                _ = self.wakeUps.withLock { $0.tasks.removeValue(forKey: id) }
                if !Task.isCancelled { self.fire() }
            }
        }
    }

    /// Cancels every pending wake-up.
    func cancelWakeUps() {
        let tasks = wakeUps.withLock { wakeUps in
            defer { wakeUps.tasks.removeAll() }
            return wakeUps.tasks.values
        }
        for task in tasks { task.cancel() }
    }
}
