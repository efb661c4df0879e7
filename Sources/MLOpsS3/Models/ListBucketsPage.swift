import MLOpsCore

/// The result of ListBuckets (the `<ListAllMyBucketsResult>` document), one page of it when the
/// server paginates.
public struct ListBucketsPage: Sendable, Hashable {
    /// The buckets, in the server's order.
    public var buckets: [S3Bucket]
    /// The owner of the buckets.
    public var owner: S3Owner?
    /// The token for the next page; `nil` when this is the last (or only) page.
    public var continuationToken: String?
    /// The name prefix the listing was limited to.
    public var prefix: String?

    /// Creates a page.
    public init(buckets: [S3Bucket] = [], owner: S3Owner? = nil, continuationToken: String? = nil, prefix: String? = nil) {
        self.buckets = buckets
        self.owner = owner
        self.continuationToken = continuationToken
        self.prefix = prefix
    }
}
