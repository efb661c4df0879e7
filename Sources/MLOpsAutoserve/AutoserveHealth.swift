import MLOpsServing
import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Whether the agent is ready, as `GET /readyz` reports it: the first resync has completed and the last
/// resync read the registry.
///
/// As an ``AutoserveObserver`` it follows the reconciler: a resync that finishes without having read the
/// registry since the previous one means the registry could not be read.
public final class AutoserveHealth: AutoserveObserver, Sendable {
    /// What `/readyz` says.
    public struct Readiness: Sendable, Equatable {
        public var isReady: Bool
        /// Why not, when not ready.
        public var reason: String?
        /// When the registry was last read successfully.
        public var lastSuccessfulSync: Date?
    }

    private struct State: Sendable {
        var resyncsCompleted = 0
        var registryReadSinceLastResync = false
        var registryReadable = false
        var lastError: String?
        var lastSuccessfulSync: Date?
    }

    private let state = Mutex(State())
    private let clock: ServingClock

    /// - Parameter clock: where the time of the last successful sync comes from.
    public init(clock: ServingClock = .system) {
        self.clock = clock
    }

    /// The current readiness.
    public var readiness: Readiness {
        state.withLock { state in
            if state.resyncsCompleted == 0 {
                return Readiness(isReady: false, reason: "the first resync has not completed", lastSuccessfulSync: nil)
            }
            if !state.registryReadable {
                return Readiness(
                    isReady: false,
                    reason: "the model registry could not be read" + (state.lastError.map { ": \($0)" } ?? ""),
                    lastSuccessfulSync: state.lastSuccessfulSync)
            }
            return Readiness(isReady: true, reason: nil, lastSuccessfulSync: state.lastSuccessfulSync)
        }
    }

    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {
        let now = clock.wallTime()
        state.withLock { state in
            state.registryReadSinceLastResync = true
            state.lastSuccessfulSync = now
        }
    }

    public func reconcileFinished(duration: Duration, error: (any Error)?) {
        if error is CancellationError { return }  // cut short by shutdown: says nothing about the registry
        let message = error.map { "\($0)" }
        state.withLock { state in
            state.resyncsCompleted += 1
            state.registryReadable = state.registryReadSinceLastResync
            state.lastError = state.registryReadable ? nil : message
            state.registryReadSinceLastResync = false
        }
    }
}
