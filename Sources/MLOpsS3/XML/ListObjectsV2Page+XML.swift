import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ListObjectsV2Page {
    /// Decodes the body of a ListObjectsV2 response (a `<ListBucketResult>` document), for a listing
    /// fetched by other means than this library's client.
    ///
    /// The body is treated as untrusted: bodies over 32 MiB, DTDs and entity declarations, and
    /// non-UTF-8 text are refused before anything is built. Keys of an `encoding-type=url` listing
    /// come back decoded.
    ///
    /// - Parameter xml: The response body, exactly as received.
    /// - Throws: ``S3Error`` when the body is an `<Error>` document; ``S3XMLError`` when it is
    ///   malformed, is another document, or lacks `<IsTruncated>` or a `<Contents>` entry's `<Key>`.
    public init(xml: Data) throws {
        self = try Self.decode(xml: xml)
    }

    /// Decodes a ListObjectsV2 response body (`<ListBucketResult>`).
    ///
    /// - Throws: ``S3XMLError`` for a malformed or unexpected body; ``S3Error`` for an `<Error>` body.
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> ListObjectsV2Page {
        var page = try S3XMLDecoding.decode(data, roots: "ListBucketResult", limits: limits) { reader in
            var page = ListObjectsV2Page()
            var sawIsTruncated = false
            try reader.forEachChild { name in
                switch name {
                case "Contents": page.objects.append(try S3Object.read(from: reader))
                case "CommonPrefixes": try reader.commonPrefixes(into: &page.commonPrefixes)
                case "Name": page.bucketName = try reader.text()
                case "Prefix": page.prefix = try reader.text()
                case "Delimiter": page.delimiter = try reader.text()
                case "StartAfter": page.startAfter = try reader.text()
                case "ContinuationToken": page.continuationToken = try reader.text()
                case "NextContinuationToken": page.nextContinuationToken = try reader.text()
                case "EncodingType": page.encodingType = try reader.text()
                case "MaxKeys": page.maxKeys = try S3XMLDecoding.int(reader.text(), element: name)
                case "KeyCount": page.keyCount = try S3XMLDecoding.int(reader.text(), element: name)
                case "IsTruncated":
                    page.isTruncated = try S3XMLDecoding.bool(reader.text(), element: name)
                    sawIsTruncated = true
                default: break
                }
            }
            if !sawIsTruncated { throw S3XMLDecoding.missing("ListBucketResult/IsTruncated") }
            if page.nextContinuationToken?.isEmpty == true { page.nextContinuationToken = nil }
            return page
        }
        if S3XMLDecoding.isURLEncoded(page.encodingType) {
            do {
                try page.decodeURLEncodedFields()
            } catch var error as S3XMLError {
                error.document = "ListBucketResult"
                throw error
            }
        }
        return page
    }

    /// Decodes the fields S3 URL-encodes under `encoding-type=url`.
    private mutating func decodeURLEncodedFields() throws {
        prefix = try S3XMLDecoding.formDecoded(prefix, element: "Prefix")
        delimiter = try S3XMLDecoding.formDecoded(delimiter, element: "Delimiter")
        startAfter = try S3XMLDecoding.formDecoded(startAfter, element: "StartAfter")
        for index in objects.indices {
            objects[index].key = try S3XMLDecoding.formDecoded(objects[index].key, element: "Contents/Key")
        }
        for index in commonPrefixes.indices {
            commonPrefixes[index] = try S3XMLDecoding.formDecoded(commonPrefixes[index], element: "CommonPrefixes/Prefix")
        }
    }
}

extension S3Object {
    /// Reads a `<Contents>` element.
    static func read(from reader: XMLStreamReader) throws -> S3Object {
        var key: String?
        var object = S3Object(key: "", size: 0)
        try reader.forEachChild { name in
            switch name {
            case "Key": key = try reader.text()
            case "Size": object.size = try S3XMLDecoding.int64(reader.text(), element: "Contents/Size")
            case "LastModified": object.lastModified = try S3XMLDecoding.date(reader.text(), element: "Contents/LastModified")
            case "ETag": object.eTag = S3XMLDecoding.eTag(try reader.text())
            case "StorageClass": object.storageClass = try reader.text()
            case "Owner": object.owner = try reader.owner()
            case "ChecksumAlgorithm": object.checksumAlgorithms.append(try reader.text())
            default: break
            }
        }
        guard let key else { throw S3XMLDecoding.missing("Contents/Key") }
        object.key = key
        return object
    }
}
