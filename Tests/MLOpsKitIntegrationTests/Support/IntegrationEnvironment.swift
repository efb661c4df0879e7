import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing

/// Where the integration tests find their services.
///
/// `scripts/services-up` starts a real `mlflow server` and writes its URL to `.services/env`;
/// `scripts/test` exports it as `MLOPSKIT_TEST_MLFLOW_URI` together with `MLOPSKIT_REQUIRE_SERVICES=1`.
/// Without the URL the tests are skipped, unless services were required: then they fail.
enum IntegrationEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    static var servicesRequired: Bool { environment["MLOPSKIT_REQUIRE_SERVICES"] == "1" }

    /// Whether MLflow tests run: the server is configured, or required (so its absence fails them).
    static var mlflowEnabled: Bool { environment["MLOPSKIT_TEST_MLFLOW_URI"] != nil || servicesRequired }

    struct MissingService: Error, CustomStringConvertible {
        var name: String
        var description: String {
            "\(name) is required (MLOPSKIT_REQUIRE_SERVICES=1) but not configured; run scripts/services-up"
        }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func mlflowURI() throws -> URL {
        guard let text = environment["MLOPSKIT_TEST_MLFLOW_URI"], let url = URL(string: text) else {
            throw MissingService(name: "MLflow (MLOPSKIT_TEST_MLFLOW_URI)")
        }
        return url
    }

    /// The Python environment holding `mlflow`, the reference client.
    static var servicesVenv: URL {
        environment["MLOPSKIT_SERVICES_VENV"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".venv-services")
    }

    /// A client of the test MLflow server over the real libcurl transport.
    static func mlflowClient(uri: URL? = nil) throws -> MLflowClient {
        MLflowClient(
            configuration: MLflowClient.Configuration(trackingURI: try uri ?? mlflowURI()),
            transport: RetryingTransport(wrapping: CurlTransport()))
    }

    /// A name no other test run uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Runs the Python reference client script with the test server's URI and returns the last line
    /// of its stdout. Waits without blocking a thread (see `Process.runUntilExit()`).
    static func python(
        _ arguments: [String], trackingURI: URL, environment extra: [String: String] = [:]
    ) async throws -> Data {
        let process = Process()
        process.executableURL = servicesVenv.appendingPathComponent("bin/python")
        process.arguments = [repositoryRoot.appendingPathComponent("Tests/Fixtures/mlflow_interop.py").path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["MLFLOW_TRACKING_URI"] = trackingURI.absoluteString
        environment.merge(extra) { _, new in new }
        process.environment = environment
        // Files rather than pipes: nothing blocks on a full pipe buffer.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-python-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try await process.runUntilExit()
        try output.close()
        try errors.close()
        let data = try Data(contentsOf: outputURL)
        guard process.terminationStatus == 0 else {
            let errorText = String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
            throw PythonFailed(arguments: arguments, status: process.terminationStatus, stderr: String(errorText.suffix(2000)))
        }
        // The answer is the last line; the Python client may print notices before it.
        let lines = data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }
        return lines.last.map { Data($0) } ?? data
    }

    struct PythonFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stderr: String
        var description: String { "python \(arguments) exited \(status): \(stderr)" }
    }
}
