import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

extension S3Command {
    /// `mlops s3 cp SRC DST [--recursive]`: uploads, downloads and server-side copies.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cp",
            abstract: "Copy a file or object: local to S3, S3 to local, or S3 to S3.",
            discussion: """
                A local file goes to s3://bucket/key, or under it when the key is empty or ends with '/'. \
                An object goes to a local file, or into a directory (existing, or written with a trailing \
                '/') under its key's last component. S3 to S3 copies inside the server (objects up to \
                5 GiB). Large files are uploaded and downloaded in parallel parts; downloads land \
                atomically.

                With --recursive, <source> is a directory or a prefix (s3://bucket/data means the keys under \
                data/): every file below it is copied, keys mapping to relative paths, --concurrency \
                files at a time. A key that cannot be a path below the destination directory ('..', '.' \
                or empty segments) stops the download before anything is written (exit status 6).

                A progress line is drawn on standard error when it is a terminal. With --json: \
                {"operation", "files": [{"source", "destination", "size"}], "bytes"}.
                """
        )

        @Argument(help: ArgumentHelp("A local path or s3://bucket/key.", valueName: "source"))
        var source: String

        @Argument(help: ArgumentHelp("A local path or s3://bucket/key.", valueName: "destination"))
        var destination: String

        @Flag(help: "Copy a directory or every object under a prefix.")
        var recursive = false

        @Option(
            name: .customLong("content-type"),
            help: ArgumentHelp("Content-Type of uploaded objects (default: application/octet-stream).", valueName: "type"))
        var contentType: String?

        @Option(help: ArgumentHelp("Files in flight at once.", valueName: "n"))
        var concurrency = 4

        @Flag(help: "Print neither progress nor the summary line (errors are still printed).")
        var quiet = false

        @OptionGroup var options: S3Options

        /// The JSON output.
        struct Output: Encodable, Equatable {
            struct File: Encodable, Equatable {
                var source: String
                var destination: String
                var size: Int64
            }

            var operation: String
            var files: [File]
            var bytes: Int64
        }

        func validate() throws {
            if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
            guard S3URI.looksLikeS3URI(source) || S3URI.looksLikeS3URI(destination) else {
                throw ValidationError("At least one of <source> and <destination> must be an s3:// URI.")
            }
            if contentType != nil, S3URI.looksLikeS3URI(source) {
                throw ValidationError("--content-type applies to uploads only (a local <source>).")
            }
        }

        func run() async throws {
            let from = try S3Location(argument: source)
            let to = try S3Location(argument: destination)
            let client = try options.makeClient()
            let (operation, transfers, target) = try await plan(from: from, to: to, client: client)
            let runner = S3TransferRunner(
                client: client, contentType: contentType, concurrency: concurrency,
                progress: TransferProgressLine(enabled: !quiet && !options.json))
            let sizes = try await runner.run(transfers)
            runner.progress.finish()
            let output = Output(
                operation: operation,
                files: zip(transfers, sizes).map { .init(source: $0.source, destination: $0.destination, size: $1) },
                bytes: sizes.reduce(0, +))
            if options.json { return try JSONOutput.print(output) }
            if quiet { return }
            let verb = ["upload": "uploaded", "download": "downloaded", "copy": "copied"][operation] ?? operation
            let preposition = operation == "download" ? "into" : "to"
            let named = transfers.count == 1 && !recursive ? transfers[0].destination : target
            StandardOutput.write(
                "\(verb) \(S3Command.count(transfers.count, "file")), \(TransferProgressLine.size(output.bytes)), "
                    + "\(preposition) \(named)\n")
        }

        /// What to transfer: the operation's name, every file, and the destination to name in the summary.
        func plan(
            from: S3Location, to: S3Location, client: S3Client
        ) async throws -> (operation: String, transfers: [S3Transfer], target: String) {
            switch (from, to) {
            case (.local(let path), .s3(let uri)):
                return ("upload", try planUpload(path, to: uri), uri.description)
            case (.s3(let uri), .local(let path)):
                return ("download", try await planDownload(uri, to: path, client: client), path)
            case (.s3(let source), .s3(let destination)):
                return ("copy", try await planCopy(source, to: destination, client: client), destination.description)
            case (.local, .local):
                throw ValidationError("At least one of <source> and <destination> must be an s3:// URI.")
            }
        }

        private func planUpload(_ path: String, to uri: S3URI) throws -> [S3Transfer] {
            let kind = S3TransferPaths.kind(of: path)
            if recursive {
                guard kind == .directory else {
                    if kind == .missing { throw CLIError.notFound("no such directory: \(path)") }
                    throw CLIError.invalid("--recursive copies a directory, and \(path) is not one")
                }
                return try S3TransferPaths.localFiles(in: path).map { file in
                    .upload(file: S3TransferPaths.join(path, file.path), to: try uri.appending(file.path), size: file.size)
                }
            }
            switch kind {
            case .file(let size):
                return [.upload(file: path, to: try S3TransferPaths.uploadDestination(for: path, to: uri), size: size)]
            case .directory:
                throw CLIError.invalid("\(path) is a directory; use --recursive to copy its files")
            case .missing:
                throw CLIError.notFound("no such file: \(path)")
            case .other:
                throw CLIError.invalid("\(path) is not a regular file")
            }
        }

        private func planDownload(_ uri: S3URI, to path: String, client: S3Client) async throws -> [S3Transfer] {
            let kind = S3TransferPaths.kind(of: path)
            if recursive {
                guard kind == .directory || kind == .missing else {
                    throw CLIError.invalid("--recursive downloads into a directory, and \(path) is not one")
                }
                let prefix = uri.directoryPrefix
                var transfers: [S3Transfer] = []
                for try await object in client.listObjects(bucket: uri.bucket, prefix: prefix) {
                    guard let relative = try S3TransferPaths.relativePath(forKey: object.key, under: prefix, bucket: uri.bucket)
                    else { continue }
                    transfers.append(
                        .download(
                            try S3URI(bucket: uri.bucket, key: object.key), to: S3TransferPaths.join(path, relative),
                            size: object.size))
                }
                return transfers
            }
            guard !uri.isDirectoryLike else {
                throw CLIError.invalid("\(uri) names a bucket or prefix, not an object; use --recursive to copy the objects under it")
            }
            let file = try S3TransferPaths.downloadPath(for: uri, to: path, destinationIsDirectory: kind == .directory)
            return [.download(uri, to: file, size: nil)]
        }

        private func planCopy(_ source: S3URI, to destination: S3URI, client: S3Client) async throws -> [S3Transfer] {
            if recursive {
                let prefix = source.directoryPrefix
                var transfers: [S3Transfer] = []
                for try await object in client.listObjects(bucket: source.bucket, prefix: prefix) {
                    let relative = String(object.key.dropFirst(prefix.count))
                    guard object.key.hasPrefix(prefix), !relative.isEmpty else { continue }
                    transfers.append(
                        .copy(
                            try S3URI(bucket: source.bucket, key: object.key), to: try destination.appending(relative),
                            size: object.size))
                }
                return transfers
            }
            guard !source.isDirectoryLike else {
                throw CLIError.invalid("\(source) names a bucket or prefix, not an object; use --recursive to copy the objects under it")
            }
            // Reads the size for the summary, and reports a missing source as such before copying.
            let attributes = try await client.headObject(bucket: source.bucket, key: source.key)
            return [.copy(source, to: try S3TransferPaths.copyDestination(for: source, to: destination), size: attributes.size)]
        }
    }
}
