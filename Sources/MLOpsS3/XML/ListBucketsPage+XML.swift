import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ListBucketsPage {
    /// Decodes a ListBuckets response body (`<ListAllMyBucketsResult>`).
    ///
    /// - Throws: ``S3XMLError`` for a malformed or unexpected body; ``S3Error`` for an `<Error>` body.
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> ListBucketsPage {
        try S3XMLDecoding.decode(data, roots: "ListAllMyBucketsResult", limits: limits) { reader in
            var page = ListBucketsPage()
            try reader.forEachChild { name in
                switch name {
                case "Buckets":
                    try reader.forEachChild { name in
                        if name == "Bucket" { page.buckets.append(try S3Bucket.read(from: reader)) }
                    }
                case "Owner": page.owner = try reader.owner()
                case "ContinuationToken": page.continuationToken = try reader.text()
                case "Prefix": page.prefix = try reader.text()
                default: break
                }
            }
            if page.continuationToken?.isEmpty == true { page.continuationToken = nil }
            return page
        }
    }
}

extension S3Bucket {
    /// Reads a `<Bucket>` element.
    static func read(from reader: XMLStreamReader) throws -> S3Bucket {
        var bucket = S3Bucket(name: "")
        var sawName = false
        try reader.forEachChild { name in
            switch name {
            case "Name":
                bucket.name = try reader.text()
                sawName = true
            case "CreationDate": bucket.creationDate = try S3XMLDecoding.date(reader.text(), element: "Bucket/CreationDate")
            case "BucketRegion": bucket.region = try reader.text()
            default: break
            }
        }
        guard sawName else { throw S3XMLDecoding.missing("Bucket/Name") }
        return bucket
    }
}
