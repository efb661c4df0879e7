import MLOpsCore
import MLOpsMLflow
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Checks MLflow webhook deliveries before anything acts on them: signature, freshness and
/// uniqueness, then decodes the event.
///
/// MLflow signs each delivery Standard-Webhooks style:
/// `X-MLflow-Signature: v1,<base64(HMAC-SHA256(secret, "<delivery id>.<timestamp>.<raw body>"))>`,
/// with `X-MLflow-Delivery-Id` (a UUID) and `X-MLflow-Timestamp` (seconds since 1970). The verifier
/// - recomputes the HMAC over the **raw** body bytes under each configured secret (several allow a
///   rotation) and accepts any `v1,` entry of the header (entries are space-separated) that matches,
///   comparing in constant time;
/// - refuses timestamps further than ``Configuration/tolerance`` from now, in either direction;
/// - remembers accepted delivery ids for the tolerance window (at most
///   ``Configuration/maximumRememberedDeliveries``, oldest forgotten first) and reports a repeat as
///   ``WebhookVerification/duplicate(deliveryID:)``.
///
/// ```swift
/// let verifier = WebhookVerifier(secret: WebhookSecret(secretFromConfiguration))
/// let outcome = verifier.verify(body: request.body, headers: request.headers)
/// respond(status: outcome.httpStatus)
/// if case .accepted(let event, _) = outcome, let key = event.servingKey { reconcile(key) }
/// ```
///
/// Copies share one memory of accepted ids; the verifier is safe to use from many tasks at once.
public struct WebhookVerifier: Sendable {
    /// Tolerance and memory limits.
    public struct Configuration: Sendable, Equatable {
        /// How far a delivery's timestamp may be from now, either way. MLflow retries a delivery for
        /// at most about two minutes, with the timestamp it was first signed with.
        public var tolerance: Duration
        /// The most delivery ids remembered for duplicate detection.
        public var maximumRememberedDeliveries: Int

        /// Creates a configuration; the defaults are 300 s and 10,000 ids.
        public init(tolerance: Duration = .seconds(300), maximumRememberedDeliveries: Int = 10_000) {
            self.tolerance = tolerance
            self.maximumRememberedDeliveries = maximumRememberedDeliveries
        }
    }

    /// The current time in whole seconds since 1970.
    public typealias Now = @Sendable () -> Int64

    /// The tolerance and limits in force.
    public let configuration: Configuration
    private let secrets: [WebhookSecret]
    private let now: Now
    private let log: LogBox

    /// Creates a verifier that accepts deliveries signed with any of `secrets`.
    ///
    /// - Parameters:
    ///   - secrets: The webhook secrets; empty secrets are ignored, and with none left every delivery
    ///     is rejected with ``WebhookRejection/noSecretConfigured``.
    ///   - configuration: Tolerance and memory limits.
    ///   - now: The clock, in seconds since 1970; tests pass a fixed one.
    public init(
        secrets: [WebhookSecret],
        configuration: Configuration = Configuration(),
        now: @escaping Now = { ServingClock.system.unixSeconds() }
    ) {
        self.secrets = secrets.filter { !$0.isEmpty }
        self.configuration = configuration
        self.now = now
        self.log = LogBox(DeliveryLog(capacity: configuration.maximumRememberedDeliveries))
    }

    /// Creates a verifier for one secret (`nil` rejects everything as unconfigured).
    public init(
        secret: WebhookSecret?,
        configuration: Configuration = Configuration(),
        now: @escaping Now = { ServingClock.system.unixSeconds() }
    ) {
        self.init(secrets: secret.map { [$0] } ?? [], configuration: configuration, now: now)
    }

    /// How many accepted delivery ids are remembered now.
    public var rememberedDeliveryCount: Int { log.withLock { $0.count } }

    /// Verifies one delivery and, when it is accepted, remembers its id.
    ///
    /// - Parameters:
    ///   - body: The request body exactly as received; re-encoded JSON would not match the signature.
    ///   - headers: The request headers (names compared case-insensitively).
    public func verify(body: some DataProtocol, headers: TransportHeaders) -> WebhookVerification {
        guard !secrets.isEmpty else { return .rejected(.noSecretConfigured) }
        guard let deliveryID = headers[WebhookHeaders.deliveryID]?.trimmingWhitespace(), !deliveryID.isEmpty
        else { return .rejected(.missingHeader(WebhookHeaders.deliveryID)) }
        guard let timestampText = headers[WebhookHeaders.timestamp]?.trimmingWhitespace(), !timestampText.isEmpty
        else { return .rejected(.missingHeader(WebhookHeaders.timestamp)) }
        let signatures = headers.values(for: WebhookHeaders.signature)
        guard !signatures.isEmpty else { return .rejected(.missingHeader(WebhookHeaders.signature)) }
        guard let timestamp = Int64(timestampText) else {
            return .rejected(.malformedHeader(WebhookHeaders.timestamp))
        }

        let bodyBytes = [UInt8](body)
        guard Self.matches(signatures, deliveryID: deliveryID, timestamp: timestampText, body: bodyBytes, secrets: secrets)
        else { return .rejected(.badSignature) }

        let current = now()
        let tolerance = max(0, configuration.tolerance.components.seconds)
        let (age, overflow) = current.subtractingReportingOverflow(timestamp)
        guard !overflow else { return .rejected(.staleTimestamp(age: timestamp > current ? .min : .max)) }
        guard age.magnitude <= UInt64(tolerance) else { return .rejected(.staleTimestamp(age: age)) }

        let event: WebhookEvent
        do {
            event = try WebhookEvent.decode(bodyBytes)
        } catch {
            return .rejected(.malformedBody(reason: error.reason))
        }
        let isNew = log.withLock { $0.insert(deliveryID, expiry: timestamp + tolerance + 1, now: current) }
        return isNew ? .accepted(event, deliveryID: deliveryID) : .duplicate(deliveryID: deliveryID)
    }

    /// Verifies one delivery whose headers come as a dictionary.
    public func verify(body: some DataProtocol, headers: [String: String]) -> WebhookVerification {
        verify(body: body, headers: TransportHeaders(headers.map { ($0.key, $0.value) }))
    }

    // MARK: Signatures

    /// The `v1,<base64>` signature MLflow would send for this delivery.
    static func signature(secret: WebhookSecret, deliveryID: String, timestamp: String, body: [UInt8]) -> String {
        "v1," + Data(mac(secret: secret, deliveryID: deliveryID, timestamp: timestamp, body: body)).base64EncodedString()
    }

    private static func mac(secret: WebhookSecret, deliveryID: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        var message = [UInt8]()
        message.reserveCapacity(deliveryID.utf8.count + timestamp.utf8.count + body.count + 2)
        message.append(contentsOf: deliveryID.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        return Digest.hmacSHA256(key: secret.bytes, message: message)
    }

    /// Whether any `v1,` entry of the header values matches under any secret. Every candidate is
    /// compared in full, in constant time, so timing reveals nothing about how much of one matched.
    private static func matches(
        _ headerValues: [String], deliveryID: String, timestamp: String, body: [UInt8], secrets: [WebhookSecret]
    ) -> Bool {
        let candidates = headerValues
            .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
            .compactMap { entry -> [UInt8]? in
                guard entry.hasPrefix("v1,"), let decoded = Data(base64Encoded: String(entry.dropFirst(3))),
                    decoded.count == 32
                else { return nil }
                return [UInt8](decoded)
            }
        guard !candidates.isEmpty else { return false }
        var matched = false
        for secret in secrets {
            let expected = mac(secret: secret, deliveryID: deliveryID, timestamp: timestamp, body: body)
            for candidate in candidates where constantTimeEqual(candidate, expected) {
                matched = true
            }
        }
        return matched
    }

    /// Compares two 32-byte MACs without an early exit.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// The shared, locked memory of accepted ids.
    private final class LogBox: Sendable {
        private let state: Mutex<DeliveryLog>
        init(_ log: DeliveryLog) { state = Mutex(log) }
        func withLock<Result: Sendable>(_ body: (inout DeliveryLog) -> Result) -> Result {
            state.withLock { body(&$0) }
        }
    }
}
