import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MultipartUpload {
    /// Decodes a CreateMultipartUpload response body (`<InitiateMultipartUploadResult>`).
    ///
    /// - Throws: ``S3XMLError`` for a malformed body or one without `UploadId` or `Key`; ``S3Error``
    ///   for an `<Error>` body.
    static func decodeInitiateResult(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> MultipartUpload {
        try S3XMLDecoding.decode(data, roots: "InitiateMultipartUploadResult", limits: limits) { reader in
            var key: String?
            var uploadID: String?
            try reader.forEachChild { name in
                switch name {
                case "Key": key = try reader.text()
                case "UploadId": uploadID = try reader.text()
                default: break
                }
            }
            guard let uploadID, !uploadID.isEmpty else {
                throw S3XMLDecoding.missing("InitiateMultipartUploadResult/UploadId")
            }
            guard let key else { throw S3XMLDecoding.missing("InitiateMultipartUploadResult/Key") }
            return MultipartUpload(key: key, uploadID: uploadID)
        }
    }

    /// Reads an `<Upload>` element of ListMultipartUploads.
    static func read(from reader: XMLStreamReader) throws -> MultipartUpload {
        var key: String?
        var uploadID: String?
        var upload = MultipartUpload(key: "", uploadID: "")
        try reader.forEachChild { name in
            switch name {
            case "Key": key = try reader.text()
            case "UploadId": uploadID = try reader.text()
            case "Initiated": upload.initiated = try S3XMLDecoding.date(reader.text(), element: "Upload/Initiated")
            case "StorageClass": upload.storageClass = try reader.text()
            case "Owner": upload.owner = try reader.owner()
            case "Initiator": upload.initiator = try reader.owner()
            default: break
            }
        }
        guard let key else { throw S3XMLDecoding.missing("Upload/Key") }
        guard let uploadID else { throw S3XMLDecoding.missing("Upload/UploadId") }
        upload.key = key
        upload.uploadID = uploadID
        return upload
    }
}

extension ListMultipartUploadsPage {
    /// Decodes a ListMultipartUploads response body (`<ListMultipartUploadsResult>`).
    ///
    /// - Throws: ``S3XMLError`` for a malformed or unexpected body; ``S3Error`` for an `<Error>` body.
    static func decode(xml data: Data, limits: XMLStreamReader.Limits = .default) throws -> ListMultipartUploadsPage {
        var page = try S3XMLDecoding.decode(data, roots: "ListMultipartUploadsResult", limits: limits) { reader in
            var page = ListMultipartUploadsPage()
            try reader.forEachChild { name in
                switch name {
                case "Upload": page.uploads.append(try MultipartUpload.read(from: reader))
                case "CommonPrefixes": try reader.commonPrefixes(into: &page.commonPrefixes)
                case "Bucket": page.bucketName = try reader.text()
                case "Prefix": page.prefix = try reader.text()
                case "Delimiter": page.delimiter = try reader.text()
                case "KeyMarker": page.keyMarker = try reader.text()
                case "UploadIdMarker": page.uploadIDMarker = try reader.text()
                case "NextKeyMarker": page.nextKeyMarker = try reader.text()
                case "NextUploadIdMarker": page.nextUploadIDMarker = try reader.text()
                case "EncodingType": page.encodingType = try reader.text()
                case "MaxUploads": page.maxUploads = try S3XMLDecoding.int(reader.text(), element: name)
                case "IsTruncated": page.isTruncated = try S3XMLDecoding.bool(reader.text(), element: name)
                default: break
                }
            }
            return page
        }
        if S3XMLDecoding.isURLEncoded(page.encodingType) {
            do {
                try page.decodeURLEncodedFields()
            } catch var error as S3XMLError {
                error.document = "ListMultipartUploadsResult"
                throw error
            }
        }
        return page
    }

    /// Decodes the fields S3 URL-encodes under `encoding-type=url`: Delimiter, KeyMarker, Prefix,
    /// NextKeyMarker and Key, plus the common prefixes, which are key text too.
    private mutating func decodeURLEncodedFields() throws {
        prefix = try S3XMLDecoding.formDecoded(prefix, element: "Prefix")
        delimiter = try S3XMLDecoding.formDecoded(delimiter, element: "Delimiter")
        keyMarker = try S3XMLDecoding.formDecoded(keyMarker, element: "KeyMarker")
        nextKeyMarker = try S3XMLDecoding.formDecoded(nextKeyMarker, element: "NextKeyMarker")
        for index in uploads.indices {
            uploads[index].key = try S3XMLDecoding.formDecoded(uploads[index].key, element: "Upload/Key")
        }
        for index in commonPrefixes.indices {
            commonPrefixes[index] = try S3XMLDecoding.formDecoded(commonPrefixes[index], element: "CommonPrefixes/Prefix")
        }
    }
}
