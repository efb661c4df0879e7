import Foundation
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// How each probe reads its service's answer, and how the checker treats services that do not answer.
@Suite struct HealthCheckerTests {
    func json(_ text: String, status: Int = 200) -> TransportResponse {
        TransportResponse(status: status, headers: ["Content-Type": "application/json"], body: Data(text.utf8))
    }

    @Test func airflowIsUpOnlyWhenItsJSONSaysSo() {
        let healthy = json(#"{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy","latest_scheduler_heartbeat":"2026-11-29T08:00:00+00:00"},"triggerer":{"status":null,"latest_triggerer_heartbeat":null},"dag_processor":{"status":"healthy"}}"#)
        let up = HealthChecker.interpret(healthy, probe: .airflow)
        #expect(up.isUp)
        #expect(up.detail == "metadatabase and scheduler healthy (Airflow 3)")

        // Airflow answers 200 with a dead scheduler: DOWN, and the reason named.
        let deadScheduler = json(#"{"metadatabase":{"status":"healthy"},"scheduler":{"status":"unhealthy","latest_scheduler_heartbeat":null}}"#)
        let down = HealthChecker.interpret(deadScheduler, probe: .airflow, airflowVersion: 2)
        #expect(!down.isUp)
        #expect(down.detail == "scheduler unhealthy")

        let noScheduler = HealthChecker.interpret(json(#"{"metadatabase":{"status":"healthy"}}"#), probe: .airflow)
        #expect(noScheduler.detail == "scheduler missing")

        let unhealthyDagProcessor = json(#"{"metadatabase":{"status":"healthy"},"scheduler":{"status":"healthy"},"dag_processor":{"status":"unhealthy"}}"#)
        let warned = HealthChecker.interpret(unhealthyDagProcessor, probe: .airflow)
        #expect(warned.isUp)
        #expect(warned.detail.hasSuffix("dag_processor unhealthy"))

        #expect(!HealthChecker.interpret(json("<html>login</html>"), probe: .airflow).isUp)
        #expect(HealthChecker.interpret(json("{}", status: 503), probe: .airflow).detail == "HTTP 503")
    }

    @Test func grafanaNeedsItsDatabase() {
        #expect(HealthChecker.interpret(json(#"{"commit":"abc","database":"ok","version":"11.0.0"}"#), probe: .grafana).isUp)
        let failing = HealthChecker.interpret(json(#"{"database":"failing"}"#, status: 200), probe: .grafana)
        #expect(!failing.isUp)
        #expect(failing.detail == "database failing")
    }

    @Test func s3ServersCountWhenTheyAnswerS3() {
        #expect(HealthChecker.interpret(TransportResponse(status: 200), probe: .s3).isUp)
        let refused = TransportResponse(
            status: 403, body: Data("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code></Error>".utf8))
        #expect(HealthChecker.interpret(refused, probe: .s3).isUp)
        #expect(!HealthChecker.interpret(TransportResponse(status: 403, body: Data("nope".utf8)), probe: .s3).isUp)
        #expect(!HealthChecker.interpret(TransportResponse(status: 503), probe: .s3).isUp)
    }

    /// A misconfigured S3 endpoint is the error of listing the checks, not a probe of 127.0.0.1:9000.
    @Test func aBadS3EndpointIsReportedNotReplaced() throws {
        let bad = try ConfigurationLoader.load(environment: ["MLFLOW_S3_ENDPOINT_URL": "http://minio:9000/?x=1"], dotEnv: nil)
        let error = #expect(throws: S3EndpointError.self) { try bad.healthChecks() }
        #expect(error?.variable == "MLFLOW_S3_ENDPOINT_URL")
        let good = try ConfigurationLoader.load(environment: ["MLFLOW_S3_ENDPOINT_URL": "http://minio:9000"], dotEnv: nil)
        let minio = try good.healthChecks().first { $0.name == "MinIO" }
        #expect(minio?.baseURL.absoluteString == "http://minio:9000")
    }

    @Test func plainProbesNeedA2xxAndQuoteWhatFailed() {
        #expect(HealthChecker.interpret(TransportResponse(status: 200, body: Data("OK".utf8)), probe: .mlflow).detail == "OK")
        #expect(HealthChecker.interpret(TransportResponse(status: 200, body: Data("ready\n".utf8)), probe: .loki).detail == "ready")
        let starting = HealthChecker.interpret(
            TransportResponse(status: 503, body: Data("Ingester not ready: waiting for 15s after being ready".utf8)), probe: .loki)
        #expect(!starting.isUp)
        #expect(starting.detail.hasPrefix("HTTP 503: Ingester not ready"))
    }

    @Test func absentSlowAndErroringServicesAreDownWithTheReasonAndQuickly() async throws {
        let server = TestHTTPServer.shared
        let closed = URL(string: "http://127.0.0.1:1")!
        let checks = [
            HealthCheck(name: "closed", baseURL: closed, probe: .mlflow),
            HealthCheck(name: "slow", baseURL: server.url("/delay/5000"), probe: .http, timeout: .milliseconds(500)),
            HealthCheck(name: "erroring", baseURL: server.url("/status/503"), probe: .http, isRequired: false),
            HealthCheck(name: "fine", baseURL: server.url("/status/200"), probe: .http),
        ]
        let started = ContinuousClock.now
        let report = await HealthChecker().check(checks)
        // The checks run at once; the slow one ends at its own limit, not the server's 5 s. (Timings on
        // a loaded test host stretch, so the bound only catches a hang; the details prove the rest.)
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(report.results.map(\.name) == ["closed", "slow", "erroring", "fine"])
        #expect(report.results.map(\.isUp) == [false, false, false, true])
        #expect(report.results[0].detail == "connection refused")
        #expect(report.results[0].latencySeconds == nil)
        #expect(report.results[1].detail == "timed out after 0.5 s")
        #expect(report.results[2].detail.hasPrefix("HTTP 503"))
        #expect(report.results[3].latencySeconds != nil)
        #expect(!report.requiredServicesAreUp)
        #expect(report.requiredServicesDown.map(\.name) == ["closed", "slow"])
    }

    @Test func airflowTwoIsFoundAtItsOwnPath() async {
        // Without /api/v2 (the local server answers 404 there), the probe asks /health like Airflow 2.
        let check = HealthCheck(name: "Airflow", baseURL: TestHTTPServer.shared.url("/status/404"), probe: .airflow)
        let result = await HealthChecker().check(check)
        #expect(result.url.hasSuffix("/status/404/health"))
    }

    @Test func waitingStopsAtTheDeadline() async throws {
        let checks = [HealthCheck(name: "closed", baseURL: URL(string: "http://127.0.0.1:1")!, probe: .mlflow)]
        let rounds = RoundCounter()
        let started = ContinuousClock.now
        let report = try await HealthChecker().waitUntilRequiredServicesAreUp(
            checks, timeout: .milliseconds(700), interval: .milliseconds(200)) { _ in rounds.increment() }
        let elapsed = ContinuousClock.now - started
        #expect(!report.requiredServicesAreUp)
        #expect(elapsed >= .milliseconds(700) && elapsed < .seconds(60))
        #expect(rounds.value >= 1)
    }
}

final class RoundCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
