import Foundation
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Fixed delivery vectors. Each signature was computed independently of MLOpsKit with Python's
/// standard library, exactly as MLflow 3.17 signs (`mlflow/webhooks/delivery.py`):
///
/// ```python
/// "v1," + base64.b64encode(hmac.new(secret.encode(), f"{id}.{ts}.{body}".encode(), hashlib.sha256).digest()).decode()
/// ```
///
/// The first three are also deliveries a real MLflow 3.17 server sent (secret `s3cr3t`); their
/// `X-MLflow-Signature` headers as received equal the Python values.
enum WebhookVectors {
    struct Vector {
        var secret: String
        var deliveryID: String
        var timestamp: Int64
        var body: String
        var signature: String

        var headers: TransportHeaders {
            [
                "Content-Type": "application/json",
                "X-MLflow-Delivery-Id": deliveryID,
                "X-MLflow-Timestamp": String(timestamp),
                "X-MLflow-Signature": signature,
            ]
        }
    }

    /// `model_version_alias.created`: alias Production set on version 2 of `wh-model`.
    static let aliasCreated = Vector(
        secret: "s3cr3t",
        deliveryID: "66fe6433-afa0-4ec4-b6af-49e02fb07930",
        timestamp: 1_795_915_078,
        body: #"{"entity": "model_version_alias", "action": "created", "timestamp": "2026-11-29T01:17:58.917295+00:00", "data": {"name": "wh-model", "alias": "Production", "version": "2"}}"#,
        signature: "v1,WaEPrhfDUsKuzPsMNl5Yf3qd78pT9DGONNCtvb/C4AI="
    )

    /// `model_version_alias.deleted` from the server's test endpoint.
    static let aliasDeleted = Vector(
        secret: "s3cr3t",
        deliveryID: "df440d5a-004c-4240-9717-e1deeb5677e7",
        timestamp: 1_795_944_580,
        body: #"{"entity": "model_version_alias", "action": "deleted", "timestamp": "2026-11-29T09:29:40.089069+00:00", "data": {"name": "example_model", "alias": "example_alias"}}"#,
        signature: "v1,o2NGbxSqtyDxeyBYwZ+cxkJaGvu6xYbSi2CWvH1tmB0="
    )

    /// `model_version_alias.created` from the server's test endpoint.
    static let testEndpointCreated = Vector(
        secret: "s3cr3t",
        deliveryID: "945ac43f-132e-4944-88d6-bfe37efaa8ae",
        timestamp: 1_795_944_580,
        body: #"{"entity": "model_version_alias", "action": "created", "timestamp": "2026-11-29T09:29:40.067791+00:00", "data": {"name": "example_model", "alias": "example_alias", "version": "1"}}"#,
        signature: "v1,aQDc7F5JiEEH5oW5fci7Fs2EP/6pGdiALNLIoYGMtvY="
    )

    /// A generic event with a non-ASCII secret and raw UTF-8 in the body.
    static let registeredModelCreated = Vector(
        secret: "rotated-sécret",
        deliveryID: "11111111-2222-3333-4444-555555555555",
        timestamp: 1_795_946_400,
        body: #"{"entity": "registered_model", "action": "created", "timestamp": "2026-11-29T10:00:00+00:00", "data": {"name": "mü", "tags": {"k": "v"}, "description": null}}"#,
        signature: "v1,FBrpMXRVQBByVA543Ma5lhQ58Sh9KodMHdv8LGlhyOE="
    )
}

@Suite("Webhook verifier")
struct WebhookVerifierTests {
    typealias Vectors = WebhookVectors

    /// A verifier whose clock stands at `offset` seconds after the vector's timestamp.
    static func verifier(
        _ vector: WebhookVectors.Vector, offset: Int64 = 1, secrets: [String]? = nil,
        configuration: WebhookVerifier.Configuration = .init()
    ) -> WebhookVerifier {
        let now = vector.timestamp + offset
        return WebhookVerifier(
            secrets: (secrets ?? [vector.secret]).map(WebhookSecret.init), configuration: configuration, now: { now })
    }

    @Test(
        "the signer reproduces the independently computed signatures",
        arguments: [Vectors.aliasCreated, Vectors.aliasDeleted, Vectors.testEndpointCreated, Vectors.registeredModelCreated])
    func signatureVectors(vector: WebhookVectors.Vector) {
        let signature = WebhookVerifier.signature(
            secret: WebhookSecret(vector.secret), deliveryID: vector.deliveryID, timestamp: String(vector.timestamp),
            body: Array(vector.body.utf8))
        #expect(signature == vector.signature)
    }

    @Test("an alias-created delivery is accepted with its model, alias and version")
    func acceptsAliasCreated() throws {
        let vector = Vectors.aliasCreated
        let outcome = Self.verifier(vector).verify(body: Data(vector.body.utf8), headers: vector.headers)
        guard case .accepted(let event, let deliveryID) = outcome else {
            Issue.record("expected accepted, got \(outcome)")
            return
        }
        #expect(deliveryID == vector.deliveryID)
        #expect(event.payload == .aliasCreated(name: "wh-model", alias: "Production", version: "2"))
        #expect(event.type == .modelVersionAliasCreated)
        #expect(event.servingKey == ServingKey(model: "wh-model", alias: "Production"))
        #expect(event.timestamp == "2026-11-29T01:17:58.917295+00:00")
        #expect(outcome.httpStatus == 200)
    }

    @Test("an alias-deleted delivery is accepted without a version")
    func acceptsAliasDeleted() {
        let vector = Vectors.aliasDeleted
        let outcome = Self.verifier(vector).verify(body: Data(vector.body.utf8), headers: vector.headers)
        #expect(outcome.event?.payload == .aliasDeleted(name: "example_model", alias: "example_alias"))
        #expect(outcome.event?.servingKey == ServingKey(model: "example_model", alias: "example_alias"))
    }

    @Test("other events keep entity, action and data")
    func acceptsOtherEvents() {
        let vector = Vectors.registeredModelCreated
        let outcome = Self.verifier(vector).verify(body: Data(vector.body.utf8), headers: vector.headers)
        let event = outcome.event
        #expect(event?.type == .registeredModelCreated)
        #expect(event?.payload == .other)
        #expect(event?.servingKey == nil)
        #expect(event?.data == .object(["name": .string("mü"), "tags": .object(["k": .string("v")]), "description": .null]))
    }

    @Test("header names are matched case-insensitively, and dictionaries work too")
    func headerCase() {
        let vector = Vectors.aliasCreated
        let headers = [
            "x-mlflow-delivery-id": vector.deliveryID, "X-MLFLOW-TIMESTAMP": String(vector.timestamp),
            "x-mlflow-signature": vector.signature,
        ]
        #expect(Self.verifier(vector).verify(body: Data(vector.body.utf8), headers: headers).event != nil)
    }

    @Test("any matching v1 entry among several is accepted; other schemes are ignored")
    func severalSignatures() {
        let vector = Vectors.aliasCreated
        var headers = vector.headers
        let wrong = "v1," + Data(repeating: 7, count: 32).base64EncodedString()
        headers["X-MLflow-Signature"] = "v1a,\(vector.signature.dropFirst(3)) \(wrong) \(vector.signature)"
        #expect(Self.verifier(vector).verify(body: Data(vector.body.utf8), headers: headers).event != nil)

        headers["X-MLflow-Signature"] = "v1a,\(vector.signature.dropFirst(3)) \(wrong) v2,\(vector.signature.dropFirst(3))"
        #expect(Self.verifier(vector).verify(body: Data(vector.body.utf8), headers: headers) == .rejected(.badSignature))
    }

    @Test("any of several secrets verifies (rotation)")
    func rotation() {
        let vector = Vectors.aliasCreated
        let verifier = Self.verifier(vector, secrets: ["new-secret", vector.secret])
        #expect(verifier.verify(body: Data(vector.body.utf8), headers: vector.headers).event != nil)
    }

    @Test("a changed body, delivery id, timestamp or secret fails the signature with 401")
    func forgeries() {
        let vector = Vectors.aliasCreated
        let body = Data(vector.body.utf8)
        let forgedBody = Data(vector.body.replacingOccurrences(of: #""version": "2""#, with: #""version": "3""#).utf8)
        #expect(Self.verifier(vector).verify(body: forgedBody, headers: vector.headers) == .rejected(.badSignature))

        var headers = vector.headers
        headers["X-MLflow-Delivery-Id"] = "00000000-afa0-4ec4-b6af-49e02fb07930"
        #expect(Self.verifier(vector).verify(body: body, headers: headers) == .rejected(.badSignature))

        headers = vector.headers
        headers["X-MLflow-Timestamp"] = String(vector.timestamp + 1)
        #expect(Self.verifier(vector).verify(body: body, headers: headers) == .rejected(.badSignature))

        let outcome = Self.verifier(vector, secrets: ["not-the-secret"]).verify(body: body, headers: vector.headers)
        #expect(outcome == .rejected(.badSignature))
        #expect(outcome.httpStatus == 401)

        headers = vector.headers
        headers["X-MLflow-Signature"] = "v1,not base64!"
        #expect(Self.verifier(vector).verify(body: body, headers: headers) == .rejected(.badSignature))
    }

    @Test("missing headers are named; a missing signature is 401, the others 400")
    func missingHeaders() {
        let vector = Vectors.aliasCreated
        let body = Data(vector.body.utf8)
        for name in ["X-MLflow-Delivery-Id", "X-MLflow-Timestamp", "X-MLflow-Signature"] {
            var headers = vector.headers
            headers[name] = nil
            let outcome = Self.verifier(vector).verify(body: body, headers: headers)
            #expect(outcome == .rejected(.missingHeader(name)))
            #expect(outcome.httpStatus == (name == "X-MLflow-Signature" ? 401 : 400))
        }
        var headers = vector.headers
        headers["X-MLflow-Timestamp"] = "yesterday"
        #expect(Self.verifier(vector).verify(body: body, headers: headers) == .rejected(.malformedHeader("X-MLflow-Timestamp")))
    }

    @Test("timestamps beyond the tolerance are refused in both directions; the edge is accepted")
    func staleness() {
        let vector = Vectors.aliasCreated
        let body = Data(vector.body.utf8)
        #expect(Self.verifier(vector, offset: 600).verify(body: body, headers: vector.headers) == .rejected(.staleTimestamp(age: 600)))
        #expect(Self.verifier(vector, offset: -301).verify(body: body, headers: vector.headers) == .rejected(.staleTimestamp(age: -301)))
        #expect(Self.verifier(vector, offset: 300).verify(body: body, headers: vector.headers).event != nil)
        #expect(Self.verifier(vector, offset: -300).verify(body: body, headers: vector.headers).event != nil)
        let tight = Self.verifier(vector, offset: 31, configuration: .init(tolerance: .seconds(30)))
        #expect(tight.verify(body: body, headers: vector.headers).httpStatus == 400)

        // Signed extreme timestamps are refused without arithmetic overflow.
        let secret = WebhookSecret(vector.secret)
        for timestamp in [Int64.max, Int64.min] {
            var headers = vector.headers
            headers["X-MLflow-Timestamp"] = String(timestamp)
            headers["X-MLflow-Signature"] = WebhookVerifier.signature(
                secret: secret, deliveryID: vector.deliveryID, timestamp: String(timestamp), body: Array(body))
            let outcome = WebhookVerifier(secret: secret, now: { -5 }).verify(body: body, headers: headers)
            guard case .rejected(.staleTimestamp) = outcome else {
                Issue.record("timestamp \(timestamp): expected stale, got \(outcome)")
                continue
            }
        }
    }

    @Test("a replayed delivery id is a duplicate answered 200, also from a copy of the verifier")
    func duplicates() {
        let vector = Vectors.aliasCreated
        let verifier = Self.verifier(vector)
        let body = Data(vector.body.utf8)
        #expect(verifier.verify(body: body, headers: vector.headers).event != nil)
        let copy = verifier
        let outcome = copy.verify(body: body, headers: vector.headers)
        #expect(outcome == .duplicate(deliveryID: vector.deliveryID))
        #expect(outcome.httpStatus == 200)
        #expect(verifier.rememberedDeliveryCount == 1)
    }

    @Test("rejected deliveries are not remembered, so a genuine one after a forgery is accepted")
    func rejectionsAreNotRemembered() {
        let vector = Vectors.aliasCreated
        let verifier = Self.verifier(vector)
        var forged = vector.headers
        forged["X-MLflow-Signature"] = Vectors.aliasDeleted.signature
        #expect(verifier.verify(body: Data(vector.body.utf8), headers: forged) == .rejected(.badSignature))
        #expect(verifier.verify(body: Data(vector.body.utf8), headers: vector.headers).event != nil)
    }

    @Test("without a secret every delivery is refused with 403")
    func noSecret() {
        let vector = Vectors.aliasCreated
        for verifier in [WebhookVerifier(secret: nil), WebhookVerifier(secrets: [WebhookSecret("")])] {
            let outcome = verifier.verify(body: Data(vector.body.utf8), headers: vector.headers)
            #expect(outcome == .rejected(.noSecretConfigured))
            #expect(outcome.httpStatus == 403)
        }
    }

    @Test("a correctly signed body that is not an event is malformed (400)")
    func malformedBodies() {
        let secret = WebhookSecret("s3cr3t")
        let now: Int64 = 1_795_915_078
        let bodies = [
            "not json",
            #"{"entity": "model_version_alias", "action": "created"}"#,
            #"{"entity": "model_version_alias", "action": "created", "data": {"name": "m", "alias": "a"}}"#,
            #"{"entity": "model_version_alias", "action": "deleted", "data": []}"#,
        ]
        for (index, text) in bodies.enumerated() {
            let verifier = WebhookVerifier(secret: secret, now: { now })
            let body = Array(text.utf8)
            let id = "id-\(index)"
            let headers: TransportHeaders = [
                "X-MLflow-Delivery-Id": id, "X-MLflow-Timestamp": String(now),
                "X-MLflow-Signature": WebhookVerifier.signature(secret: secret, deliveryID: id, timestamp: String(now), body: body),
            ]
            let outcome = verifier.verify(body: body, headers: headers)
            guard case .rejected(.malformedBody(let reason)) = outcome else {
                Issue.record("body \(index): expected malformedBody, got \(outcome)")
                continue
            }
            #expect(!reason.contains("s3cr3t"))
            #expect(outcome.httpStatus == 400)
        }
    }

    @Test("the memory of delivery ids is capped and forgets ids once their timestamp is stale")
    func boundedMemory() {
        let secret = WebhookSecret("s3cr3t")
        let clock = TestClock(start: 1_800_000_000)
        let verifier = WebhookVerifier(
            secret: secret, configuration: .init(tolerance: .seconds(300), maximumRememberedDeliveries: 100),
            now: { clock.now })
        func deliver(_ id: String, at timestamp: Int64) -> WebhookVerification {
            let body = Array(Vectors.aliasCreated.body.utf8)
            let headers: TransportHeaders = [
                "X-MLflow-Delivery-Id": id, "X-MLflow-Timestamp": String(timestamp),
                "X-MLflow-Signature": WebhookVerifier.signature(secret: secret, deliveryID: id, timestamp: String(timestamp), body: body),
            ]
            return verifier.verify(body: body, headers: headers)
        }
        for index in 0..<250 {
            #expect(deliver("id-\(index)", at: clock.now).event != nil)
        }
        #expect(verifier.rememberedDeliveryCount == 100)
        // The newest ids are still known; the oldest were pushed out by the cap.
        #expect(deliver("id-249", at: clock.now) == .duplicate(deliveryID: "id-249"))
        #expect(deliver("id-0", at: clock.now).event != nil)

        // Past the window every remembered id is forgotten; their replays would be stale anyway.
        clock.advance(by: 301)
        #expect(deliver("id-new", at: clock.now).event != nil)
        #expect(verifier.rememberedDeliveryCount == 1)
        #expect(deliver("id-249", at: clock.now - 301) == .rejected(.staleTimestamp(age: 301)))
    }

    @Test("descriptions of secrets, rejections and outcomes never contain the secret")
    func secretNeverPrinted() {
        let secret = WebhookSecret("s3cr3t-value")
        #expect("\(secret)" == "***")
        #expect(String(reflecting: secret) == "WebhookSecret(***)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
        let verifier = WebhookVerifier(secret: secret)
        var printed = ""
        dump(verifier, to: &printed)
        #expect(!printed.contains("s3cr3t"))
        let rejections: [WebhookRejection] = [
            .noSecretConfigured, .missingHeader("X-MLflow-Signature"), .malformedHeader("X-MLflow-Timestamp"),
            .badSignature, .staleTimestamp(age: 600), .staleTimestamp(age: -400), .malformedBody(reason: "x"),
        ]
        for rejection in rejections {
            #expect(!rejection.description.contains("s3cr3t"))
            #expect(!rejection.description.isEmpty)
        }
    }
}

/// A settable clock in whole seconds.
final class TestClock: Sendable {
    private let value: Mutex<Int64>
    init(start: Int64) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func advance(by seconds: Int64) { value.withLock { $0 += seconds } }
}
