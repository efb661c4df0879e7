import MLOpsCore
import MLOpsS3
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Picks the ``ArtifactStore`` for an artifact URI.
public enum ArtifactStores {
    /// The store behind `artifactURI`:
    /// - `mlflow-artifacts:/<path>` (or `mlflow-artifacts://host:port/<path>`) → the tracking server's proxy
    ///   through `client`;
    /// - `file:///<path>` or a plain absolute path → the local directory;
    /// - `s3://bucket/prefix` → the bucket directly, through `s3Client` (a typed error when none is given).
    ///
    /// Other schemes (`gs://`, `wasbs://`, `hdfs://`, …) throw ``ArtifactError/Code/unsupportedStore``.
    public static func store(
        forArtifactURI artifactURI: String, client: MLflowClient, s3Client: S3Client? = nil
    ) throws(ArtifactError) -> any ArtifactStore {
        if artifactURI.hasPrefix("s3://") {
            guard let s3Client else {
                throw ArtifactError(
                    code: .unsupportedStore,
                    detail: "artifact URI '\(Redaction.redact(artifactURI))' is in S3, and no S3 client was configured")
            }
            return try S3ArtifactStore(client: s3Client, uri: artifactURI)
        }
        if artifactURI.hasPrefix("mlflow-artifacts:") {
            var rest = artifactURI.dropFirst("mlflow-artifacts:".count)
            if rest.hasPrefix("//") {
                // mlflow-artifacts://host:port/path: the authority names the tracking server itself.
                rest = rest.dropFirst(2)
                rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            }
            return try MLflowProxyArtifactStore(client: client, root: String(rest.drop { $0 == "/" }))
        }
        if artifactURI.hasPrefix("file://") {
            guard let url = URL(string: artifactURI), url.isFileURL else {
                throw ArtifactError(code: .invalidPath, detail: "'\(artifactURI)' is not a valid file URI")
            }
            return LocalArtifactStore(root: URL(fileURLWithPath: url.path))
        }
        if artifactURI.hasPrefix("/") {
            return LocalArtifactStore(root: URL(fileURLWithPath: artifactURI))
        }
        let scheme = artifactURI.split(separator: ":").first.map(String.init) ?? artifactURI
        throw ArtifactError(
            code: .unsupportedStore,
            detail: "artifact URI '\(Redaction.redact(artifactURI))' uses '\(scheme):', which MLOpsKit cannot reach")
    }
}
