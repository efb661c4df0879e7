import MLOpsCore
import MLOpsS3
import MLOpsMLflow
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Downloads a model version's files (`models:/<model>/<version>`) from the registry's artifact store,
/// for the Docker runtime's per-version images (`MLFLOW_SERVE_MODE=docker-image`).
///
/// Each version lands once in `<directory>/<model>-v<version>` (sanitised as serving names are); a
/// directory that already holds `MLmodel` is reused. The directory is private to the agent's user
/// (created with mode 0700, or checked: owned by this user, not writable by group or others), since
/// what it holds goes into the images that serve predictions.
public struct RegistryModelFiles: ModelFilesProvider {
    public let client: MLflowClient
    public let s3Client: S3Client?
    /// Where versions are downloaded.
    public var directory: URL

    /// - Parameter directory: Where versions are downloaded; ``defaultDirectory`` when `nil`.
    public init(client: MLflowClient, s3Client: S3Client? = nil, directory: URL? = nil) {
        self.client = client
        self.s3Client = s3Client
        self.directory = directory ?? URL(fileURLWithPath: Self.defaultDirectory)
    }

    /// `$XDG_STATE_HOME/mlopskit/model-files`, else `$HOME/.local/state/mlopskit/model-files`, else
    /// `.mlopskit-model-files` in the working directory: beside the process runtime's state, never in
    /// the shared temporary directory.
    public static var defaultDirectory: String { StateDirectory.defaultPath("model-files") }

    /// Creates ``directory`` with mode 0700, or checks that it is this user's alone.
    ///
    /// - Throws: ``PrivateDirectoryError`` naming the directory and what is wrong with it.
    public func prepareDirectory() throws(PrivateDirectoryError) {
        try PrivateDirectory.prepare(directory.path)
    }

    /// - Throws: ``PrivateDirectoryError`` when ``directory`` is not private to this user; the
    ///   registry's and the artifact store's errors.
    public func modelDirectory(for spec: ServingSpec) async throws -> URL {
        try prepareDirectory()
        let target = directory.appendingPathComponent(ServingNames.sanitised("\(spec.key.model)-v\(spec.version)"))
        if FileManager.default.fileExists(atPath: target.appendingPathComponent("MLmodel").path) { return target }
        let uri = try await client.getModelVersionDownloadURI(name: spec.key.model, version: spec.version)
        let store = try ArtifactStores.store(forArtifactURI: uri, client: client, s3Client: s3Client)
        // Into a fresh directory first, so a half-finished download is never taken for a model.
        let partial = directory.appendingPathComponent(".partial-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: partial) }
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        try await store.download("", into: partial)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: partial, to: target)
        return target
    }
}
