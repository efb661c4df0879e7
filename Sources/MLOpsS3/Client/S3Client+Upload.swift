import MLOpsCore
import Logging

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
    /// Uploads the local file `file` as `key`, in one request or, from
    /// ``Configuration/multipartThreshold`` on, as a multipart upload with
    /// ``Configuration/concurrency`` parts in flight.
    ///
    /// The file is streamed from disk, never read into memory whole: each part is read once to compute
    /// its checksums and again as it is sent. Its SHA-256 goes into the signature (when payloads are
    /// signed) and its CRC-32C into `x-amz-checksum-crc32c`, so the server refuses a part changed on the
    /// way whether it checks payload hashes (AWS, MinIO, the JuiceFS gateway) or flexible checksums (AWS,
    /// SeaweedFS).
    /// Each part is retried on its own. A file below the threshold goes in one PutObject with
    /// `Content-MD5`, checked against the returned ETag.
    ///
    /// If any part fails for good, or the task is cancelled, the multipart upload is aborted, so no
    /// parts are left on the server and no object appears.
    ///
    /// - Parameters:
    ///   - contentType: The object's `Content-Type`; `application/octet-stream` when `nil`.
    ///   - metadata: User metadata, as `x-amz-meta-<name>` headers.
    ///   - progress: Called as parts complete, from any task.
    /// - Returns: The stored object's ETag and size.
    @discardableResult
    public func uploadFile(
        at file: URL, bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:],
        progress: (@Sendable (S3TransferProgress) -> Void)? = nil
    ) async throws -> S3PutResult {
        try Self.validate(key: key)
        let size = try Self.regularFileSize(file)
        guard size >= configuration.multipartThreshold else {
            let body = try S3RequestBody.fileRegion(file, offset: 0, length: size, signed: signsPayloads)
            let result = try await put(body: body, bucket: bucket, key: key, contentType: contentType, metadata: metadata)
            progress?(S3TransferProgress(completedBytes: size, totalBytes: size))
            return result
        }
        let partSize = try Self.partSize(for: size, preferred: configuration.partSize)
        let upload = try await createMultipartUpload(
            bucket: bucket, key: key, contentType: contentType, metadata: metadata, checksumCRC32C: true)
        do {
            let parts = try await uploadParts(
                of: file, size: size, partSize: partSize, bucket: bucket, key: key, uploadID: upload.uploadID,
                progress: progress)
            let result: CompleteMultipartUploadResult
            do {
                result = try await completeMultipartUpload(
                    bucket: bucket, key: key, uploadID: upload.uploadID, parts: parts)
            } catch let error as S3Error where error.code == .noSuchUpload {
                // A retried completion whose first attempt did complete (its answer was lost) finds no
                // upload; an object of this size made of this many parts shows it went through.
                guard let stored = try? await headObject(bucket: bucket, key: key), stored.size == size,
                    stored.eTag?.hasSuffix("-\(parts.count)") == true
                else { throw error }
                return S3PutResult(eTag: stored.eTag, versionID: stored.versionID, size: size, partCount: parts.count)
            }
            return S3PutResult(eTag: result.eTag, size: size, partCount: parts.count)
        } catch {
            await abandon(upload, bucket: bucket)
            throw error
        }
    }

    /// Uploads every part of `file`, at most ``Configuration/concurrency`` at a time, and returns them
    /// in part order.
    private func uploadParts(
        of file: URL, size: Int64, partSize: Int64, bucket: String, key: String, uploadID: String,
        progress: (@Sendable (S3TransferProgress) -> Void)?
    ) async throws -> [UploadedPart] {
        let partCount = Int((size + partSize - 1) / partSize)
        let signed = signsPayloads
        return try await withThrowingTaskGroup(of: UploadedPart.self) { group in
            var next = 1
            var done: [UploadedPart] = []
            var completedBytes: Int64 = 0
            func addPart() {
                let number = next
                next += 1
                group.addTask {
                    let offset = Int64(number - 1) * partSize
                    let length = min(partSize, size - offset)
                    let body = try S3RequestBody.part(file, offset: offset, length: length, signed: signed)
                    return try await uploadPart(body: body, bucket: bucket, key: key, uploadID: uploadID, partNumber: number)
                }
            }
            for _ in 0..<min(partCount, max(1, configuration.concurrency)) { addPart() }
            while let finished = try await group.next() {
                done.append(finished)
                completedBytes += finished.size ?? 0
                progress?(S3TransferProgress(completedBytes: completedBytes, totalBytes: size))
                if next <= partCount { addPart() }
            }
            return done.sorted { $0.partNumber < $1.partNumber }
        }
    }

    /// Aborts `upload` whatever happens to the calling task: it runs in a task of its own, so a
    /// cancelled upload still frees its parts.
    func abandon(_ upload: MultipartUpload, bucket: String) async {
        let client = self
        let abort = Task {
            do {
                try await client.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
            } catch {
                client.logger.warning(
                    "could not abort multipart upload; its parts stay stored until aborted",
                    metadata: ["bucket": "\(bucket)", "key": "\(upload.key)", "error": "\(error)"])
            }
        }
        await abort.value
    }

    /// The part size for a `size`-byte upload: `preferred`, or more if 10,000 parts would not hold it.
    static func partSize(for size: Int64, preferred: Int64) throws(S3TransferError) -> Int64 {
        guard preferred >= minimumPartSize else {
            throw S3TransferError(
                code: .invalidArgument, detail: "part size \(preferred) bytes is below S3's minimum of 5 MiB")
        }
        let needed = (size + Int64(maximumPartCount) - 1) / Int64(maximumPartCount)
        // Round up to a whole MiB so parts stay aligned.
        let mebibyte: Int64 = 1 << 20
        return max(preferred, (needed + mebibyte - 1) / mebibyte * mebibyte)
    }

    /// The size of the regular file at `file`.
    static func regularFileSize(_ file: URL) throws(S3TransferError) -> Int64 {
        var status = stat()
        guard stat(file.path, &status) == 0 else { throw .cannotRead(file, reason: S3TransferError.systemError) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .cannotRead(file, reason: "not a regular file") }
        return Int64(status.st_size)
    }
}
