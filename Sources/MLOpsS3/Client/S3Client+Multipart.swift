import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension S3Client {
    /// Starts a multipart upload of `key` (CreateMultipartUpload).
    ///
    /// Prefer ``uploadFile(at:bucket:key:contentType:metadata:progress:)``, which uploads the parts in
    /// parallel and aborts the upload on any failure. An upload started here must be completed with
    /// ``completeMultipartUpload(bucket:key:uploadID:parts:)`` or aborted with
    /// ``abortMultipartUpload(bucket:key:uploadID:)``; until then its parts stay stored.
    public func createMultipartUpload(
        bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> MultipartUpload {
        try await createMultipartUpload(
            bucket: bucket, key: key, contentType: contentType, metadata: metadata, checksumCRC32C: false)
    }

    /// CreateMultipartUpload, announcing `x-amz-checksum-algorithm: CRC32C` when every part will carry
    /// `x-amz-checksum-crc32c` (AWS then requires the parts' checksums in CompleteMultipartUpload).
    func createMultipartUpload(
        bucket: String, key: String, contentType: String?, metadata: [String: String], checksumCRC32C: Bool
    ) async throws -> MultipartUpload {
        try Self.validate(key: key)
        var headers = try Self.objectHeaders(contentType: contentType, metadata: metadata)
        if checksumCRC32C { headers["x-amz-checksum-algorithm"] = "CRC32C" }
        var request = S3Request(
            "CreateMultipartUpload", .post, bucket: bucket, key: key, query: [("uploads", "")], headers: headers)
        // Sent twice it would start two uploads, the first never completed or aborted.
        request.isIdempotent = false
        let upload = try await perform(request, decoding: { try MultipartUpload.decodeInitiateResult(xml: $0) })
        guard !upload.uploadID.isEmpty else {
            throw S3TransferError(code: .unexpectedResponse, detail: "CreateMultipartUpload for \(bucket)/\(key) returned no upload ID")
        }
        return upload
    }

    /// Uploads part `partNumber` (1–10,000) of an upload from memory (UploadPart).
    public func uploadPart(
        _ data: Data, bucket: String, key: String, uploadID: String, partNumber: Int
    ) async throws -> UploadedPart {
        try await uploadPart(
            body: .bytes(data, signed: signsPayloads), bucket: bucket, key: key, uploadID: uploadID,
            partNumber: partNumber)
    }

    /// Sends one part and checks the returned ETag against the part's MD5.
    func uploadPart(
        body: S3RequestBody, bucket: String, key: String, uploadID: String, partNumber: Int
    ) async throws -> UploadedPart {
        guard (1...Self.maximumPartCount).contains(partNumber) else {
            throw S3TransferError(code: .invalidArgument, detail: "part number \(partNumber) is outside 1–10,000")
        }
        var request = S3Request(
            "UploadPart", .put, bucket: bucket, key: key,
            query: [("partNumber", String(partNumber)), ("uploadId", uploadID)], body: body)
        request.timeout = Self.transferTimeout
        let response = try await perform(request)
        guard let eTag = response.headers["ETag"].map(S3XMLDecoding.eTag), !eTag.isEmpty else {
            throw S3TransferError(code: .unexpectedResponse, detail: "UploadPart \(partNumber) of \(bucket)/\(key) returned no ETag")
        }
        if let sent = body.digest.md5Hex, eTag.utf8.count == 32, eTag.lowercased() != sent,
            response.headers["x-amz-server-side-encryption"].map({ $0 == "AES256" }) ?? true
        {
            throw S3TransferError(
                code: .checksumMismatch,
                detail: "part \(partNumber) of \(bucket)/\(key): the server stored MD5 \(eTag), the part sent has MD5 \(sent)")
        }
        return UploadedPart(
            partNumber: partNumber, eTag: eTag, size: body.length,
            checksumCRC32C: body.digest.crc32cBase64)
    }

    /// Completes an upload from its parts (CompleteMultipartUpload). An `<Error>` the server sends inside
    /// a 200 response is thrown as ``S3Error`` (and retried when it says so).
    @discardableResult
    public func completeMultipartUpload(
        bucket: String, key: String, uploadID: String, parts: [UploadedPart]
    ) async throws -> CompleteMultipartUploadResult {
        let xml = try S3RequestXML.completeMultipartUpload(parts: parts)
        var request = S3Request(
            "CompleteMultipartUpload", .post, bucket: bucket, key: key, query: [("uploadId", uploadID)],
            headers: ["Content-Type": "application/xml"], body: .bytes(xml, signed: signsPayloads))
        // Completing the same parts again gives the same object.
        request.isIdempotent = true
        request.timeout = Self.transferTimeout
        return try await perform(request, decoding: { try CompleteMultipartUploadResult.decode(xml: $0) })
    }

    /// Aborts an upload and frees its parts (AbortMultipartUpload). Aborting an upload that no longer
    /// exists succeeds.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        do {
            try await perform(
                S3Request("AbortMultipartUpload", .delete, bucket: bucket, key: key, query: [("uploadId", uploadID)]))
        } catch let error as S3Error where error.code == .noSuchUpload {
            return
        }
    }

    /// The uploads in progress in `bucket` under `prefix` (ListMultipartUploads, all pages).
    public func listMultipartUploads(bucket: String, prefix: String? = nil) async throws -> [MultipartUpload] {
        var uploads: [MultipartUpload] = []
        var markers: (key: String, uploadID: String)?
        var seen: Set<String> = []
        while true {
            var query: [(name: String, value: String)] = [("uploads", "")]
            if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let markers {
                query.append(("key-marker", markers.key))
                query.append(("upload-id-marker", markers.uploadID))
            }
            query.append(("encoding-type", "url"))
            let page = try await perform(
                S3Request("ListMultipartUploads", .get, bucket: bucket, query: query),
                decoding: { try ListMultipartUploadsPage.decode(xml: $0) })
            uploads += page.uploads
            guard page.isTruncated, let key = page.nextKeyMarker,
                seen.insert(key + "\u{0}" + (page.nextUploadIDMarker ?? "")).inserted
            else { return uploads }
            markers = (key, page.nextUploadIDMarker ?? "")
        }
    }

    /// The parts stored so far for an upload (ListParts, all pages).
    public func listParts(bucket: String, key: String, uploadID: String) async throws -> [UploadedPart] {
        var parts: [UploadedPart] = []
        var marker: Int?
        while true {
            var query: [(name: String, value: String)] = [("uploadId", uploadID)]
            if let marker { query.append(("part-number-marker", String(marker))) }
            let page = try await perform(
                S3Request("ListParts", .get, bucket: bucket, key: key, query: query),
                decoding: { try ListPartsPage.decode(xml: $0) })
            parts += page.parts
            guard page.isTruncated, let next = page.nextPartNumberMarker, next > (marker ?? 0) else { return parts }
            marker = next
        }
    }

    /// S3's limits on parts.
    public static let maximumPartCount = 10_000
    /// The smallest size of a part other than the last: 5 MiB.
    public static let minimumPartSize: Int64 = 5 << 20
}
