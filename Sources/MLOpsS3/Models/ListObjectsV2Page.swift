import MLOpsCore

/// One page of a ListObjectsV2 listing (the `<ListBucketResult>` document).
///
/// When the response says `<EncodingType>url</EncodingType>`, the keys, prefixes, delimiter and
/// start-after value have already been decoded with form semantics (`+` is a space, then `%XX`
/// escapes), so every string here is the real key text.
public struct ListObjectsV2Page: Sendable, Hashable {
    /// The bucket's name.
    public var bucketName: String?
    /// The prefix the listing was limited to.
    public var prefix: String?
    /// The delimiter that grouped keys into ``commonPrefixes``.
    public var delimiter: String?
    /// The start-after key of the request, echoed.
    public var startAfter: String?
    /// The continuation token of the request, echoed.
    public var continuationToken: String?
    /// The page size the server applied.
    public var maxKeys: Int?
    /// The objects on this page, in key order.
    public var objects: [S3Object]
    /// The key prefixes rolled up by the delimiter (each ends with the delimiter).
    public var commonPrefixes: [String]
    /// Whether more results follow this page.
    public var isTruncated: Bool
    /// The opaque token for the next page; `nil` on the last page. Pass it back unchanged.
    public var nextContinuationToken: String?
    /// The number of keys and common prefixes on this page, as the server counted them.
    public var keyCount: Int?
    /// The encoding the server applied to keys (`"url"`), before this page decoded them.
    public var encodingType: String?

    /// Creates a page.
    public init(
        bucketName: String? = nil,
        prefix: String? = nil,
        delimiter: String? = nil,
        startAfter: String? = nil,
        continuationToken: String? = nil,
        maxKeys: Int? = nil,
        objects: [S3Object] = [],
        commonPrefixes: [String] = [],
        isTruncated: Bool = false,
        nextContinuationToken: String? = nil,
        keyCount: Int? = nil,
        encodingType: String? = nil
    ) {
        self.bucketName = bucketName
        self.prefix = prefix
        self.delimiter = delimiter
        self.startAfter = startAfter
        self.continuationToken = continuationToken
        self.maxKeys = maxKeys
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
        self.keyCount = keyCount
        self.encodingType = encodingType
    }
}
