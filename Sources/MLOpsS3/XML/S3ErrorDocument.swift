import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The content of an S3 `<Error>` document: `Code`, `Message`, and every other leaf element by name.
///
/// Servers differ in the extras (AWS: `RequestId`, `HostId`; SeaweedFS: `Resource`, `BucketName`, no
/// `HostId`; MinIO: an empty `HostId`, `Region`), so all of them are kept, except echoed signing
/// material, which is dropped or masked here.
struct S3ErrorDocument: Sendable, Hashable {
    var code: String?
    var message: String?
    var fields: [String: String]

    /// Fields never kept: the signature the client sent, the access key ID, and hex dumps.
    private static let droppedFields: Set<String> = [
        "SignatureProvided", "AWSAccessKeyId", "StringToSignBytes", "CanonicalRequestBytes",
    ]

    /// Error documents are small; a larger body is not treated as one.
    static let limits = XMLStreamReader.Limits(maximumByteCount: 1024 * 1024, maximumDepth: 8)

    /// Parses a body that must be an `<Error>` document.
    static func decode(_ body: Data) throws -> S3ErrorDocument {
        try XMLStreamReader.read(body, limits: limits) { reader in
            let root = try reader.root()
            guard root == "Error" else {
                throw S3XMLError(code: .unexpectedDocument, detail: "root element <\(root)>, not <Error>", document: "Error")
            }
            return try read(from: reader)
        }
    }

    /// Reads the `<Error>` element the reader stands on.
    static func read(from reader: XMLStreamReader) throws -> S3ErrorDocument {
        var document = S3ErrorDocument(code: nil, message: nil, fields: [:])
        try reader.forEachChild { name in
            switch name {
            case "Code": document.code = try reader.text().trimmingWhitespaceAndNewlines()
            case "Message": document.message = try reader.text()
            case _ where droppedFields.contains(name): break
            case "CanonicalRequest", "StringToSign": document.fields[name] = S3SecretMasking.masking(try reader.text())
            default: document.fields[name] = try reader.text()
            }
        }
        return document
    }
}
