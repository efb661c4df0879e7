import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DeleteObjectsResult {
    /// Decodes a DeleteObjects response body (`<DeleteResult>`), which lists deleted keys and per-key
    /// errors side by side.
    ///
    /// - Throws: ``S3XMLError`` for a malformed or unexpected body; ``S3Error`` for an `<Error>` body
    ///   (the whole request failed).
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> DeleteObjectsResult {
        try S3XMLDecoding.decode(data, roots: "DeleteResult", limits: limits) { reader in
            var result = DeleteObjectsResult()
            try reader.forEachChild { name in
                switch name {
                case "Deleted": if let deleted = try readDeleted(from: reader) { result.deleted.append(deleted) }
                case "Error": result.failures.append(try readFailure(from: reader))
                default: break
                }
            }
            return result
        }
    }

    /// Reads a `<Deleted>` element; `nil` when it has no key.
    private static func readDeleted(from reader: XMLStreamReader) throws -> Deleted? {
        var key: String?
        var entry = Deleted(key: "")
        try reader.forEachChild { name in
            switch name {
            case "Key": key = try reader.text()
            case "VersionId": entry.versionID = try reader.text()
            case "DeleteMarker": entry.deleteMarker = try S3XMLDecoding.bool(reader.text(), element: "Deleted/DeleteMarker")
            case "DeleteMarkerVersionId": entry.deleteMarkerVersionID = try reader.text()
            default: break
            }
        }
        guard let key else { return nil }
        entry.key = key
        return entry
    }

    /// Reads an `<Error>` element of a `<DeleteResult>`.
    private static func readFailure(from reader: XMLStreamReader) throws -> Failure {
        var key: String?
        var code: String?
        var entry = Failure(key: "", code: .unknown, message: "")
        try reader.forEachChild { name in
            switch name {
            case "Key": key = try reader.text()
            case "VersionId": entry.versionID = try reader.text()
            case "Code": code = S3XMLDecoding.trimmed(try reader.text())
            case "Message": entry.message = try reader.text()
            default: break
            }
        }
        guard let key else { throw S3XMLDecoding.missing("Error/Key") }
        entry.key = key
        if let code, !code.isEmpty { entry.code = S3Error.Code(rawValue: code) }
        return entry
    }
}
