import MLOpsCore

/// The delivery ids a ``WebhookVerifier`` has accepted, each kept until its timestamp falls out of
/// the tolerance window (a replay after that is refused as stale anyway), and at most `capacity`
/// of them: past that the oldest is forgotten first.
struct DeliveryLog: Sendable {
    private struct Entry: Sendable {
        var id: String
        /// The first second at which a replay would be stale: delivery timestamp + tolerance + 1.
        var expiry: Int64
    }

    let capacity: Int
    /// Ids in the order they were accepted; `head` is the oldest still present.
    private var order: [Entry] = []
    private var head = 0
    private var expiries: [String: Int64] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many ids are remembered.
    var count: Int { expiries.count }

    /// Records `id` unless it is already remembered; returns whether it was new.
    mutating func insert(_ id: String, expiry: Int64, now: Int64) -> Bool {
        evictExpired(now: now)
        if expiries[id] != nil { return false }
        while expiries.count >= capacity { removeOldest() }
        expiries[id] = expiry
        order.append(Entry(id: id, expiry: expiry))
        return true
    }

    /// Forgets ids from the oldest end whose expiry has passed. An expired id behind an unexpired one
    /// stays until it reaches the front or is pushed out by the capacity; it is harmless meanwhile.
    mutating func evictExpired(now: Int64) {
        while head < order.count, order[head].expiry <= now { removeOldest() }
    }

    private mutating func removeOldest() {
        guard head < order.count else { return }
        let entry = order[head]
        head += 1
        if expiries[entry.id] == entry.expiry { expiries[entry.id] = nil }
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
