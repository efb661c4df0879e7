import Foundation

@testable import MLOpsKit

/// An `mlflow server` a test starts and stops itself (for restarts mid-test), on 127.0.0.1 with a
/// SQLite store in a temporary directory. It runs in its own process group so its workers stop with it.
final class MLflowServerProcess: @unchecked Sendable {  // Used from one test at a time.
    let port: Int
    let directory: URL
    private var process: Process?

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Where the server keeps artifacts it proxies: a local directory by default, or an `s3://` URI.
    let artifactsDestination: String?
    /// Extra environment for the server (S3 endpoint and credentials).
    let environment: [String: String]

    init(port: Int? = nil, artifactsDestination: String? = nil, environment: [String: String] = [:]) throws {
        self.port = try port ?? Self.freePort()
        self.artifactsDestination = artifactsDestination
        self.environment = environment
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-mlflow-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the server and waits (up to 90 s) until `/health` answers.
    func start() async throws {
        let process = Process()
        // Foundation starts the child as the leader of a new process group; its workers join that group.
        process.executableURL = IntegrationEnvironment.servicesVenv.appendingPathComponent("bin/mlflow")
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
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let response = try? await transport.send(HTTPRequest(url: url.appendingPathComponent("health"))),
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

    struct StartFailed: Error, CustomStringConvertible {
        var log: String
        var description: String { "mlflow server did not become healthy:\n\(log)" }
    }

    /// Kills the server and all its workers at once (SIGKILL), as a crash would.
    func stop() {
        guard let process else { return }
        self.process = nil
        kill(-process.processIdentifier, SIGKILL)
        if process.isRunning { process.waitUntilExit() }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func freePort() throws -> Int {
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
