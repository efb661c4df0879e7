import Foundation
import MLOpsKitTestSupport
import MLOpsKit
import Testing

/// Runs the built `mlops` binary, the way people and scripts do.
///
/// The binary is found next to the running test executable (SwiftPM puts both in `.build/<config>/`), or
/// at `MLOPSKIT_CLI_PATH`. Build it first: `swift build` (`swift test` builds it too).
enum CLIRunner {
    static let environment = ProcessInfo.processInfo.environment

    /// What one run of `mlops` did.
    struct Result: CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stdout: String
        var stderr: String
        var duration: Duration
        /// Whether the process was ended by a signal (`status` is then the signal's number).
        var endedBySignal = false

        var description: String {
            "mlops \(arguments.joined(separator: " ")) → exit \(status) in \(duration)\nstdout: \(stdout)\nstderr: \(stderr)"
        }

        /// Standard output decoded as JSON.
        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
        }

        /// Standard output decoded as a JSON object.
        func jsonObject() throws -> [String: Any] {
            try #require(try json() as? [String: Any], "not a JSON object: \(stdout)")
        }
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the mlops binary was not found (looked in \(searched.joined(separator: ", "))); run `swift build` first "
                + "or set MLOPSKIT_CLI_PATH"
        }
    }

    /// The `mlops` executable.
    static func binary() throws -> URL {
        if let path = environment["MLOPSKIT_CLI_PATH"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var directories: [URL] = []
        var starts = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(), Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        for start in starts {
            // Linux: .build/debug/<Package>PackageTests.xctest; macOS: …xctest/Contents/MacOS/<name>.
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                directories.append(directory)
                directory = directory.deletingLastPathComponent()
            }
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("mlops")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BinaryNotFound(searched: directories.map(\.path))
    }

    /// A directory without a `.env` file, so that the developer's configuration does not leak in.
    static let workingDirectory: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlops-cli-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// Runs `mlops arguments` with `MLFLOW_TRACKING_URI` set to `trackingURI` (when given) and no other
    /// MLflow or MLOps variables from the test's environment.
    static func run(
        _ arguments: [String], trackingURI: String? = nil, extraEnvironment: [String: String] = [:]
    ) async throws -> Result {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory
        var environment = self.environment.filter { key, _ in
            !(key.hasPrefix("MLFLOW_") || key.hasPrefix("MLOPS_") || key.hasPrefix("AWS_") || key == "MODEL_ALIAS")
        }
        environment["NO_COLOR"] = "1"
        if let trackingURI { environment["MLFLOW_TRACKING_URI"] = trackingURI }
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment

        // Files rather than pipes: nothing can block on a full pipe buffer.
        let stdoutURL = workingDirectory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderrURL = workingDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice

        let clock = ContinuousClock()
        let start = clock.now
        try await process.runUntilExit()
        let duration = clock.now - start
        try stdout.close()
        try stderr.close()
        return Result(
            arguments: arguments,
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
            duration: duration,
            endedBySignal: process.terminationReason == .uncaughtSignal)
    }
}

/// The MLflow server the end-to-end tests use: `MLOPSKIT_TEST_MLFLOW_URI`, or a failure when
/// `MLOPSKIT_REQUIRE_SERVICES=1` and it is missing.
enum TestServer {
    static var enabled: Bool {
        CLIRunner.environment["MLOPSKIT_TEST_MLFLOW_URI"] != nil
            || CLIRunner.environment["MLOPSKIT_REQUIRE_SERVICES"] == "1"
    }

    struct MissingServer: Error, CustomStringConvertible {
        var description: String {
            "MLOPSKIT_REQUIRE_SERVICES=1 but MLOPSKIT_TEST_MLFLOW_URI is not set; run scripts/services-up"
        }
    }

    static func uri() throws -> String {
        guard let uri = CLIRunner.environment["MLOPSKIT_TEST_MLFLOW_URI"], !uri.isEmpty else { throw MissingServer() }
        return uri
    }

    /// A library client of the test server, for fixtures and for checking what the CLI did.
    static func client() throws -> MLflowClient {
        guard let url = URL(string: try uri()) else { throw MissingServer() }
        return MLflowClient(
            configuration: MLflowClient.Configuration(trackingURI: url),
            transport: RetryingTransport(wrapping: CurlTransport()))
    }

    /// A name no other test run uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
