import Foundation
import MLOpsKitTestSupport
import Testing

/// `autoserve-agent --once` and `--dry-run` with `MLFLOW_TRACKING_URI` at
/// `Tests/Fixtures/hostile_http_server.py`: whatever the registry answers, the agent exits with the
/// documented status for a registry that could not be read (4), never by a signal, within a bound, and
/// says which server failed.
@Suite("autoserve-agent against a hostile HTTP server")
struct AgentHostileServerTests {
    typealias Mode = HostileHTTPServer.Mode

    /// `/stall` stays silent for 30 s; the agent's 3 s request timeout ends it first.
    static let server: HostileHTTPServer? = try? HostileHTTPServer(stallSeconds: 30)

    @Test(arguments: Mode.allCases, ["--once", "--dry-run"])
    func registryReadFailsWithStatusFour(_ mode: Mode, _ flag: String) async throws {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("agent-hostile-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let running = try AgentRunner.Running(
            arguments: [flag, "--runtime", "process", "--state-dir", state.path, "--listen", "127.0.0.1:0"],
            extraEnvironment: [
                "MLFLOW_TRACKING_URI": server.url(mode).absoluteString,
                "MLOPS_HTTP_TIMEOUT_SECONDS": "3", "MLOPS_HTTP_RETRIES": "1",
            ])
        defer { running.cleanUp() }
        let clock = ContinuousClock()
        let started = clock.now
        running.start()
        let status = try await running.wait()
        let took = clock.now - started
        #expect(running.process.terminationReason == .exit, "ended by signal \(status): \(running.stderr)")
        // Both report a registry they could not read as 4, whatever the server sent (a response refused
        // as too large included: `AutoserveAgentExit.status(for:)`).
        #expect(status == 4, "\(mode) \(flag): exit \(status)\n\(running.stderr)")
        // Two attempts of at most 3 s each per registry read, with back-off; the margin is for a loaded machine.
        #expect(took < .seconds(30), "\(mode) \(flag) took \(took)")
        #expect(running.stderr.contains("127.0.0.1:\(server.port)"), "names the registry: \(running.stderr)")
    }
}
