import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One file or directory in an artifact store, named by its path relative to the store's root.
public struct ArtifactEntry: Sendable, Hashable, Codable {
    /// The path relative to the store's root, with `/` separators and no leading `/`.
    public var path: String
    public var isDirectory: Bool
    /// The file's size in bytes, when the store reports it.
    public var size: Int64?

    public init(path: String, isDirectory: Bool, size: Int64? = nil) {
        self.path = path
        self.isDirectory = isDirectory
        self.size = size
    }
}

/// Where a run's artifacts live: a local directory, MLflow's artifact proxy or (with the S3 client)
/// an S3 bucket. ``ArtifactStores/store(for:tracking:transport:)`` picks one from an artifact URI.
///
/// Paths are relative to the store's root and use `/`. Implementations refuse paths that would leave
/// the root (`..`, absolute paths).
public protocol ArtifactStore: Sendable {
    /// The entries directly under `path` (`""` for the root). A missing directory lists as empty.
    func list(_ path: String) async throws -> [ArtifactEntry]
    /// Stores the local file `file` at `path`, replacing what is there.
    func upload(file: URL, to path: String) async throws
    /// Writes the artifact at `path` to the local file `file`, atomically: on any failure nothing is
    /// left at `file`.
    func download(_ path: String, to file: URL) async throws
}
