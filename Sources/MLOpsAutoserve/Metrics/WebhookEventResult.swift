import MLOpsCore

/// What the webhook receiver made of one delivery, as counted in `autoserve_webhook_events_total`.
public enum WebhookEventResult: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Signed, fresh and new: the key was queued for a reconcile.
    case accepted
    /// Signed and fresh, but delivered before (a redelivery); ignored.
    case duplicate
    /// The signature was missing or wrong.
    case rejectedSignature = "rejected-signature"
    /// Signed, but its timestamp is too old or too far in the future.
    case rejectedStale = "rejected-stale"
    /// Not a webhook delivery that could be read (headers or JSON body).
    case malformed

    public var description: String { rawValue }
}
