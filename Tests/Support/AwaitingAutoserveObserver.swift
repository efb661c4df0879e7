import MLOpsKit
import Synchronization

/// An ``AutoserveObserver`` that records what the reconciler reports and lets a test wait for a
/// condition on it: "the key is Ready on version 2", "three resyncs have finished". A wait is resumed
/// by the reconciler's own callback, never by polling, so deterministic tests can use it together with
/// ``ManualClock``.
public final class AwaitingAutoserveObserver: AutoserveObserver {
    /// Everything reported so far.
    public struct Record: Sendable {
        /// Resyncs finished, failed ones included.
        public var reconciles = 0
        /// Resyncs that could not complete, with their error.
        public var failures: [String] = []
        public var decisions: [AutoserveDecision] = []
        /// The statuses last reported.
        public var statuses: [ServingStatus] = []
        /// Rollouts finished: key, version and whether the new instance took over.
        public var rollouts: [(key: ServingKey, version: String, succeeded: Bool)] = []
        /// Restarts after a crash.
        public var restarts = 0
        /// Successful registry reads.
        public var registryReads = 0

        /// The last reported status of `key`.
        public func status(_ key: ServingKey) -> ServingStatus? {
            statuses.first { $0.model == key.model && $0.alias == key.alias }
        }
    }

    private struct State {
        var record = Record()
        var nextID = 0
        var waiters: [Int: (condition: @Sendable (Record) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// What has been reported so far.
    public var record: Record { state.withLock { $0.record } }

    /// Returns once `condition` holds for what has been reported (at once if it does already), or
    /// when the waiting task is cancelled.
    public func waitUntil(_ condition: @escaping @Sendable (Record) -> Bool) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let holds = state.withLock { state in
                    if condition(state.record) || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = (condition, continuation)
                    return false
                }
                if holds { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                if let waiter = state.waiters.removeValue(forKey: id) { return Optional(waiter) }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.continuation.resume()
        }
    }

    private func update(_ change: (inout Record) -> Void) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            change(&state.record)
            let record = state.record
            let ready = state.waiters.filter { $0.value.condition(record) }
            for id in ready.keys { state.waiters[id] = nil }
            return ready.sorted { $0.key < $1.key }.map(\.value.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {
        update { $0.registryReads += 1 }
    }

    public func reconcileFinished(duration: Duration, error: (any Error)?) {
        update {
            $0.reconciles += 1
            if let error { $0.failures.append("\(error)") }
        }
    }

    public func decided(_ decision: AutoserveDecision) {
        update { $0.decisions.append(decision) }
    }

    public func rolloutFinished(key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?) {
        update { $0.rollouts.append((key, version, succeeded)) }
    }

    public func instanceRestarted(key: ServingKey, version: String) {
        update { $0.restarts += 1 }
    }

    public func statusesChanged(_ statuses: [ServingStatus]) {
        update { $0.statuses = statuses }
    }
}
