/// What the HTTP routes read from the reconciler, and how the webhook receiver reaches it.
/// ``AliasReconciler`` provides it; tests provide fixed statuses.
public protocol AutoserveStateSource: Sendable {
    /// Every serving key's status.
    func statuses() async -> [ServingStatus]
    /// The registry as the last resync read it, `nil` before the first successful read.
    func lastSnapshot() async -> RegistrySnapshot?
    /// Reconciles `key` soon (coalesced with other requests for it).
    func enqueue(_ key: ServingKey)
}
