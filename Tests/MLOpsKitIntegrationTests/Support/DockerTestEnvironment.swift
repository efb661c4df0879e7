import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Where the Docker tests find the Engine that `scripts/docker-up` started (`.services/docker.env`):
/// `MLOPSKIT_TEST_DOCKER_HOST`, the local test image `MLOPSKIT_TEST_DOCKER_IMAGE` (static busybox), the
/// `docker` client and `dockerd` binaries. Without the host the tests are skipped, unless services are
/// required (`MLOPSKIT_REQUIRE_SERVICES=1`): then they fail.
///
/// Test containers share the host's network and listen on 127.0.0.1 ports; each test labels its
/// containers `mlopskit_test=<unique id>` and removes them at the end.
enum DockerTestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    static var enabled: Bool { environment["MLOPSKIT_TEST_DOCKER_HOST"] != nil || IntegrationEnvironment.servicesRequired }

    /// The label that marks one test's containers.
    static let testLabel = "mlopskit_test"

    static func host() throws -> DockerHost {
        guard let text = environment["MLOPSKIT_TEST_DOCKER_HOST"] else {
            throw IntegrationEnvironment.MissingService(name: "Docker Engine (MLOPSKIT_TEST_DOCKER_HOST)")
        }
        return try DockerHost(parsing: text)
    }

    static var image: String { environment["MLOPSKIT_TEST_DOCKER_IMAGE"] ?? "mlopskit-test-busybox:latest" }

    /// A client of the test Engine, through libcurl unless another transport is given.
    static func client(transport: (any StreamingHTTPTransport)? = nil) throws -> DockerEngineClient {
        let configuration = DockerEngineClient.Configuration(host: try host())
        return transport.map { DockerEngineClient(configuration: configuration, transport: $0) }
            ?? DockerEngineClient(configuration: configuration)
    }

    /// A shell command that serves `/www` with busybox httpd on 127.0.0.1:`port`, with `/ping`
    /// answering `ok`, after writing one line to stdout and one to stderr.
    static func httpdCommand(port: Int) -> [String] {
        ["sh", "-c", "echo serving on \(port); echo ready >&2; echo ok > /www/ping; exec httpd -f -p 127.0.0.1:\(port) -h /www"]
    }

    static func freePort() throws -> Int {
        try #require(LoopbackPort.allocate())
    }

    /// Polls `url` until it answers 200; returns the last status (0 when nothing answered).
    static func waitForOK(_ url: URL, within timeout: Duration = .seconds(30)) async -> Int {
        let transport = CurlTransport()
        let deadline = ContinuousClock.now + timeout
        var status = 0
        while ContinuousClock.now < deadline {
            status = (try? await transport.send(TransportRequest(url: url, timeout: .seconds(2))).status) ?? 0
            if status == 200 { return status }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return status
    }

    /// Runs the `docker` client against the test Engine and returns its exit status.
    @discardableResult
    static func dockerCLI(_ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: environment["MLOPSKIT_TEST_DOCKER_CLI"] ?? "/usr/bin/docker")
        process.arguments = ["-H", try host().description] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await process.runUntilExit()
        return process.terminationStatus
    }

    /// Removes every container carrying `mlopskit_test=<run>`, whatever state it is in.
    static func removeContainers(run: String, client: DockerEngineClient) async {
        guard let containers = try? await client.containers(labels: [testLabel: run]) else { return }
        for container in containers {
            try? await client.removeContainer(container.id, force: true)
        }
    }

    /// Runs `scripts/<name>` (`docker-up`, `docker-down`) with the services directory `directory`, for a
    /// daemon of a test's own; returns its last stdout line.
    @discardableResult
    static func script(_ name: String, directory: URL, keepData: Bool = false) async throws -> String {
        let process = Process()
        process.executableURL = IntegrationEnvironment.repositoryRoot.appendingPathComponent("scripts/\(name)")
        var environment = ProcessInfo.processInfo.environment
        environment["MLOPSKIT_SERVICES_DIR"] = directory.path
        environment["DOCKER_KEEP_DATA"] = keepData ? "1" : "0"
        process.environment = environment
        let output = directory.appendingPathComponent("\(name).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try await process.runUntilExit()
        try handle.close()
        let text = try String(contentsOf: output, encoding: .utf8)
        try #require(process.terminationStatus == 0, "scripts/\(name) exited \(process.terminationStatus)")
        return text.split(separator: "\n").last.map(String.init) ?? ""
    }
}
