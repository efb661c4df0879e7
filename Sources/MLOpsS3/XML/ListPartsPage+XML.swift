import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ListPartsPage {
    /// Decodes a ListParts response body (`<ListPartsResult>`).
    ///
    /// - Throws: ``S3XMLError`` for a malformed or unexpected body; ``S3Error`` for an `<Error>` body.
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> ListPartsPage {
        try S3XMLDecoding.decode(data, roots: "ListPartsResult", limits: limits) { reader in
            var page = ListPartsPage()
            try reader.forEachChild { name in
                switch name {
                case "Part": page.parts.append(try UploadedPart.read(from: reader))
                case "Bucket": page.bucketName = try reader.text()
                case "Key": page.key = try reader.text()
                case "UploadId": page.uploadID = try reader.text()
                case "StorageClass": page.storageClass = try reader.text()
                case "Owner": page.owner = try reader.owner()
                case "Initiator": page.initiator = try reader.owner()
                case "PartNumberMarker": page.partNumberMarker = try optionalInt(reader.text(), element: name)
                case "NextPartNumberMarker": page.nextPartNumberMarker = try optionalInt(reader.text(), element: name)
                case "MaxParts": page.maxParts = try optionalInt(reader.text(), element: name)
                case "IsTruncated": page.isTruncated = try S3XMLDecoding.bool(reader.text(), element: name)
                default: break
                }
            }
            return page
        }
    }

    /// Markers may be sent empty (`<PartNumberMarker></PartNumberMarker>`) on the first page.
    private static func optionalInt(_ text: String, element: String) throws -> Int? {
        S3XMLDecoding.trimmed(text).isEmpty ? nil : try S3XMLDecoding.int(text, element: element)
    }
}

extension UploadedPart {
    /// Reads a `<Part>` element of ListParts.
    static func read(from reader: XMLStreamReader) throws -> UploadedPart {
        var partNumber: Int?
        var eTag: String?
        var size: Int64?
        var lastModified: Date?
        try reader.forEachChild { name in
            switch name {
            case "PartNumber": partNumber = try S3XMLDecoding.int(reader.text(), element: "Part/PartNumber")
            case "ETag": eTag = S3XMLDecoding.eTag(try reader.text())
            case "Size": size = try S3XMLDecoding.int64(reader.text(), element: "Part/Size")
            case "LastModified": lastModified = try S3XMLDecoding.date(reader.text(), element: "Part/LastModified")
            default: break
            }
        }
        guard let partNumber else { throw S3XMLDecoding.missing("Part/PartNumber") }
        guard let eTag else { throw S3XMLDecoding.missing("Part/ETag") }
        return UploadedPart(partNumber: partNumber, eTag: eTag, size: size, lastModified: lastModified)
    }
}
