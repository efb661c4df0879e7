/// Applies a ``ConnectionReusePolicy``: remembers, per origin, the stalls seen on reused connections
/// and decides whether the next request to that origin may reuse a connection.
struct ConnectionReuseTracker {
    let policy: ConnectionReusePolicy
    private var strikes: [String: Int] = [:]
    private(set) var freshConnectionOrigins: Set<String> = []

    init(policy: ConnectionReusePolicy) {
        self.policy = policy
    }

    /// Whether the next request to `origin` may reuse a kept-alive connection.
    func mayReuse(_ origin: String) -> Bool {
        if policy.neverReuses { return false }
        if policy.alwaysReuses { return true }
        return !freshConnectionOrigins.contains(origin)
    }

    /// Records a finished transfer; returns `true` when this transfer switched `origin` to fresh
    /// connections.
    ///
    /// - Parameters:
    ///   - firstByte: Seconds from the start until the first response byte.
    ///   - total: Seconds from the start until the transfer completed.
    mutating func record(origin: String, reusedConnection: Bool, firstByte: Double, total: Double, bytes: Int64) -> Bool {
        guard let (threshold, limit) = policy.adaptiveParameters,
            reusedConnection, bytes <= 256 << 10, total - firstByte >= threshold.seconds
        else { return false }
        let count = strikes[origin, default: 0] + 1
        strikes[origin] = count
        return count >= limit && freshConnectionOrigins.insert(origin).inserted
    }
}
