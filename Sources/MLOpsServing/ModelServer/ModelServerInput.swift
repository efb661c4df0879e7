import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A body for a model server's `POST /invocations`, in one of the formats `mlflow models serve`
/// accepts: JSON (`dataframe_split`, `dataframe_records`, `instances` or `inputs`, optionally with
/// `params`) or CSV (a header line, then one row per line).
///
/// The factories check the input before anything is sent, so a malformed file is reported as such
/// rather than as the server's 400; the bytes are sent as they were read.
public struct ModelServerInput: Sendable, Hashable {
    /// How the body is encoded.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        case json, csv

        /// The `Content-Type` the scoring server expects for it.
        public var contentType: String {
            switch self {
            case .json: "application/json"
            case .csv: "text/csv"
            }
        }
    }

    /// The top-level keys of a JSON body, one of which names the input.
    public static let jsonInputKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"]

    public var format: Format
    public var body: Data

    /// An input of `format` without any check.
    public init(uncheckedFormat format: Format, body: Data) {
        self.format = format
        self.body = body
    }

    /// A JSON body: an object holding one of ``jsonInputKeys``.
    ///
    /// - Throws: ``ModelServerInputError`` when `body` is not JSON or has none of those keys.
    public static func json(_ body: Data) throws(ModelServerInputError) -> ModelServerInput {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: body)
        } catch {
            if (try? JSONDecoder().decode(JSONValue.self, from: body)) != nil {
                throw ModelServerInputError(reason: "the JSON input is not an object; expected {\"dataframe_split\": …} or one of \(keyList)")
            }
            throw ModelServerInputError(reason: "the input is not valid JSON")
        }
        let present = jsonInputKeys.filter { object[$0] != nil }
        guard !present.isEmpty else {
            let found = object.keys.sorted().prefix(5).joined(separator: ", ")
            throw ModelServerInputError(
                reason: "the JSON input has none of the keys \(keyList)" + (found.isEmpty ? "" : " (it has \(found))"))
        }
        guard present.count == 1 else {
            throw ModelServerInputError(reason: "the JSON input has more than one of \(keyList): \(present.joined(separator: ", "))")
        }
        return ModelServerInput(uncheckedFormat: .json, body: body)
    }

    /// A CSV body: UTF-8 text with a header line.
    ///
    /// - Throws: ``ModelServerInputError`` when `body` is empty or not UTF-8.
    public static func csv(_ body: Data) throws(ModelServerInputError) -> ModelServerInput {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw ModelServerInputError(reason: "the CSV input is not UTF-8 text")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw ModelServerInputError(reason: "the CSV input is empty")
        }
        return ModelServerInput(uncheckedFormat: .csv, body: body)
    }

    /// A checked input of `format`.
    public static func checked(_ format: Format, body: Data) throws(ModelServerInputError) -> ModelServerInput {
        switch format {
        case .json: try json(body)
        case .csv: try csv(body)
        }
    }

    private static var keyList: String { jsonInputKeys.joined(separator: ", ") }
}

/// Why an input cannot be sent to a model server.
public struct ModelServerInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the input.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
