import MLOpsCore

/// One page of ListMultipartUploads (the `<ListMultipartUploadsResult>` document).
///
/// With `<EncodingType>url</EncodingType>`, keys, prefixes, the delimiter and the key markers have
/// already been decoded with form semantics.
public struct ListMultipartUploadsPage: Sendable, Hashable {
    /// The bucket's name.
    public var bucketName: String?
    /// The prefix the listing was limited to.
    public var prefix: String?
    /// The delimiter that grouped keys into ``commonPrefixes``.
    public var delimiter: String?
    /// The key marker of the request, echoed.
    public var keyMarker: String?
    /// The upload-ID marker of the request, echoed.
    public var uploadIDMarker: String?
    /// The key marker for the next page, when ``isTruncated``.
    public var nextKeyMarker: String?
    /// The upload-ID marker for the next page, when ``isTruncated``.
    public var nextUploadIDMarker: String?
    /// The page size the server applied.
    public var maxUploads: Int?
    /// Whether more uploads follow this page.
    public var isTruncated: Bool
    /// The uploads on this page.
    public var uploads: [MultipartUpload]
    /// The key prefixes rolled up by the delimiter.
    public var commonPrefixes: [String]
    /// The encoding the server applied to keys (`"url"`), before this page decoded them.
    public var encodingType: String?

    /// Creates a page.
    public init(
        bucketName: String? = nil,
        prefix: String? = nil,
        delimiter: String? = nil,
        keyMarker: String? = nil,
        uploadIDMarker: String? = nil,
        nextKeyMarker: String? = nil,
        nextUploadIDMarker: String? = nil,
        maxUploads: Int? = nil,
        isTruncated: Bool = false,
        uploads: [MultipartUpload] = [],
        commonPrefixes: [String] = [],
        encodingType: String? = nil
    ) {
        self.bucketName = bucketName
        self.prefix = prefix
        self.delimiter = delimiter
        self.keyMarker = keyMarker
        self.uploadIDMarker = uploadIDMarker
        self.nextKeyMarker = nextKeyMarker
        self.nextUploadIDMarker = nextUploadIDMarker
        self.maxUploads = maxUploads
        self.isTruncated = isTruncated
        self.uploads = uploads
        self.commonPrefixes = commonPrefixes
        self.encodingType = encodingType
    }
}
