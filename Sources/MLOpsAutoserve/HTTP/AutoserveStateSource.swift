import MLOpsCore
import MLOpsServing

/// What the HTTP routes read from the reconciler, and how the webhook receiver reaches it.
/// ``AliasReconciler`` provides it; tests provide fixed statuses.
public protocol AutoserveStateSource: Sendable {
    /// The `/status` document: every serving key's status and the agent's own state.
    func statusDocument() async -> AutoserveStatusDocument
    /// The registry as the last resync read it, `nil` before the first successful read.
    func lastSnapshot() async -> RegistrySnapshot?
    /// Reconciles `key` soon (coalesced with other requests for it).
    func enqueue(_ key: ServingKey)
}

extension AliasReconciler: AutoserveStateSource {}
