#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import MLOpsKit

/// `mlops artifacts …` (also `mlops artifact …`, the original toolkit's spelling): a run's artifacts.
struct ArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List, upload and download a run's artifacts.",
        discussion: """
            The store is chosen from the run's artifact URI: mlflow-artifacts: through the tracking server's \
            proxy, s3:// straight from the bucket (MLFLOW_S3_ENDPOINT_URL and the AWS_* variables, as \
            MLflow's own client), file:// or a local path directly. Downloads land atomically, file by file.
            """,
        subcommands: [List.self, Upload.self, Download.self],
        aliases: ["artifact"]
    )

    /// The run's artifact store.
    static func store(
        runID: String, client: MLflowClient, configuration: MLOpsConfiguration, options: GlobalOptions
    ) async throws -> any ArtifactStore {
        let run = try await client.getRun(id: runID)
        guard let uri = run.info.artifactURI, !uri.isEmpty else {
            throw CLIError.invalid("run \(runID) has no artifact location")
        }
        let s3Client = uri.hasPrefix("s3://") ? try configuration.makeS3Client(logger: options.makeLogger(label: "mlops.s3")) : nil
        return try ArtifactStores.store(forArtifactURI: uri, client: client, s3Client: s3Client)
    }
}

extension ArtifactsCommand {
    /// `mlops artifacts ls --run-id R [--artifact-path D] [--recursive]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List a run's artifacts.",
            discussion: "With --json: {\"artifacts\": [{\"path\", \"is_dir\", \"file_size\"}...]}.",
            aliases: ["list"]
        )

        @Option(name: .customLong("run-id"), help: ArgumentHelp("The run.", valueName: "run-id"))
        var runID: String

        @Option(name: .customLong("artifact-path"), help: ArgumentHelp("A directory inside the run's artifacts.", valueName: "path"))
        var artifactPath = ""

        @Flag(help: "List every file below the directory.")
        var recursive = false

        @OptionGroup var options: GlobalOptions

        struct Output: Encodable {
            struct Entry: Encodable {
                var path: String
                var isDir: Bool
                var fileSize: Int64?

                enum CodingKeys: String, CodingKey {
                    case path
                    case isDir = "is_dir"
                    case fileSize = "file_size"
                }
            }

            var artifacts: [Entry]
        }

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let store = try await ArtifactsCommand.store(
                runID: runID, client: client, configuration: configuration, options: options)
            let entries = recursive ? try await store.listFiles(under: artifactPath) : try await store.list(artifactPath)
            if options.json {
                return try JSONOutput.print(
                    Output(artifacts: entries.map { .init(path: $0.path, isDir: $0.isDirectory, fileSize: $0.size) }))
            }
            var table = TableRenderer(headers: ["PATH", "SIZE"])
            for entry in entries {
                table.append([entry.isDirectory ? entry.path + "/" : entry.path, entry.size.map { TransferProgressLine.size($0) } ?? ""])
            }
            StandardOutput.write(table.render())
        }
    }

    /// `mlops artifacts upload --run-id R --path P [--artifact-path D]`.
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a file or a directory tree to a run's artifacts.",
            discussion: """
                A file lands at <artifact-path>/<file name>; a directory's files under \
                <artifact-path>/<directory name>/, as MLflow's log_artifacts does with the directory's contents \
                when --contents is given. With --json: {"files": [...], "bytes": N}.
                """
        )

        @Option(name: .customLong("run-id"), help: ArgumentHelp("The run.", valueName: "run-id"))
        var runID: String

        @Option(help: ArgumentHelp("The local file or directory.", valueName: "path"))
        var path: String

        @Option(name: .customLong("artifact-path"), help: ArgumentHelp("The directory inside the run's artifacts.", valueName: "path"))
        var artifactPath = ""

        @Flag(help: "Upload a directory's contents rather than the directory itself.")
        var contents = false

        @Option(help: ArgumentHelp("Files in flight at once.", valueName: "n"))
        var concurrency = 4

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        }

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let store = try await ArtifactsCommand.store(
                runID: runID, client: client, configuration: configuration, options: options)
            let progress = TransferProgressLine(enabled: !options.json)
            let summary = try await store.upload(
                URL(fileURLWithPath: path), to: artifactPath, contentsOnly: contents, concurrency: concurrency,
                progress: progress.callback)
            progress.finish()
            if options.json { return try JSONOutput.print(summary) }
            StandardOutput.write("uploaded \(summary.files.count) file(s), \(TransferProgressLine.size(summary.bytes)), to run \(runID)\n")
        }
    }

    /// `mlops artifacts download --run-id R --artifact-path D --dst DIR`.
    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a run's artifact file or directory into a local directory.",
            discussion: """
                The layout below --artifact-path is kept under --dst. Every file is written to a temporary file \
                and renamed into place, so a failed or interrupted download leaves no partial file. \
                With --json: {"files": [...], "bytes": N}.
                """
        )

        @Option(name: .customLong("run-id"), help: ArgumentHelp("The run.", valueName: "run-id"))
        var runID: String

        @Option(name: .customLong("artifact-path"), help: ArgumentHelp("The file or directory inside the run's artifacts (default: all).", valueName: "path"))
        var artifactPath = ""

        @Option(help: ArgumentHelp("The local directory to download into.", valueName: "dir"))
        var dst: String

        @Option(help: ArgumentHelp("Files in flight at once.", valueName: "n"))
        var concurrency = 4

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        }

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            let store = try await ArtifactsCommand.store(
                runID: runID, client: client, configuration: configuration, options: options)
            let progress = TransferProgressLine(enabled: !options.json)
            let summary = try await store.download(
                artifactPath, into: URL(fileURLWithPath: dst), keepingPath: true, concurrency: concurrency,
                progress: progress.callback)
            progress.finish()
            if options.json { return try JSONOutput.print(summary) }
            StandardOutput.write("downloaded \(summary.files.count) file(s), \(TransferProgressLine.size(summary.bytes)), into \(dst)\n")
        }
    }
}
