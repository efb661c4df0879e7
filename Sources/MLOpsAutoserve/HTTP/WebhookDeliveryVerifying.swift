import MLOpsCore
import MLOpsServing

/// Checks one MLflow webhook delivery (signature, timestamp, redelivery) and reads its event, for the
/// `POST /webhooks/mlflow` route.
public protocol WebhookDeliveryVerifying: Sendable {
    /// The verdict on a delivery with this raw `body` and these `headers` (names lower-cased).
    func verify(body: [UInt8], headers: [String: String]) async -> WebhookDeliveryVerdict
}

/// What a ``WebhookDeliveryVerifying`` made of one delivery.
public enum WebhookDeliveryVerdict: Sendable, Equatable {
    /// A valid new delivery of `event` (such as `model_version_alias.created`); `key` is the (model,
    /// alias) it concerns, when it is about an alias.
    case accepted(event: String, key: ServingKey?)
    /// A valid delivery seen before; `event` when the verifier still knows it.
    case duplicate(event: String?)
    /// Refused: `result` says how it is counted, `status` is the HTTP status to answer, `reason` a
    /// sentence for the sender (never the secret or the expected signature).
    case rejected(result: WebhookEventResult, status: Int, reason: String)
}

extension WebhookVerifier: WebhookDeliveryVerifying {
    public func verify(body: [UInt8], headers: [String: String]) async -> WebhookDeliveryVerdict {
        switch verify(body: body, headers: headers) as WebhookVerification {
        case .accepted(let event, _):
            return .accepted(event: event.type.description, key: event.servingKey)
        case .duplicate:
            return .duplicate(event: nil)
        case .rejected(let rejection):
            return .rejected(result: rejection.eventResult, status: rejection.httpStatus, reason: rejection.description)
        }
    }
}

extension WebhookRejection {
    /// How the rejection is counted in `autoserve_webhook_events_total`.
    public var eventResult: WebhookEventResult {
        switch self {
        case .noSecretConfigured, .badSignature: .rejectedSignature
        case .missingHeader(let name) where name.lowercased() == WebhookHeaders.signature.lowercased(): .rejectedSignature
        case .staleTimestamp: .rejectedStale
        case .missingHeader, .malformedHeader, .malformedBody: .malformed
        }
    }
}
