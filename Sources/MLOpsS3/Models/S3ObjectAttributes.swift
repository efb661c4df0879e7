import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What HeadObject (or the headers of GetObject) says about an object.
public struct S3ObjectAttributes: Sendable, Hashable {
    /// The object's key.
    public var key: String
    /// The whole object's size in bytes (not the size of a requested range).
    public var size: Int64
    /// The entity tag without the surrounding double quotes.
    public var eTag: String?
    /// When the object was last written.
    public var lastModified: Date?
    /// The `Content-Type` it was stored with.
    public var contentType: String?
    /// The version, for a versioned bucket.
    public var versionID: String?
    /// User metadata (`x-amz-meta-*` headers), by lower-cased name without the prefix.
    public var metadata: [String: String]
    /// The server-side encryption applied (`AES256`, `aws:kms`, …), when the server says.
    public var serverSideEncryption: String?

    /// Creates attributes from their parts.
    public init(
        key: String, size: Int64, eTag: String? = nil, lastModified: Date? = nil, contentType: String? = nil,
        versionID: String? = nil, metadata: [String: String] = [:], serverSideEncryption: String? = nil
    ) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
        self.contentType = contentType
        self.versionID = versionID
        self.metadata = metadata
        self.serverSideEncryption = serverSideEncryption
    }

    /// The attributes in a HEAD or GET response's headers. The size comes from `Content-Range`'s total
    /// when the response is partial, else from `Content-Length`.
    init(key: String, headers: TransportHeaders) {
        // A negative length is no length: a server's `Content-Length: -1` must not become a size.
        func byteCount(_ text: Substring) -> Int64? { Int64(text).flatMap { $0 >= 0 ? $0 : nil } }
        var size = headers["Content-Length"].flatMap { byteCount(Substring($0)) } ?? 0
        if let range = headers["Content-Range"], let slash = range.lastIndex(of: "/"),
            let total = byteCount(range[range.index(after: slash)...])
        {
            size = total
        }
        var metadata: [String: String] = [:]
        for field in headers where field.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(field.name.lowercased().dropFirst("x-amz-meta-".count))] = field.value
        }
        self.init(
            key: key,
            size: size,
            eTag: headers["ETag"].map(S3XMLDecoding.eTag),
            lastModified: headers["Last-Modified"].flatMap(HTTPDate.secondsSince1970).map {
                Date(timeIntervalSince1970: Double($0))
            },
            contentType: headers["Content-Type"],
            versionID: headers["x-amz-version-id"],
            metadata: metadata,
            serverSideEncryption: headers["x-amz-server-side-encryption"])
    }

    /// The MD5 of the content, in hex, when the ETag is one: a single-part upload without KMS
    /// encryption, whose ETag is 32 hex digits.
    var contentMD5Hex: String? {
        guard let eTag, eTag.utf8.count == 32, eTag.utf8.allSatisfy(\.isHexDigit),
            serverSideEncryption == nil || serverSideEncryption == "AES256"
        else { return nil }
        return eTag.lowercased()
    }

    /// The number of parts, when the ETag is a multipart upload's (`<hex>-<parts>`).
    var multipartPartCount: Int? {
        guard let eTag, let dash = eTag.lastIndex(of: "-"), eTag[..<dash].utf8.count == 32,
            serverSideEncryption == nil || serverSideEncryption == "AES256"
        else { return nil }
        return Int(eTag[eTag.index(after: dash)...]).flatMap { $0 > 0 ? $0 : nil }
    }
}

/// What a completed upload returns.
public struct S3PutResult: Sendable, Hashable, Codable {
    /// The new object's entity tag without quotes.
    public var eTag: String?
    /// The new object's version, for a versioned bucket.
    public var versionID: String?
    /// The number of bytes stored.
    public var size: Int64
    /// The number of parts it was uploaded in; `nil` for a single request.
    public var partCount: Int?

    /// Creates a result.
    public init(eTag: String? = nil, versionID: String? = nil, size: Int64, partCount: Int? = nil) {
        self.eTag = eTag
        self.versionID = versionID
        self.size = size
        self.partCount = partCount
    }
}

/// How far a single transfer has got.
public struct S3TransferProgress: Sendable, Hashable {
    /// Bytes sent or received and stored so far.
    public var completedBytes: Int64
    /// The transfer's size in bytes.
    public var totalBytes: Int64

    /// Creates a progress report.
    public init(completedBytes: Int64, totalBytes: Int64) {
        self.completedBytes = completedBytes
        self.totalBytes = totalBytes
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
