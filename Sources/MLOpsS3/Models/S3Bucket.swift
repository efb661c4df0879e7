import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bucket, as ListBuckets lists it.
public struct S3Bucket: Sendable, Hashable {
    /// The bucket's name.
    public var name: String
    /// When the bucket was created.
    public var creationDate: Date?
    /// The bucket's region, when the server says (`<BucketRegion>`).
    public var region: String?

    /// Creates a bucket entry.
    public init(name: String, creationDate: Date? = nil, region: String? = nil) {
        self.name = name
        self.creationDate = creationDate
        self.region = region
    }
}
