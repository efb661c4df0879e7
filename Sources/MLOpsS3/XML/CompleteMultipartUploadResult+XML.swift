import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CompleteMultipartUploadResult {
    /// Decodes a CompleteMultipartUpload response body (`<CompleteMultipartUploadResult>`).
    ///
    /// S3 sends status 200 before the upload is assembled and reports a late failure as an `<Error>`
    /// document in that 200 response, possibly after whitespace padding; such a body is thrown as
    /// an ``S3Error`` with ``S3Error/httpStatus`` 200. Check ``S3Error/isRetryable``: an
    /// `InternalError` there should be retried.
    ///
    /// - Throws: ``S3Error`` for an `<Error>` body; ``S3XMLError`` for a malformed or unexpected body.
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> CompleteMultipartUploadResult {
        try S3XMLDecoding.decode(data, roots: "CompleteMultipartUploadResult", limits: limits) { reader in
            var result = CompleteMultipartUploadResult()
            try reader.forEachChild { name in
                switch name {
                case "Location": result.location = try reader.text()
                case "Bucket": result.bucketName = try reader.text()
                case "Key": result.key = try reader.text()
                case "ETag": result.eTag = S3XMLDecoding.eTag(try reader.text())
                default: break
                }
            }
            return result
        }
    }
}
