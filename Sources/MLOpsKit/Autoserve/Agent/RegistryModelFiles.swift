#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Downloads a model version's files (`models:/<model>/<version>`) from the registry's artifact store,
/// for the Docker runtime's per-version images (`MLFLOW_SERVE_MODE=docker-image`).
///
/// Each version lands once in `<directory>/<model>-v<version>` (sanitised as serving names are); a
/// directory that already holds `MLmodel` is reused.
public struct RegistryModelFiles: ModelFilesProvider {
    public let client: MLflowClient
    public let s3Client: S3Client?
    /// Where versions are downloaded.
    public var directory: URL

    public init(client: MLflowClient, s3Client: S3Client? = nil, directory: URL? = nil) {
        self.client = client
        self.s3Client = s3Client
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-model-files")
    }

    public func modelDirectory(for spec: ServingSpec) async throws -> URL {
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
