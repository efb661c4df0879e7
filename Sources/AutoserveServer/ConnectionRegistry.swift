import NIOCore
import Synchronization

/// The server's open connections and what each is doing, so that a full server makes room for a new
/// connection by closing one that is only holding a slot, and ``AutoserveHTTPServer/stop()`` knows what
/// it waits for. Connections live on several event loops; the registry is shared under a lock, touched
/// once per connection and once per phase change.
final class ConnectionRegistry: Sendable {
    /// What a connection is doing.
    enum Phase: Sendable, Equatable {
        /// Open between requests.
        case idle
        /// Sending a request that is not complete yet.
        case receiving
        /// Its request is with the handler, or its response is being written.
        case answering
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        /// When the connection entered its phase.
        var since: NIODeadline
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var stopping = false
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes `channel` in as idle. When the registry is full, the connection not being answered that has
    /// been in its phase longest is closed to make room; `false` when there is none (or the server is
    /// stopping), and the caller closes `channel`.
    func admit(_ channel: any Channel, now: NIODeadline = .now()) -> Bool {
        let (admitted, victim) = state.withLock { state -> (Bool, (any Channel)?) in
            guard !state.stopping else { return (false, nil) }
            var victim: (any Channel)?
            if state.entries.count >= limit {
                let candidate = state.entries.filter { $0.value.phase != .answering }.min { $0.value.since < $1.value.since }
                guard let candidate else { return (false, nil) }
                state.entries[candidate.key] = nil
                victim = candidate.value.channel
            }
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, phase: .idle, since: now)
            return (true, victim)
        }
        victim?.close(promise: nil)
        return admitted
    }

    /// Records that `channel` entered `phase`.
    func enter(_ phase: Phase, _ channel: any Channel, now: NIODeadline = .now()) {
        state.withLock { state in
            let key = ObjectIdentifier(channel)
            guard state.entries[key] != nil else { return }
            state.entries[key]?.phase = phase
            state.entries[key]?.since = now
        }
    }

    /// Forgets a closed connection.
    func remove(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Connections open now.
    var count: Int { state.withLock { $0.entries.count } }

    /// Whether ``beginStopping()`` was called: answers then close their connection.
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Refuses new connections from now on and closes every connection not being answered; those being
    /// answered close after their response.
    func beginStopping() {
        let closing = state.withLock { state -> [any Channel] in
            state.stopping = true
            return state.entries.values.filter { $0.phase != .answering }.map(\.channel)
        }
        for channel in closing { channel.close(promise: nil) }
    }

    /// A server's stop: closes `listener`, refuses new connections and closes those not being answered,
    /// waits up to `grace` for the answers in progress (their connections close after the answer), then
    /// closes what is left.
    func stop(listener: (any Channel)?, grace: Duration, on group: any EventLoopGroup) async {
        try? await listener?.close()
        beginStopping()
        let deadline = ContinuousClock.now + grace
        while count > 0, ContinuousClock.now < deadline {
            try? await group.any().scheduleTask(in: .milliseconds(20)) {}.futureResult.get()
        }
        closeAll()
    }

    /// Closes every connection still open.
    func closeAll() {
        let channels = state.withLock { $0.entries.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }
}
