import Foundation
import MLOpsKit

/// An `mlflow server` a test starts and stops itself (for restarts mid-test, or settings the shared
/// server does not have), on 127.0.0.1 with a SQLite store in a temporary directory and one worker. It
/// runs in its own process group so its workers stop with it.
public final class MLflowServerProcess: @unchecked Sendable {  // Used from one test at a time.
    public let port: Int
    public let directory: URL
    private var process: Process?

    public var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Where the server keeps artifacts it proxies: a local directory by default, or an `s3://` URI.
    public let artifactsDestination: String?
    /// Extra environment for the server (S3 endpoint and credentials, webhook settings).
    public let environment: [String: String]

    public init(port: Int? = nil, artifactsDestination: String? = nil, environment: [String: String] = [:]) throws {
        self.port = try port ?? Self.freePort()
        self.artifactsDestination = artifactsDestination
        self.environment = environment
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-mlflow-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the server and waits (up to 180 s: the whole suite loads the machine) until `/health` answers.
    public func start() async throws {
        let process = Process()
        // Foundation starts the child as the leader of a new process group; its workers join that group.
        process.executableURL = TestServices.venv.appendingPathComponent("bin/mlflow")
        process.arguments = [
            "server",
            "--backend-store-uri", "sqlite:///\(directory.path)/mlflow.db",
            "--artifacts-destination", artifactsDestination ?? "\(directory.path)/artifacts",
            "--host", "127.0.0.1", "--port", "\(port)", "--workers", "1",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        environment.merge(self.environment) { _, new in new }
        process.environment = environment
        let logPath = directory.appendingPathComponent("server.log").path
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process

        let transport = CurlTransport()
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            if let response = try? await transport.send(TransportRequest(url: url.appendingPathComponent("health"))),
                response.status == 200
            {
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let tail = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8))?.suffix(2000) ?? ""
        stop()
        throw StartFailed(log: String(tail))
    }

    public struct StartFailed: Error, CustomStringConvertible {
        var log: String
        public var description: String { "mlflow server did not become healthy:\n\(log)" }
    }

    /// Kills the server and all its workers at once (SIGKILL), as a crash would.
    public func stop() {
        guard let process else { return }
        self.process = nil
        kill(-process.processIdentifier, SIGKILL)
        if process.isRunning { process.waitUntilExit() }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Where the test services live.
public enum TestServices {
    /// The Python environment holding `mlflow` (`MLOPSKIT_SERVICES_VENV`, else `.venv-services` at the
    /// repository root).
    public static var venv: URL {
        ProcessInfo.processInfo.environment["MLOPSKIT_SERVICES_VENV"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".venv-services")
    }

    /// A Fernet key for `MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY`, made by the `cryptography` package the
    /// server itself uses.
    public static func fernetKey() async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-fernet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = venv.appendingPathComponent("bin/python")
        process.arguments = [
            "-c", "import sys; from cryptography.fernet import Fernet; open(sys.argv[1], 'w').write(Fernet.generate_key().decode())",
            output.path,
        ]
        try await process.runUntilExit()
        let key = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, key.count == 44 else { throw KeyGenerationFailed(status: process.terminationStatus) }
        return key
    }

    public struct KeyGenerationFailed: Error, CustomStringConvertible {
        public var status: Int32
        public var description: String { "generating a Fernet key failed (exit \(status))" }
    }

    /// An `mlflow server` of the test's own with the settings registry webhooks to a loopback receiver
    /// need: private addresses and plain http allowed, a fixed secret encryption key, a one-second
    /// webhook cache.
    public static func webhookServer() async throws -> MLflowServerProcess {
        let server = try MLflowServerProcess(environment: [
            "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
            "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
            "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": try await fernetKey(),
            "MLFLOW_WEBHOOK_CACHE_TTL": "1",
        ])
        try await server.start()
        return server
    }
}
