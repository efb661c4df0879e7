import MLOpsCore
import MLOpsServing
import Logging

/// Follows the runtime's events (an instance exited) for the reconciler. When the stream ends or
/// fails it is opened again after a pause, and `resumed` is called, since whatever happened while
/// nobody watched is found only by a resync.
struct RuntimeEventWatcher: Sendable {
    let dependencies: ReconcilerDependencies
    /// The pause before the stream is opened again.
    var retryDelay: Duration = .seconds(2)

    /// Watches until the task is cancelled.
    func watch(
        onEvent: @Sendable (ServingRuntimeEvent) async -> Void,
        resumed: @Sendable () -> Void
    ) async {
        while !Task.isCancelled {
            do {
                for try await event in dependencies.runtime.events() {
                    await onEvent(event)
                }
            } catch {
                dependencies.logger.debug("runtime event stream ended", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
            try? await dependencies.clock.sleep(for: retryDelay)
            resumed()
        }
    }
}
