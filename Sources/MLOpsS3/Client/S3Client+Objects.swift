import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension S3Client {
    /// The object's size, ETag, type and metadata, without its content (HeadObject).
    ///
    /// - Throws: ``S3Error`` with ``S3Error/isNotFound`` when the bucket or key does not exist.
    public func headObject(bucket: String, key: String) async throws -> S3ObjectAttributes {
        let response = try await perform(S3Request("HeadObject", .head, bucket: bucket, key: key))
        return S3ObjectAttributes(key: key, headers: response.headers)
    }

    /// Whether the object exists: `false` for a missing key or bucket; other errors are thrown.
    public func objectExists(bucket: String, key: String) async throws -> Bool {
        do {
            _ = try await headObject(bucket: bucket, key: key)
            return true
        } catch let error as S3Error where error.isNotFound {
            return false
        }
    }

    /// The object's content, or the bytes of `range` (inclusive offsets), in memory (GetObject).
    ///
    /// A whole object with an MD5 ETag is checked against it (``Configuration/verifiesDownloads``).
    /// Objects larger than ``Configuration/maximumInMemoryObjectSize`` are refused; use
    /// ``downloadObject(bucket:key:to:progress:)`` or ``objectContents(bucket:key:chunkSize:)`` for them.
    ///
    /// - Throws: ``S3Error`` (``S3Error/Code/invalidRange`` for a range past the end),
    ///   ``S3TransferError`` with ``S3TransferError/Code/checksumMismatch`` when the bytes do not match
    ///   the ETag, ``HTTPTransportError`` with ``HTTPTransportError/Code/responseTooLarge``.
    public func getObject(bucket: String, key: String, range: ClosedRange<Int64>? = nil) async throws -> Data {
        var request = S3Request("GetObject", .get, bucket: bucket, key: key)
        if let range {
            guard range.lowerBound >= 0 else {
                throw S3TransferError(code: .invalidArgument, detail: "range \(range) starts before the object")
            }
            request.headers["Range"] = "bytes=\(range.lowerBound)-\(range.upperBound)"
        }
        request.destination = .memory(limit: configuration.maximumInMemoryObjectSize)
        let response = try await perform(request)
        if range == nil, configuration.verifiesDownloads,
            let expected = S3ObjectAttributes(key: key, headers: response.headers).contentMD5Hex
        {
            let actual = ContentDigest.of(response.body, sha256: false).md5Hex ?? ""
            guard actual == expected else {
                throw S3TransferError(
                    code: .checksumMismatch,
                    detail: "\(bucket)/\(key): received bytes have MD5 \(actual), the object's ETag is \(expected)")
            }
        }
        return response.body
    }

    /// Stores `data` as the object `key` in one request (PutObject), with `Content-MD5` so the server
    /// refuses bytes changed on the way.
    ///
    /// - Parameters:
    ///   - contentType: The object's `Content-Type`; `application/octet-stream` when `nil`.
    ///   - metadata: User metadata, sent as `x-amz-meta-<name>` headers.
    @discardableResult
    public func putObject(
        _ data: Data, bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> S3PutResult {
        let body = S3RequestBody.bytes(data, signed: signsPayloads)
        return try await put(body: body, bucket: bucket, key: key, contentType: contentType, metadata: metadata)
    }

    /// Sends a PutObject with `body` and checks the ETag the server returns against the body's MD5.
    func put(
        body: S3RequestBody, bucket: String, key: String, contentType: String?, metadata: [String: String]
    ) async throws -> S3PutResult {
        try Self.validate(key: key)
        var request = S3Request(
            "PutObject", .put, bucket: bucket, key: key,
            headers: try Self.objectHeaders(contentType: contentType, metadata: metadata), body: body)
        request.timeout = Self.transferTimeout
        let response = try await perform(request)
        let stored = S3ObjectAttributes(key: key, headers: response.headers)
        if let returned = stored.contentMD5Hex, let sentHex = body.digest.md5Hex, returned != sentHex {
            throw S3TransferError(
                code: .checksumMismatch,
                detail: "\(bucket)/\(key): the server stored MD5 \(returned), the body sent has MD5 \(sentHex)")
        }
        return S3PutResult(eTag: stored.eTag, versionID: stored.versionID, size: body.length)
    }

    /// Copies an object within the server, without moving its bytes through this process (CopyObject).
    /// Objects up to 5 GiB.
    ///
    /// - Parameter metadata: New user metadata for the copy; `nil` keeps the source's.
    @discardableResult
    public func copyObject(
        fromBucket sourceBucket: String, key sourceKey: String, toBucket bucket: String, key: String,
        metadata: [String: String]? = nil
    ) async throws -> CopyObjectResult {
        try Self.validate(key: key)
        var headers = TransportHeaders()
        let encodedSource = (sourceBucket + "/" + sourceKey).split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4Encoding.uriEncode($0) }.joined(separator: "/")
        headers["x-amz-copy-source"] = "/" + encodedSource
        if let metadata {
            headers["x-amz-metadata-directive"] = "REPLACE"
            for field in try Self.objectHeaders(contentType: nil, metadata: metadata) {
                headers.add(name: field.name, value: field.value)
            }
        }
        var request = S3Request("CopyObject", .put, bucket: bucket, key: key, headers: headers)
        request.timeout = Self.transferTimeout
        return try await perform(request, decoding: { try CopyObjectResult.decode(xml: $0) })
    }

    /// Deletes the object `key` (DeleteObject). Deleting a key that does not exist succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        try Self.validate(key: key)
        try await perform(S3Request("DeleteObject", .delete, bucket: bucket, key: key))
    }

    /// Deletes `keys` with DeleteObjects, 1,000 keys per request, each request with its `Content-MD5`.
    ///
    /// Keys that could not be deleted come back in ``DeleteObjectsResult/failures``; the call throws only
    /// when a request as a whole fails. The requests are quiet, so ``DeleteObjectsResult/deleted`` lists
    /// the keys asked for whose deletion was not reported as failed.
    @discardableResult
    public func deleteObjects(bucket: String, keys: [String]) async throws -> DeleteObjectsResult {
        var total = DeleteObjectsResult()
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(keys.count, start + Self.deleteBatchSize)])
            start += batch.count
            let xml = try S3RequestXML.delete(keys: batch, quiet: true)
            // DeleteObjects needs Content-MD5 (or a checksum) on every server; the body always has one.
            let request = S3Request(
                "DeleteObjects", .post, bucket: bucket, query: [("delete", "")],
                headers: ["Content-Type": "application/xml"], body: .bytes(xml, signed: signsPayloads))
            let result = try await perform(request, decoding: { try DeleteObjectsResult.decode(xml: $0) })
            let failed = Set(result.failures.map(\.key))
            total.failures += result.failures
            total.deleted += batch.filter { !failed.contains($0) }.map { DeleteObjectsResult.Deleted(key: $0) }
        }
        return total
    }

    /// Keys per DeleteObjects request: S3's limit.
    public static let deleteBatchSize = 1000

    // MARK: Helpers

    /// `Content-Type` and `x-amz-meta-*` headers, checked for what HTTP headers cannot hold.
    static func objectHeaders(contentType: String?, metadata: [String: String]) throws(S3TransferError) -> TransportHeaders {
        var headers = TransportHeaders()
        if let contentType { headers["Content-Type"] = contentType }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let isToken = !name.isEmpty && name.utf8.allSatisfy { byte in
                byte > 32 && byte < 127 && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
            }
            guard isToken else {
                throw S3TransferError(code: .invalidArgument, detail: "metadata name \(name.debugDescription) is not an HTTP header token")
            }
            guard value.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) else {
                throw S3TransferError(
                    code: .invalidArgument,
                    detail: "metadata \(name) has a value with characters other than printable ASCII")
            }
            headers["x-amz-meta-\(name.lowercased())"] = value
        }
        return headers
    }

    /// Refuses an empty key, which would address the bucket instead of an object.
    static func validate(key: String) throws(S3TransferError) {
        guard !key.isEmpty else { throw S3TransferError(code: .invalidArgument, detail: "the object key is empty") }
        guard key.utf8.count <= 1024 else {
            throw S3TransferError(code: .invalidArgument, detail: "the key is \(key.utf8.count) bytes long; S3 allows 1,024")
        }
    }
}
