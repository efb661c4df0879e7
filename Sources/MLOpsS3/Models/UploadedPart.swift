import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A part of a multipart upload that the server holds (a `<Part>` of ListParts), or that a client
/// uploaded and will name in CompleteMultipartUpload.
public struct UploadedPart: Sendable, Hashable {
    /// The part number, from 1 to 10,000.
    public var partNumber: Int
    /// The part's entity tag without the surrounding double quotes (usually the hex MD5 of the part).
    public var eTag: String
    /// The part's size in bytes, when known.
    public var size: Int64?
    /// When the part was uploaded, when known.
    public var lastModified: Date?
    /// The part's CRC-32C as S3 writes it (base64 of the big-endian value), when it was uploaded with
    /// `x-amz-checksum-crc32c`; named again in CompleteMultipartUpload.
    public var checksumCRC32C: String?

    /// Creates a part.
    public init(
        partNumber: Int, eTag: String, size: Int64? = nil, lastModified: Date? = nil, checksumCRC32C: String? = nil
    ) {
        self.checksumCRC32C = checksumCRC32C
        self.partNumber = partNumber
        self.eTag = eTag
        self.size = size
        self.lastModified = lastModified
    }
}
