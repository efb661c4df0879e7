import MLOpsCore
import Synchronization

/// Hands each event to every current subscriber of a runtime's ``ServingRuntime/events()``.
final class ServingEventBroadcaster: Sendable {
    private struct State {
        var next = 0
        var subscribers: [Int: AsyncThrowingStream<ServingRuntimeEvent, any Error>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    /// A stream of every event sent from now on; it ends when the broadcaster finishes.
    func subscribe() -> AsyncThrowingStream<ServingRuntimeEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ServingRuntimeEvent, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            let id = state.next
            state.next += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func send(_ event: ServingRuntimeEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
    }

    /// Ends every stream, now and for later subscribers.
    func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
