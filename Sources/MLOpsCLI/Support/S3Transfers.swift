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
import MLOpsKit
import Synchronization

/// One file that `mlops s3 cp` moves.
enum S3Transfer: Sendable, Equatable {
    /// A local file to an object; `size` from the file system.
    case upload(file: String, to: S3URI, size: Int64)
    /// An object to a local file; `size` from a listing, or `nil` when not listed.
    case download(S3URI, to: String, size: Int64?)
    /// An object to another object, inside the server; `size` from a listing or HeadObject.
    case copy(S3URI, to: S3URI, size: Int64?)

    var source: String {
        switch self {
        case .upload(let file, _, _): file
        case .download(let uri, _, _), .copy(let uri, _, _): uri.description
        }
    }

    var destination: String {
        switch self {
        case .upload(_, let uri, _), .copy(_, let uri, _): uri.description
        case .download(_, let file, _): file
        }
    }

    /// The size known before the transfer starts.
    var knownSize: Int64? {
        switch self {
        case .upload(_, _, let size): size
        case .download(_, _, let size), .copy(_, _, let size): size
        }
    }
}

/// An object key that cannot become a local path under the destination directory: a `..` or `.`
/// segment, an empty segment (`a//b`, a leading `/`), or a NUL character. Exit status 6; the key is
/// named so it can be renamed on the server.
struct S3KeyPathError: CLIReportableError, Equatable {
    var uri: String
    var reason: String

    var exitCode: CLIExitCode { .validation }

    var explanation: String {
        "refusing to download \(uri): \(reason); nothing was downloaded"
    }
}

/// How keys map to local paths and back, for `mlops s3 cp`. Pure functions, apart from reading a local
/// directory tree.
enum S3TransferPaths {
    /// The path below a download's destination directory for `key`, listed under `prefix`; `nil` for a
    /// directory marker (a key ending with `/`), which is skipped.
    ///
    /// - Throws: ``S3KeyPathError`` for a key that is not under `prefix` or whose relative part has
    ///   `..`, `.` or empty segments or a NUL character, and so would land outside the directory or
    ///   somewhere else than its key says.
    static func relativePath(forKey key: String, under prefix: String, bucket: String) throws(S3KeyPathError) -> String? {
        let uri = "s3://\(bucket)/\(key)"
        guard key.hasPrefix(prefix) else {
            throw S3KeyPathError(uri: uri, reason: "the key is not under the prefix '\(prefix)'")
        }
        let relative = String(key.dropFirst(prefix.count))
        if relative.isEmpty || relative.hasSuffix("/") { return nil }
        try checkSegments(of: relative, uri: uri)
        return relative
    }

    /// Refuses a relative path with `..`, `.` or empty segments, or a NUL character.
    static func checkSegments(of relative: String, uri: String) throws(S3KeyPathError) {
        guard !relative.utf8.contains(0) else {
            throw S3KeyPathError(uri: uri, reason: "its key contains a NUL character, which no file name can hold")
        }
        for segment in relative.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case "..":
                throw S3KeyPathError(uri: uri, reason: "its key has a '..' segment, which would leave the destination directory")
            case ".":
                throw S3KeyPathError(uri: uri, reason: "its key has a '.' segment")
            case "":
                throw S3KeyPathError(uri: uri, reason: "its key has an empty path segment ('//' or a leading '/')")
            default:
                continue
            }
        }
    }

    /// The local file a single download of `source` writes: `destination` itself, or, when it is a
    /// directory (existing, or written with a trailing `/`), the key's last component inside it.
    static func downloadPath(
        for source: S3URI, to destination: String, destinationIsDirectory: Bool
    ) throws(S3KeyPathError) -> String {
        guard destinationIsDirectory || destination.hasSuffix("/") else { return destination }
        let name = source.lastPathComponent
        try checkSegments(of: name, uri: source.description)
        return join(destination, name)
    }

    /// The object a single upload of `file` writes: `destination` itself, or, when its key is empty or
    /// ends with `/`, the file's name under it.
    static func uploadDestination(for file: String, to destination: S3URI) throws(S3URIError) -> S3URI {
        guard destination.isDirectoryLike else { return destination }
        return try destination.appending(lastComponent(of: file))
    }

    /// The object a single copy of `source` writes: `destination` itself, or, when its key is empty or
    /// ends with `/`, the source key's last component under it.
    static func copyDestination(for source: S3URI, to destination: S3URI) throws(S3URIError) -> S3URI {
        guard destination.isDirectoryLike else { return destination }
        return try destination.appending(source.lastPathComponent)
    }

    /// `directory/name`, with one `/` between them.
    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The last `/`-separated component of a local path, ignoring trailing slashes.
    static func lastComponent(of path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return String(path) }
        return String(path[path.index(after: slash)...])
    }

    // MARK: Local files

    /// What is at a local path.
    enum LocalKind: Equatable {
        case missing
        case file(size: Int64)
        case directory
        case other
    }

    /// What is at `path`, following symbolic links.
    static func kind(of path: String) -> LocalKind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file(size: Int64(status.st_size))
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The regular files below `directory`, as `/`-separated relative paths in sorted order, with their
    /// sizes. Symbolic links to files are followed; symbolic links to directories are not, so a link
    /// cycle cannot make the walk endless.
    static func localFiles(in directory: String) throws(CLIError) -> [(path: String, size: Int64)] {
        var files: [(path: String, size: Int64)] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? directory : join(directory, relative)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: absolute)
            } catch {
                throw CLIError(.failure, "cannot read directory \(absolute): \(error)")
            }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                let path = join(directory, child)
                var status = stat()
                guard lstat(path, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: pending.append(child)
                case S_IFREG: files.append((child, Int64(status.st_size)))
                case S_IFLNK:
                    if case .file(let size) = kind(of: path) { files.append((child, size)) }
                default: continue
                }
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Creates `directory` and its parents.
    static func createDirectory(_ directory: String) throws(CLIError) {
        guard !directory.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError(.failure, "cannot create directory \(directory): \(error)")
        }
    }

    /// The directory part of a local path, or `""` when it has none.
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Runs `mlops s3 cp`'s transfers, a bounded number at a time, and draws their progress.
struct S3TransferRunner: Sendable {
    var client: S3Client
    var contentType: String?
    var concurrency: Int
    var progress: TransferProgressLine

    /// Runs every transfer, at most ``concurrency`` at once, and returns the bytes each moved. Stops at
    /// the first failure: transfers in flight are cancelled (a download leaves no partial file, a
    /// multipart upload is aborted), and the error is thrown.
    func run(_ transfers: [S3Transfer]) async throws -> [Int64] {
        let tally = Tally(transfers: transfers, line: progress)
        tally.draw()
        var moved = [Int64](repeating: 0, count: transfers.count)
        try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
            var next = 0
            while next < min(concurrency, transfers.count) {
                let index = next
                group.addTask { (index, try await perform(transfers[index], progress: tally.callback(for: index))) }
                next += 1
            }
            while let (index, bytes) = try await group.next() {
                moved[index] = bytes
                tally.finished(index, bytes: bytes)
                if next < transfers.count {
                    let index = next
                    group.addTask { (index, try await perform(transfers[index], progress: tally.callback(for: index))) }
                    next += 1
                }
            }
        }
        return moved
    }

    /// One transfer; returns its size in bytes.
    private func perform(
        _ transfer: S3Transfer, progress: (@Sendable (S3TransferProgress) -> Void)?
    ) async throws -> Int64 {
        switch transfer {
        case .upload(let file, let uri, _):
            let result = try await client.uploadFile(
                at: URL(fileURLWithPath: file), bucket: uri.bucket, key: uri.key, contentType: contentType,
                progress: progress)
            return result.size
        case .download(let uri, let file, _):
            try S3TransferPaths.createDirectory(S3TransferPaths.parent(of: file))
            let attributes = try await client.downloadObject(
                bucket: uri.bucket, key: uri.key, to: URL(fileURLWithPath: file), progress: progress)
            return attributes.size
        case .copy(let source, let destination, let size):
            try await client.copyObject(
                fromBucket: source.bucket, key: source.key, toBucket: destination.bucket, key: destination.key)
            let bytes = size ?? 0
            progress?(S3TransferProgress(completedBytes: bytes, totalBytes: bytes))
            return bytes
        }
    }

    /// Bytes done per transfer, added up for the progress line.
    final class Tally: Sendable {
        private struct State {
            var done: [Int64]
            var totals: [Int64]
            var filesDone = 0
        }

        private let state: Mutex<State>
        private let line: TransferProgressLine

        init(transfers: [S3Transfer], line: TransferProgressLine) {
            let totals = transfers.map { $0.knownSize ?? 0 }
            state = Mutex(State(done: totals.map { _ in 0 }, totals: totals))
            self.line = line
        }

        /// The callback for transfer `index`, or `nil` when nothing is drawn.
        func callback(for index: Int) -> (@Sendable (S3TransferProgress) -> Void)? {
            guard line.isEnabled else { return nil }
            return { [self] progress in
                state.withLock { state in
                    state.done[index] = progress.completedBytes
                    state.totals[index] = max(state.totals[index], progress.totalBytes)
                    draw(state)
                }
            }
        }

        func finished(_ index: Int, bytes: Int64) {
            guard line.isEnabled else { return }
            state.withLock { state in
                state.done[index] = bytes
                state.totals[index] = bytes
                state.filesDone += 1
                draw(state)
            }
        }

        func draw() {
            guard line.isEnabled else { return }
            state.withLock { draw($0) }
        }

        private func draw(_ state: State) {
            line.draw(
                filesDone: state.filesDone, filesTotal: state.totals.count,
                bytesDone: state.done.reduce(0, +), bytesTotal: state.totals.reduce(0, +))
        }
    }
}
