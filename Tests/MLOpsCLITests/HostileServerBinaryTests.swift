import Foundation
import MLOpsKitTestSupport
import Testing

/// The built `mlops` binary with `MLFLOW_TRACKING_URI` at `Tests/Fixtures/hostile_http_server.py`: every
/// hostile answer ends the command with one clear `Error:` line naming the server, a non-zero exit
/// status (4, or 5 for a response too large to accept), never a signal, within a bound.
@Suite("mlops binary against a hostile HTTP server")
struct HostileServerBinaryTests {
    typealias Mode = HostileHTTPServer.Mode

    /// `/stall` stays silent for 30 s; the command's `--timeout 3` ends it first.
    static let server: HostileHTTPServer? = try? HostileHTTPServer(stallSeconds: 30)

    /// The documented exit status ([CLI.md](docs/CLI.md#exit-statuses)) for each answer: 5 when the
    /// response was refused as too large, 4 for every other transport failure. The endless body (about
    /// 12 MB/s) reaches the 3 s timeout before the MLflow client's 64 MiB limit: 4.
    static func expectedStatus(_ mode: Mode) -> Int32 {
        switch mode {
        case .lengthHuge, .hugeHeader: 5
        default: 4
        }
    }

    @Test(arguments: Mode.allCases)
    func aliasGetExitsWithAClearError(_ mode: Mode) async throws {
        let server = try #require(Self.server, "the hostile HTTP server did not start")
        // MLflow's paths are appended to the tracking URI: /<mode>/api/2.0/mlflow/….
        let trackingURI = server.url(mode).absoluteString
        let result = try await CLIRunner.run(
            ["alias", "get", "--model-name", "iris", "--alias", "Production", "--timeout", "3"],
            trackingURI: trackingURI, extraEnvironment: ["MLOPS_HTTP_RETRIES": "1"])
        #expect(!result.endedBySignal, "\(result)")
        #expect(result.status == Self.expectedStatus(mode), "\(result)")
        // Two attempts of at most 3 s each and the back-off between them; the margin is for a loaded machine.
        #expect(result.duration < .seconds(20), "\(result)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result)")
        #expect(lines.first?.hasPrefix("Error: ") == true, "\(result)")
        #expect(result.stderr.contains("127.0.0.1:\(server.port)/\(mode.rawValue)"), "names the server: \(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        // What failed, in the transport's words: a response too large is not called unreachable.
        let expectedWording = Self.expectedStatus(mode) == 5 ? "refused the response of" : "cannot reach"
        #expect(result.stderr.contains(expectedWording), "\(result)")
    }
}
