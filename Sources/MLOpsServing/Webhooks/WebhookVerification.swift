import MLOpsCore

/// What ``WebhookVerifier`` decided about one delivery.
public enum WebhookVerification: Sendable, Equatable {
    /// The delivery is authentic, fresh and new.
    case accepted(WebhookEvent, deliveryID: String)
    /// The delivery is authentic but its id was accepted before (an MLflow retry or a replay). Answer
    /// 200 so that MLflow stops retrying, and do not act on it again.
    case duplicate(deliveryID: String)
    /// The delivery must not be acted on.
    case rejected(WebhookRejection)

    /// The status the receiver should answer: 200 for accepted and duplicate deliveries, the
    /// rejection's ``WebhookRejection/httpStatus`` otherwise.
    public var httpStatus: Int {
        switch self {
        case .accepted, .duplicate: 200
        case .rejected(let rejection): rejection.httpStatus
        }
    }

    /// The event, when the delivery was accepted.
    public var event: WebhookEvent? {
        if case .accepted(let event, _) = self { event } else { nil }
    }
}
