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

/// Artifacts in a local directory: the store for `file://` URIs and plain paths.
public struct LocalArtifactStore: ArtifactStore {
    /// The directory holding the artifacts.
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    private func location(_ path: String) throws(ArtifactError) -> URL {
        let relative = try ArtifactPath.normalised(path)
        return relative.isEmpty ? root : root.appendingPathComponent(relative)
    }

    public func list(_ path: String) async throws -> [ArtifactEntry] {
        let directory = try ArtifactPath.normalised(path)
        let url = try location(directory)
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: url.path) else { return [] }
        return names.sorted().compactMap { name in
            guard !name.hasPrefix(".") || !name.contains(".partial-") else { return nil }  // in-flight files
            var status = stat()
            guard stat(url.appendingPathComponent(name).path, &status) == 0 else { return nil }
            let isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            let size = Int64(status.st_size)
            return ArtifactEntry(path: ArtifactPath.join(directory, name), isDirectory: isDirectory, size: isDirectory ? nil : size)
        }
    }

    public func upload(file: URL, to path: String) async throws {
        try copyAtomically(from: file, to: try location(path))
    }

    public func download(_ path: String, to file: URL) async throws {
        let source = try location(path)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw ArtifactError(code: .notFound, detail: "no artifact '\(path)' in \(root.path)")
        }
        try copyAtomically(from: source, to: file)
    }

    /// Copies to a temporary file beside `destination`, then renames it into place.
    private func copyAtomically(from source: URL, to destination: URL) throws(ArtifactError) {
        let fileManager = FileManager.default
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try fileManager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fileManager.copyItem(at: source, to: temporary)
            // rename(2) replaces an existing file atomically.
            guard rename(temporary.path, destination.path) == 0 else {
                throw ArtifactError(code: .localFile, detail: "cannot move into \(destination.path): errno \(errno)")
            }
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw ArtifactError(code: .localFile, detail: "cannot copy \(source.path) to \(destination.path): \(error)")
        }
    }
}
