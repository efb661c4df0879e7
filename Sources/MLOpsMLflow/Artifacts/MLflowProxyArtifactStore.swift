import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Artifacts behind the tracking server's proxy: the store for `mlflow-artifacts:` URIs.
public struct MLflowProxyArtifactStore: ArtifactStore {
    public let client: MLflowClient
    /// The proxy path of the store's root, such as `1/<run id>/artifacts`.
    public let root: String

    /// A store rooted at `root`, the path of an `mlflow-artifacts:` URI (`mlflow-artifacts:/1/<run>/artifacts`
    /// → `1/<run>/artifacts`).
    public init(client: MLflowClient, root: String) throws(ArtifactError) {
        self.client = client
        self.root = try ArtifactPath.normalised(root)
    }

    public func list(_ path: String) async throws -> [ArtifactEntry] {
        let directory = try ArtifactPath.normalised(path)
        let entries = try await client.listProxiedArtifacts(ArtifactPath.join(root, directory))
        return try entries.map { entry in
            // The server names entries relative to the listed directory; keep a hostile name from
            // escaping the root when it is joined later.
            let name = try ArtifactPath.normalised(entry.path)
            return ArtifactEntry(path: ArtifactPath.join(directory, name), isDirectory: entry.isDirectory, size: entry.size)
        }
    }

    public func upload(file: URL, to path: String) async throws {
        try await client.uploadProxiedArtifact(file: file, to: ArtifactPath.join(root, try ArtifactPath.normalised(path)))
    }

    public func download(_ path: String, to file: URL) async throws {
        do {
            try await client.downloadProxiedArtifact(ArtifactPath.join(root, try ArtifactPath.normalised(path)), to: file)
        } catch let error as MLflowError where error.isNotFound {
            throw ArtifactError(code: .notFound, detail: "no artifact '\(path)' (\(error.message))")
        }
    }
}
