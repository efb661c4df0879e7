import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of CopyObject (`<CopyObjectResult>`) or UploadPartCopy (`<CopyPartResult>`).
public struct CopyObjectResult: Sendable, Hashable {
    /// The new object's (or part's) entity tag, without surrounding double quotes. Some servers
    /// send it unquoted; either way it ends up the same here.
    public var eTag: String?
    /// When the copy was written.
    public var lastModified: Date?

    /// Creates a result.
    public init(eTag: String? = nil, lastModified: Date? = nil) {
        self.eTag = eTag
        self.lastModified = lastModified
    }
}
