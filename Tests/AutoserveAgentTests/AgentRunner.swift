import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Synchronization
import Testing

/// Runs the built `autoserve-agent` binary, as an operator or a service manager does.
///
/// The binary is found next to the running test executable (SwiftPM puts both in `.build/<config>/`),
/// or at `MLOPSKIT_AGENT_PATH`. `swift test` builds it.
enum AgentRunner {
    static let environment = ProcessInfo.processInfo.environment

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the autoserve-agent binary was not found (looked in \(searched.joined(separator: ", "))); run `swift build` first or set MLOPSKIT_AGENT_PATH"
        }
    }

    static func binary() throws -> URL {
        if let path = environment["MLOPSKIT_AGENT_PATH"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        var starts = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(), Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                directories.append(directory)
                directory = directory.deletingLastPathComponent()
            }
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("autoserve-agent")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw BinaryNotFound(searched: directories.map(\.path))
    }

    /// A process of the agent whose output goes to files in its own directory.
    final class Running: @unchecked Sendable {
        let process = Process()
        let directory: URL
        var stdoutURL: URL { directory.appendingPathComponent("stdout") }
        var stderrURL: URL { directory.appendingPathComponent("stderr") }
        private var waiter: Task<Void, any Error>?
        private let exited = Mutex(false)

        init(arguments: [String], extraEnvironment: [String: String]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("autoserve-agent-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            process.executableURL = try AgentRunner.binary()
            process.arguments = arguments
            process.currentDirectoryURL = directory
            var environment = AgentRunner.environment.filter { key, _ in
                !(key.hasPrefix("MLFLOW_") || key.hasPrefix("MLOPS_") || key.hasPrefix("AWS_") || key == "DOCKER_HOST")
            }
            // Agents run side by side in the tests: each gateway on a port of its own, unless a test says.
            environment["MLFLOW_SERVE_GATEWAY_LISTEN"] = "127.0.0.1:0"
            environment.merge(extraEnvironment) { $1 }
            process.environment = environment
            _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
            process.standardError = try FileHandle(forWritingTo: stderrURL)
            process.standardInput = FileHandle.nullDevice
        }

        func start() {
            let process = process
            waiter = Task { [self] in
                defer { exited.withLock { $0 = true } }
                try await process.runUntilExit()
            }
        }

        /// Waits for the exit and returns the status.
        func wait() async throws -> Int32 {
            try await waiter?.value
            return process.terminationStatus
        }

        var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

        /// The JSON log lines written so far.
        var logLines: [[String: Any]] {
            stderr.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// The address the HTTP server announced (`event` `listening`), or the gateway
        /// (`gateway-listening`), once it has.
        func listeningAddress(within timeout: Duration, event: String = "listening") async throws -> String {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let line = logLines.first(where: { $0["event"] as? String == event }),
                    let address = line["address"] as? String
                {
                    return address
                }
                if exited.withLock({ $0 }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw AgentTestError("the agent did not announce its address (\(event)):\n\(stderr)")
        }

        func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

        func cleanUp() {
            if process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Runs the agent to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let running = try Running(arguments: arguments, extraEnvironment: environment)
        defer { running.cleanUp() }
        running.start()
        let status = try await running.wait()
        return (status, running.stdout, running.stderr)
    }
}

struct AgentTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The MLflow server of the end-to-end tests: `MLOPSKIT_TEST_MLFLOW_URI`, or a failure when
/// `MLOPSKIT_REQUIRE_SERVICES=1` and it is missing.
enum AgentTestServer {
    static var enabled: Bool {
        AgentRunner.environment["MLOPSKIT_TEST_MLFLOW_URI"] != nil || AgentRunner.environment["MLOPSKIT_REQUIRE_SERVICES"] == "1"
    }

    static func uri() throws -> String {
        guard let uri = AgentRunner.environment["MLOPSKIT_TEST_MLFLOW_URI"], !uri.isEmpty else {
            throw AgentTestError("MLOPSKIT_REQUIRE_SERVICES=1 but MLOPSKIT_TEST_MLFLOW_URI is not set; run scripts/services-up")
        }
        return uri
    }

    static func client() throws -> MLflowClient {
        MLflowClient(
            configuration: MLflowClient.Configuration(trackingURI: URL(string: try uri())!),
            transport: RetryingTransport(wrapping: CurlTransport()))
    }

    static func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }
}

/// GETs a URL over loopback with the project's libcurl transport.
func httpGet(_ url: String) async throws -> (status: Int, contentType: String?, body: String) {
    let response = try await CurlTransport().send(
        TransportRequest(method: .get, url: URL(string: url)!, timeout: .seconds(10)))
    return (response.status, response.headers["Content-Type"], response.bodyText)
}

/// POSTs a JSON body over loopback with the project's libcurl transport.
func httpPost(_ url: String, json: String) async throws -> (status: Int, contentType: String?, body: String) {
    let response = try await CurlTransport().send(
        TransportRequest(
            method: .post, url: URL(string: url)!, headers: ["Content-Type": "application/json"], body: .bytes(Data(json.utf8)),
            timeout: .seconds(10)))
    return (response.status, response.headers["Content-Type"], response.bodyText)
}
