import MLOpsCore
import MLOpsMLflow
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One decoded MLflow webhook delivery body:
/// `{"entity": …, "action": …, "timestamp": …, "data": {…}}`.
///
/// Alias events, the ones that move serving, decode to typed ``Payload`` cases; every other event
/// keeps its `data` object as ``JSONValue`` in ``data``.
///
/// An alias event says only that the alias changed: MLflow sends `created` both for a new alias and
/// for one moved to another version, deliveries can arrive out of order, and deleting a model emits
/// no alias event. Treat ``servingKey`` as "re-read this alias from the registry", not as the truth.
public struct WebhookEvent: Sendable, Equatable {
    /// What the delivery says happened.
    public enum Payload: Sendable, Equatable {
        /// `model_version_alias.created`: `alias` of model `name` now points at `version` (set or moved).
        case aliasCreated(name: String, alias: String, version: String)
        /// `model_version_alias.deleted`: `alias` was removed from model `name`. MLflow sends this even
        /// when the alias did not exist.
        case aliasDeleted(name: String, alias: String)
        /// Any other event (`registered_model.created`, `model_version.created`, tag events, prompt
        /// events, …); see ``WebhookEvent/data``.
        case other
    }

    /// The entity, such as ``WebhookEntity/modelVersionAlias``.
    public var entity: WebhookEntity
    /// The action, such as ``WebhookAction/created``.
    public var action: WebhookAction
    /// When the server emitted the event, as the ISO 8601 text it sent
    /// (`2026-11-29T01:17:58.917295+00:00`).
    public var timestamp: String
    /// The workspace, present only on servers with workspaces enabled.
    public var workspace: String?
    /// The typed payload.
    public var payload: Payload
    /// The `data` object as sent.
    public var data: JSONValue

    /// Creates an event value.
    public init(
        entity: WebhookEntity,
        action: WebhookAction,
        timestamp: String,
        workspace: String? = nil,
        payload: Payload,
        data: JSONValue
    ) {
        self.entity = entity
        self.action = action
        self.timestamp = timestamp
        self.workspace = workspace
        self.payload = payload
        self.data = data
    }

    /// The event type, such as `model_version_alias.created`.
    public var type: WebhookEventType { WebhookEventType(entity: entity, action: action) }

    /// The (model, alias) an alias event is about; `nil` for other events.
    public var servingKey: ServingKey? {
        switch payload {
        case .aliasCreated(let name, let alias, _), .aliasDeleted(let name, let alias):
            ServingKey(model: name, alias: alias)
        case .other:
            nil
        }
    }

    /// Why a body is not a webhook event.
    public struct DecodingFailure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, without the body's content.
        public var reason: String
        public var description: String { "not an MLflow webhook event: \(reason)" }
    }

    /// Decodes a delivery body.
    ///
    /// - Throws: ``DecodingFailure`` when the body is not JSON, lacks `entity`, `action` or `data`, or
    ///   is an alias event without the fields it must carry.
    public static func decode(_ body: some DataProtocol) throws(DecodingFailure) -> WebhookEvent {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch let error as DecodingError {
            throw DecodingFailure(reason: MLflowClient.summary(of: error))
        } catch {
            throw DecodingFailure(reason: "the body is not JSON")
        }
        guard case .object(let fields) = envelope.data else {
            throw DecodingFailure(reason: "'data' is not an object")
        }
        func string(_ key: String) throws(DecodingFailure) -> String {
            switch fields[key] {
            case .string(let value) where !value.isEmpty: return value
            case .number(let value) where value == value.rounded() && abs(value) < 1e15: return String(Int64(value))
            default: throw DecodingFailure(reason: "\(envelope.entity).\(envelope.action) has no '\(key)' string in 'data'")
            }
        }
        let payload: Payload
        switch (envelope.entity, envelope.action) {
        case (.modelVersionAlias, .created):
            payload = .aliasCreated(name: try string("name"), alias: try string("alias"), version: try string("version"))
        case (.modelVersionAlias, .deleted):
            payload = .aliasDeleted(name: try string("name"), alias: try string("alias"))
        default:
            payload = .other
        }
        return WebhookEvent(
            entity: envelope.entity, action: envelope.action, timestamp: envelope.timestamp ?? "",
            workspace: envelope.workspace, payload: payload, data: envelope.data)
    }

    private struct Envelope: Decodable {
        var entity: WebhookEntity
        var action: WebhookAction
        var timestamp: String?
        var workspace: String?
        var data: JSONValue
    }
}
