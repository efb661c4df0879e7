import MLOpsCore

/// Why ``WebhookVerifier`` refused a delivery, and the HTTP status the receiver should answer.
///
/// No case carries the secret, a signature or the body, so rejections can be logged as they are.
public enum WebhookRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The verifier has no secret, so it cannot trust any delivery (403).
    case noSecretConfigured
    /// A required header is absent (401 for the signature, 400 for the others).
    case missingHeader(String)
    /// A header is present but unreadable, such as a timestamp that is not a number (400).
    case malformedHeader(String)
    /// No `v1,` signature in `X-MLflow-Signature` matches the body under any configured secret (401).
    case badSignature
    /// `X-MLflow-Timestamp` is further from now than the tolerance: `age` seconds old, negative when
    /// it lies in the future (400).
    case staleTimestamp(age: Int64)
    /// The signature is good but the body is not a webhook event (400).
    case malformedBody(reason: String)

    /// The status to answer MLflow with. MLflow retries only 429 and 5xx, so none of these is retried.
    public var httpStatus: Int {
        switch self {
        case .noSecretConfigured: 403
        case .missingHeader(let name): name.lowercased() == WebhookHeaders.signature.lowercased() ? 401 : 400
        case .badSignature: 401
        case .malformedHeader, .staleTimestamp, .malformedBody: 400
        }
    }

    public var description: String {
        switch self {
        case .noSecretConfigured: "no webhook secret is configured; deliveries cannot be verified"
        case .missingHeader(let name): "the delivery has no \(name) header"
        case .malformedHeader(let name): "the delivery's \(name) header is malformed"
        case .badSignature: "the delivery's signature does not match"
        case .staleTimestamp(let age) where age < 0: "the delivery's timestamp is \(-age) s in the future"
        case .staleTimestamp(let age): "the delivery's timestamp is \(age) s old"
        case .malformedBody(let reason): "the delivery's body is malformed: \(reason)"
        }
    }
}

/// The headers MLflow sends with each webhook delivery.
public enum WebhookHeaders {
    /// A UUID per delivery; retries of one delivery reuse it.
    public static let deliveryID = "X-MLflow-Delivery-Id"
    /// When the delivery was signed, in whole seconds since 1970.
    public static let timestamp = "X-MLflow-Timestamp"
    /// `v1,<base64 HMAC-SHA256>`, present only when the webhook has a secret.
    public static let signature = "X-MLflow-Signature"
}
