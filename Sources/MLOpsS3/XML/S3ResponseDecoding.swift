import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns an S3 HTTP response into a decoded result or a thrown error, the same way for every operation.
enum S3ResponseDecoding {
    /// Decodes a successful response's body with `decoder`, or throws the ``S3Error`` the response
    /// stands for.
    ///
    /// - A status outside 2xx throws ``S3Error/init(status:headers:body:operation:bucket:key:)``.
    /// - A 2xx body that is an `<Error>` document (CompleteMultipartUpload, CopyObject) throws that
    ///   error, completed with the status, the request IDs from the headers and the caller's names.
    /// - A body that cannot be decoded throws ``S3XMLError``.
    static func decode<Result>(
        _ response: TransportResponse,
        operation: String,
        bucket: String? = nil,
        key: String? = nil,
        _ decoder: (Data) throws -> Result
    ) throws -> Result {
        guard response.isSuccess else {
            throw S3Error(
                status: response.status,
                headers: response.headers,
                body: response.body,
                operation: operation,
                bucket: bucket,
                key: key
            )
        }
        do {
            return try decoder(response.body)
        } catch var error as S3Error {
            error.httpStatus = response.status
            error.operation = operation
            error.bucket = bucket ?? error.bucket
            error.key = key ?? error.key
            if error.requestID == nil { error.requestID = response.headers["x-amz-request-id"].flatMap { $0.isEmpty ? nil : $0 } }
            if error.hostID == nil { error.hostID = response.headers["x-amz-id-2"].flatMap { $0.isEmpty ? nil : $0 } }
            throw error
        }
    }
}
