import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A multipart upload in progress: what CreateMultipartUpload returns, and each `<Upload>` of
/// ListMultipartUploads.
public struct MultipartUpload: Sendable, Hashable {
    /// The key the upload will create, decoded.
    public var key: String
    /// The upload ID to pass to UploadPart, ListParts, CompleteMultipartUpload and AbortMultipartUpload.
    public var uploadID: String
    /// When the upload was started; `nil` from CreateMultipartUpload, which does not say.
    public var initiated: Date?
    /// The storage class the object will have.
    public var storageClass: String?
    /// The owner of the object to be.
    public var owner: S3Owner?
    /// Who started the upload.
    public var initiator: S3Owner?

    /// Creates an upload.
    public init(
        key: String,
        uploadID: String,
        initiated: Date? = nil,
        storageClass: String? = nil,
        owner: S3Owner? = nil,
        initiator: S3Owner? = nil
    ) {
        self.key = key
        self.uploadID = uploadID
        self.initiated = initiated
        self.storageClass = storageClass
        self.owner = owner
        self.initiator = initiator
    }
}
