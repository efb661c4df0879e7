import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension S3Client {
    /// Downloads the object `key` to the local file `file`, atomically.
    ///
    /// The bytes go to a temporary file beside `file`; objects from ``Configuration/multipartThreshold``
    /// on are fetched as ``Configuration/partSize`` ranges, ``Configuration/concurrency`` at a time, each
    /// written at its offset. Every range is pinned to the ETag read first (`If-Match`), so an object
    /// replaced meanwhile fails the download instead of mixing two versions. With
    /// ``Configuration/verifiesDownloads`` the file is checked against the ETag: the MD5 of the content
    /// for a single-part object, the MD5 of the part MD5s for a multipart one. Only then is the file
    /// renamed into place; on any failure or cancellation nothing is left at `file` and an earlier file
    /// there is untouched.
    ///
    /// - Returns: The object's attributes as read before the transfer.
    /// - Throws: ``S3Error`` (``S3Error/isNotFound`` for a missing key), ``S3TransferError``
    ///   (``S3TransferError/Code/objectChanged``, ``S3TransferError/Code/checksumMismatch``,
    ///   ``S3TransferError/Code/cannotWrite``), ``HTTPTransportError``.
    @discardableResult
    public func downloadObject(
        bucket: String, key: String, to file: URL, progress: (@Sendable (S3TransferProgress) -> Void)? = nil
    ) async throws -> S3ObjectAttributes {
        let attributes = try await headObject(bucket: bucket, key: key)
        let temporary = try TemporaryDownload(beside: file)
        do {
            if attributes.size < configuration.multipartThreshold || attributes.eTag == nil {
                try await fetchWhole(bucket: bucket, attributes: attributes, into: temporary.url)
            } else {
                try await fetchRanges(bucket: bucket, attributes: attributes, into: temporary, progress: progress)
            }
            if configuration.verifiesDownloads {
                try await verify(temporary.url, against: attributes, bucket: bucket)
            }
            try temporary.commit(to: file)
        } catch {
            temporary.discard()
            throw Self.objectChangedError(error, bucket: bucket, key: key)
        }
        progress?(S3TransferProgress(completedBytes: attributes.size, totalBytes: attributes.size))
        return attributes
    }

    /// One GET of the whole object into `temporary`, then a check that it has the expected size.
    private func fetchWhole(bucket: String, attributes: S3ObjectAttributes, into temporary: URL) async throws {
        var request = S3Request("GetObject", .get, bucket: bucket, key: attributes.key)
        if let eTag = attributes.eTag { request.headers["If-Match"] = "\"\(eTag)\"" }
        request.destination = .fileRegion(temporary, offset: 0)
        request.timeout = Self.transferTimeout
        try await perform(request)
        let written = try Self.regularFileSize(temporary)
        guard written == attributes.size else {
            throw S3TransferError(
                code: .objectChanged,
                detail: "\(bucket)/\(attributes.key): received \(written) bytes, the object has \(attributes.size)")
        }
    }

    /// Parallel ranged GETs, each written at its offset of `temporary`.
    private func fetchRanges(
        bucket: String, attributes: S3ObjectAttributes, into temporary: TemporaryDownload,
        progress: (@Sendable (S3TransferProgress) -> Void)?
    ) async throws {
        let size = attributes.size
        let partSize = max(configuration.partSize, 1 << 20)
        try temporary.reserve(size)
        let rangeCount = Int((size + partSize - 1) / partSize)
        try await withThrowingTaskGroup(of: Int64.self) { group in
            var next = 0
            var completed: Int64 = 0
            func addRange() {
                let start = Int64(next) * partSize
                next += 1
                group.addTask {
                    let end = min(size, start + partSize) - 1
                    try await fetchRange(start...end, of: attributes, bucket: bucket, into: temporary.url)
                    return end - start + 1
                }
            }
            for _ in 0..<min(rangeCount, max(1, configuration.concurrency)) { addRange() }
            while let bytes = try await group.next() {
                completed += bytes
                progress?(S3TransferProgress(completedBytes: completed, totalBytes: size))
                if next < rangeCount { addRange() }
            }
        }
    }

    private func fetchRange(
        _ range: ClosedRange<Int64>, of attributes: S3ObjectAttributes, bucket: String, into file: URL
    ) async throws {
        var request = S3Request(
            "GetObject", .get, bucket: bucket, key: attributes.key,
            headers: ["Range": "bytes=\(range.lowerBound)-\(range.upperBound)"])
        if let eTag = attributes.eTag { request.headers["If-Match"] = "\"\(eTag)\"" }
        request.destination = .fileRegion(file, offset: range.lowerBound)
        request.timeout = Self.transferTimeout
        let response = try await perform(request)
        let expected = "bytes \(range.lowerBound)-\(range.upperBound)/\(attributes.size)"
        guard response.status == 206, response.headers["Content-Range"] == expected else {
            throw S3TransferError(
                code: .unexpectedResponse,
                detail: "\(bucket)/\(attributes.key): asked for \(expected), got HTTP \(response.status) with Content-Range \(response.headers["Content-Range"] ?? "none")")
        }
    }

    /// Checks a downloaded file against the object's ETag, when the ETag is a checksum.
    private func verify(_ file: URL, against attributes: S3ObjectAttributes, bucket: String) async throws {
        let size = attributes.size
        if let expected = attributes.contentMD5Hex {
            let actual = try ContentDigest.of(file: file, offset: 0, length: size, sha256: false).md5Hex ?? ""
            guard actual == expected else {
                throw S3TransferError(
                    code: .checksumMismatch,
                    detail: "\(bucket)/\(attributes.key): the file has MD5 \(actual), the object's ETag is \(expected)")
            }
        } else if let partCount = attributes.multipartPartCount, let eTag = attributes.eTag,
            let partSize = try await firstPartSize(of: attributes, bucket: bucket), partSize > 0,
            (size + partSize - 1) / partSize == Int64(partCount)
        {
            var md5s: [[UInt8]] = []
            var offset: Int64 = 0
            while offset < size {
                let length = min(partSize, size - offset)
                md5s.append(try ContentDigest.of(file: file, offset: offset, length: length, sha256: false).md5 ?? [])
                offset += length
            }
            let actual = ContentDigest.multipartETag(partMD5s: md5s)
            guard actual == eTag.lowercased() else {
                throw S3TransferError(
                    code: .checksumMismatch,
                    detail: "\(bucket)/\(attributes.key): the file's part checksums give ETag \(actual), the object's is \(eTag)")
            }
        }
        // Other ETags (KMS encryption, servers with opaque ETags) carry no checksum to compare with.
    }

    /// The size of part 1 of a multipart object (HeadObject with `partNumber=1`), or `nil` when the
    /// server does not say. Every part but the last has this size when the object was uploaded with
    /// uniform parts, as clients do.
    private func firstPartSize(of attributes: S3ObjectAttributes, bucket: String) async throws -> Int64? {
        var request = S3Request("HeadObject", .head, bucket: bucket, key: attributes.key, query: [("partNumber", "1")])
        if let eTag = attributes.eTag { request.headers["If-Match"] = "\"\(eTag)\"" }
        // A server that ignores partNumber answers with the whole object's length, which the caller's
        // part-count check then rejects.
        guard let response = try? await perform(request) else { return nil }
        return response.headers["Content-Length"].flatMap { Int64($0) }
    }

    /// A failed `If-Match`, or a range past the end of an object whose size was known, as the error it
    /// means: the object changed during the transfer. (Some servers check the range before `If-Match`.)
    static func objectChangedError(_ error: any Error, bucket: String, key: String) -> any Error {
        guard let s3Error = error as? S3Error, s3Error.code == .preconditionFailed || s3Error.code == .invalidRange
        else { return error }
        return S3TransferError(
            code: .objectChanged, detail: "\(bucket)/\(key) was replaced while it was read; try again")
    }
}

/// A temporary file beside a download's destination, renamed into place when complete.
struct TemporaryDownload: Sendable {
    let url: URL

    init(beside destination: URL) throws(S3TransferError) {
        let directory = destination.deletingLastPathComponent()
        url = directory.appendingPathComponent(
            ".\(destination.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotWrite(url, reason: S3TransferError.systemError) }
        close(descriptor)
    }

    /// Sets the file's size up front, so ranges can be written at any offset.
    func reserve(_ size: Int64) throws(S3TransferError) {
        guard truncate(url.path, off_t(size)) == 0 else { throw .cannotWrite(url, reason: S3TransferError.systemError) }
    }

    /// Renames the file to `destination`, replacing what is there.
    func commit(to destination: URL) throws(S3TransferError) {
        guard rename(url.path, destination.path) == 0 else {
            throw .cannotWrite(destination, reason: S3TransferError.systemError)
        }
    }

    func discard() {
        unlink(url.path)
    }
}
