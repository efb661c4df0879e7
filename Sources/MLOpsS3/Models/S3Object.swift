import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One object in a bucket listing (a `<Contents>` entry of ListObjectsV2).
public struct S3Object: Sendable, Hashable {
    /// The object's key, decoded (URL-encoded listings are decoded for you).
    public var key: String
    /// The size in bytes.
    public var size: Int64
    /// When the object was last written.
    public var lastModified: Date?
    /// The entity tag as the server gives it, without the surrounding double quotes.
    ///
    /// For a single-part upload this is usually the hex MD5 of the content; for a multipart upload it
    /// ends in `-N`, the number of parts.
    public var eTag: String?
    /// The storage class, such as `STANDARD`.
    public var storageClass: String?
    /// The owner, present when the listing asked for it (`fetch-owner=true`).
    public var owner: S3Owner?
    /// The checksum algorithms the object was stored with, such as `CRC32`.
    public var checksumAlgorithms: [String]

    /// Creates an object entry.
    public init(
        key: String,
        size: Int64,
        lastModified: Date? = nil,
        eTag: String? = nil,
        storageClass: String? = nil,
        owner: S3Owner? = nil,
        checksumAlgorithms: [String] = []
    ) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
        self.eTag = eTag
        self.storageClass = storageClass
        self.owner = owner
        self.checksumAlgorithms = checksumAlgorithms
    }
}
