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

/// Progress of a transfer of several files.
public struct ArtifactTransferProgress: Sendable, Equatable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesDone: Int64
    public var bytesTotal: Int64
}

/// What a tree transfer did.
public struct ArtifactTransferSummary: Sendable, Equatable, Codable {
    /// The artifact paths transferred, relative to the store's root, sorted.
    public var files: [String]
    public var bytes: Int64
}

extension ArtifactStore {
    /// Every file under `path`, depth first, as paths relative to the store's root.
    public func listFiles(under path: String = "") async throws -> [ArtifactEntry] {
        var files: [ArtifactEntry] = []
        var pending = [try ArtifactPath.normalised(path)]
        while let directory = pending.popLast() {
            for entry in try await list(directory) {
                if entry.isDirectory { pending.append(entry.path) } else { files.append(entry) }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Uploads `local` — a file, or a directory tree — to `path`: a file lands at `path/<file name>`, a
    /// directory's contents under `path/<directory name>/…` unless `contentsOnly` (then under `path/…`).
    ///
    /// - Parameters:
    ///   - concurrency: Files in flight at once.
    ///   - progress: Called after each file.
    @discardableResult
    public func upload(
        _ local: URL, to path: String = "", contentsOnly: Bool = false, concurrency: Int = 4,
        progress: (@Sendable (ArtifactTransferProgress) -> Void)? = nil
    ) async throws -> ArtifactTransferSummary {
        let base = try ArtifactPath.normalised(path)
        var status = stat()
        guard stat(local.path, &status) == 0 else {
            throw ArtifactError(code: .notFound, detail: "no such file or directory: \(local.path)")
        }
        var planned: [(file: URL, path: String, size: Int64)] = []
        if (status.st_mode & S_IFMT) == S_IFDIR {
            let prefix = contentsOnly ? base : ArtifactPath.join(base, local.lastPathComponent)
            for relative in try Self.localFiles(in: local) {
                var fileStatus = stat()
                _ = stat(local.appendingPathComponent(relative).path, &fileStatus)
                planned.append((local.appendingPathComponent(relative), ArtifactPath.join(prefix, relative), Int64(fileStatus.st_size)))
            }
        } else {
            planned.append((local, ArtifactPath.join(base, local.lastPathComponent), Int64(status.st_size)))
        }
        let jobs = planned
        return try await Self.run(jobs.map { ($0.path, $0.size) }, concurrency: concurrency, progress: progress) { index in
            try await upload(file: jobs[index].file, to: jobs[index].path)
        }
    }

    /// Downloads the artifact at `path` — a file, or a directory tree — into the local directory
    /// `destination`. Each file lands atomically.
    ///
    /// - Parameters:
    ///   - keepingPath: Where files land: under `destination/<path>/…` when `true`, as MLflow's
    ///     `download_artifacts` lays them out (the artifact `model/MLmodel` at `destination/model/MLmodel`);
    ///     with the layout below `path` when `false` (the directory's contents, or the file, directly in
    ///     `destination`).
    @discardableResult
    public func download(
        _ path: String, into destination: URL, keepingPath: Bool = false, concurrency: Int = 4,
        progress: (@Sendable (ArtifactTransferProgress) -> Void)? = nil
    ) async throws -> ArtifactTransferSummary {
        let source = try ArtifactPath.normalised(path)
        var files = try await listFiles(under: source)
        var relativeBase = source
        if files.isEmpty {
            // Not a directory with files: a single file, found in its parent's listing.
            let parent = source.split(separator: "/").dropLast().joined(separator: "/")
            guard !source.isEmpty, let file = try await list(parent).first(where: { $0.path == source && !$0.isDirectory }) else {
                throw ArtifactError(code: .notFound, detail: "no artifact file or non-empty directory '\(source)'")
            }
            files = [file]
            relativeBase = parent
        }
        if keepingPath { relativeBase = "" }
        let jobs = files.map { entry -> (path: String, local: URL, size: Int64) in
            let relative = relativeBase.isEmpty ? entry.path : String(entry.path.dropFirst(relativeBase.count + 1))
            return (entry.path, destination.appendingPathComponent(relative), entry.size ?? 0)
        }
        return try await Self.run(jobs.map { ($0.path, $0.size) }, concurrency: concurrency, progress: progress) { index in
            let target = jobs[index].local
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw ArtifactError(code: .localFile, detail: "cannot create \(target.deletingLastPathComponent().path): \(error)")
            }
            try await download(jobs[index].path, to: target)
        }
    }

    /// Runs `transfer(index)` for every job with at most `concurrency` in flight, reporting progress.
    private static func run(
        _ jobs: [(path: String, size: Int64)], concurrency: Int,
        progress: (@Sendable (ArtifactTransferProgress) -> Void)?,
        transfer: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> ArtifactTransferSummary {
        let total = jobs.reduce(Int64(0)) { $0 + $1.size }
        var state = ArtifactTransferProgress(filesDone: 0, filesTotal: jobs.count, bytesDone: 0, bytesTotal: total)
        try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            for _ in 0..<max(1, concurrency) where next < jobs.count {
                let index = next
                group.addTask { try await transfer(index); return index }
                next += 1
            }
            while let finished = try await group.next() {
                state.filesDone += 1
                state.bytesDone += jobs[finished].size
                progress?(state)
                if next < jobs.count {
                    let index = next
                    group.addTask { try await transfer(index); return index }
                    next += 1
                }
            }
        }
        return ArtifactTransferSummary(files: jobs.map(\.path).sorted(), bytes: total)
    }

    /// Regular files below `directory`, as relative paths; symbolic links are not followed.
    private static func localFiles(in directory: URL) throws -> [String] {
        var files: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let url = relative.isEmpty ? directory : directory.appendingPathComponent(relative)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            } catch {
                throw ArtifactError(code: .localFile, detail: "cannot read directory \(url.path): \(error)")
            }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                var status = stat()
                guard lstat(directory.appendingPathComponent(child).path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG: files.append(child)
                case S_IFDIR: pending.append(child)
                default: continue
                }
            }
        }
        return files.sorted()
    }
}
