import MLOpsCore
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// What a ``ProcessServingRuntime`` holds while it is open: the state directory's lock and the task
/// that watches its processes. Released once, by `close()` or when the runtime goes away.
final class OpenResources: Sendable {
    private struct State {
        var lockDescriptor: Int32?
        var watcher: Task<Void, Never>?
        var released = false
    }

    private let state: Mutex<State>

    init(lockDescriptor: Int32?) {
        state = Mutex(State(lockDescriptor: lockDescriptor))
    }

    func setWatcher(_ task: Task<Void, Never>) {
        let cancel = state.withLock { state -> Bool in
            guard !state.released else { return true }
            state.watcher = task
            return false
        }
        if cancel { task.cancel() }
    }

    /// Cancels the watcher and closes the lock's descriptor (which releases the lock).
    func release() {
        let (descriptor, watcher) = state.withLock { state in
            defer {
                state.released = true
                state.lockDescriptor = nil
                state.watcher = nil
            }
            return (state.lockDescriptor, state.watcher)
        }
        watcher?.cancel()
        if let descriptor { close(descriptor) }
    }

    deinit { release() }
}
