import MLOpsCore

/// The result of CompleteMultipartUpload (the `<CompleteMultipartUploadResult>` document).
///
/// S3 answers CompleteMultipartUpload with HTTP 200 before it has finished; a failure then arrives as
/// an `<Error>` document in that 200 response. Decoding turns such a body into a thrown ``S3Error``,
/// never into this type.
public struct CompleteMultipartUploadResult: Sendable, Hashable {
    /// The URL of the new object, as the server gives it.
    public var location: String?
    /// The bucket's name.
    public var bucketName: String?
    /// The new object's key.
    public var key: String?
    /// The new object's entity tag without quotes, usually `<hex MD5 of the part MD5s>-<part count>`.
    public var eTag: String?

    /// Creates a result.
    public init(location: String? = nil, bucketName: String? = nil, key: String? = nil, eTag: String? = nil) {
        self.location = location
        self.bucketName = bucketName
        self.key = key
        self.eTag = eTag
    }
}
