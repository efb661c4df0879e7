import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The agent's `GET /status` document: every (model, alias) it serves, with the agent's own state.
/// `mlops serve status` reads it; its JSON keys are snake_case and its dates ISO 8601.
public struct AutoserveStatusDocument: Sendable, Hashable, Codable {
    /// The serving runtime in use, such as `docker` or `process`.
    public var runtime: String
    /// The aliases the agent serves.
    public var aliases: [String]
    /// When the registry and runtime were last read successfully.
    public var lastSync: Date?
    /// Why the last resync failed, when it did.
    public var lastSyncError: String?
    /// One status per (model, alias), sorted by model and alias.
    public var keys: [ServingStatus]

    public init(runtime: String, aliases: [String], lastSync: Date?, lastSyncError: String?, keys: [ServingStatus]) {
        self.runtime = runtime
        self.aliases = aliases
        self.lastSync = lastSync
        self.lastSyncError = lastSyncError
        self.keys = keys
    }

    enum CodingKeys: String, CodingKey {
        case runtime, aliases, keys
        case lastSync = "last_sync"
        case lastSyncError = "last_sync_error"
    }

    /// The encoder that writes the document as the agent serves it.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// The decoder that reads it.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension AliasReconciler {
    /// The `/status` document as of now.
    public func statusDocument() -> AutoserveStatusDocument {
        AutoserveStatusDocument(
            runtime: runtime.name, aliases: configuration.aliases, lastSync: lastSuccessfulSyncDate(),
            lastSyncError: lastSyncFailure(), keys: statuses())
    }
}
