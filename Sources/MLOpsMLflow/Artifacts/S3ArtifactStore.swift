import MLOpsCore
import MLOpsS3
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Artifacts in an S3 bucket under a key prefix: the store for `s3://bucket/prefix` artifact URIs,
/// reached directly as MLflow's own client does (with `MLFLOW_S3_ENDPOINT_URL` and the AWS variables).
///
/// Large files go up as parallel multipart uploads and come down as parallel ranged downloads (see
/// ``S3Client/uploadFile(at:bucket:key:contentType:metadata:progress:)`` and
/// ``S3Client/downloadObject(bucket:key:to:progress:)``).
public struct S3ArtifactStore: ArtifactStore {
    public let client: S3Client
    public let bucket: String
    /// The key prefix of the store's root, without leading or trailing `/` (`1/<run id>/artifacts`).
    public let root: String

    /// A store rooted at `root` in `bucket`.
    public init(client: S3Client, bucket: String, root: String) throws(ArtifactError) {
        self.client = client
        self.bucket = bucket
        self.root = try ArtifactPath.normalised(root)
    }

    /// The store an `s3://bucket/prefix` URI names.
    public init(client: S3Client, uri: String) throws(ArtifactError) {
        let parsed: S3URI
        do {
            parsed = try S3URI(parsing: uri)
        } catch {
            throw ArtifactError(code: .invalidPath, detail: "\(error)")
        }
        try self.init(client: client, bucket: parsed.bucket, root: String(parsed.key.drop { $0 == "/" }))
    }

    public func list(_ path: String) async throws -> [ArtifactEntry] {
        let directory = try ArtifactPath.normalised(path)
        let prefix = ArtifactPath.join(root, directory)
        var entries: [ArtifactEntry] = []
        do {
            for try await page in client.listObjectPages(bucket: bucket, prefix: prefix.isEmpty ? nil : prefix + "/", delimiter: "/") {
                for common in page.commonPrefixes {
                    let name = try ArtifactPath.normalised(String(common.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1)))
                    guard !name.isEmpty else { continue }
                    entries.append(ArtifactEntry(path: ArtifactPath.join(directory, name), isDirectory: true))
                }
                for object in page.objects {
                    let name = String(object.key.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1))
                    // A zero-byte "directory marker" named like the prefix itself is not a file.
                    guard !name.isEmpty, !name.hasSuffix("/") else { continue }
                    let relative = try ArtifactPath.normalised(name)
                    entries.append(ArtifactEntry(path: ArtifactPath.join(directory, relative), isDirectory: false, size: object.size))
                }
            }
        } catch let error as S3Error where error.code == .noSuchBucket {
            throw ArtifactError(code: .notFound, detail: "no bucket '\(bucket)' for artifacts (\(error.message))")
        }
        return entries
    }

    public func upload(file: URL, to path: String) async throws {
        let key = ArtifactPath.join(root, try ArtifactPath.normalised(path))
        do {
            try await client.uploadFile(at: file, bucket: bucket, key: key)
        } catch let error as S3TransferError where error.code == .cannotRead {
            throw ArtifactError(code: .localFile, detail: error.detail)
        }
    }

    public func download(_ path: String, to file: URL) async throws {
        let key = ArtifactPath.join(root, try ArtifactPath.normalised(path))
        do {
            try await client.downloadObject(bucket: bucket, key: key, to: file)
        } catch let error as S3Error where error.isNotFound {
            throw ArtifactError(code: .notFound, detail: "no artifact '\(path)' at s3://\(bucket)/\(key)")
        } catch let error as S3TransferError where error.code == .cannotWrite {
            throw ArtifactError(code: .localFile, detail: error.detail)
        }
    }
}
