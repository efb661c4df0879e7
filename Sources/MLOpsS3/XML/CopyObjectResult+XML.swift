import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CopyObjectResult {
    /// Decodes a CopyObject (`<CopyObjectResult>`) or UploadPartCopy (`<CopyPartResult>`) response body.
    ///
    /// S3 may report a copy that failed after it started as an `<Error>` document with HTTP 200.
    ///
    /// - Throws: ``S3XMLError`` for a malformed or unexpected body; ``S3Error`` for an `<Error>` body.
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> CopyObjectResult {
        try S3XMLDecoding.decode(data, roots: "CopyObjectResult", "CopyPartResult", limits: limits) { reader in
            var result = CopyObjectResult()
            try reader.forEachChild { name in
                switch name {
                case "ETag": result.eTag = S3XMLDecoding.eTag(try reader.text())
                case "LastModified": result.lastModified = try S3XMLDecoding.date(reader.text(), element: "LastModified")
                default: break
                }
            }
            return result
        }
    }
}
