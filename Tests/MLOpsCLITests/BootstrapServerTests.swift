import Foundation
import Testing

/// `mlops bootstrap` end to end against the real MLflow and Airflow of the test stack.
@Suite("mlops bootstrap against real MLflow and Airflow", .enabled(if: TestAirflow.enabled && TestServer.enabled), .serialized,
    .timeLimit(.minutes(5)))
struct BootstrapServerTests {
    func environment() throws -> [String: String] {
        let environment = CLIRunner.environment
        guard let url = environment["MLOPSKIT_TEST_AIRFLOW_URL"], let user = environment["MLOPSKIT_TEST_AIRFLOW_USERNAME"],
            let password = environment["MLOPSKIT_TEST_AIRFLOW_PASSWORD"]
        else { throw DagsServerTests.MissingAirflow() }
        return ["AIRFLOW_BASE_URL": url, "AIRFLOW_ADMIN_USER": user, "AIRFLOW_ADMIN_PASSWORD": password]
    }

    @Test func theDAGsRunAndSucceedInOrder() async throws {
        let result = try await CLIRunner.run(["bootstrap", "--json"], trackingURI: try TestServer.uri(), extraEnvironment: try environment())
        #expect(result.status == 0, "\(result)")
        let object = try result.jsonObject()
        #expect(object["succeeded"] as? Bool == true)
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["wait for services", "run dag_data_predictions", "run dag_training"])
        #expect(steps.allSatisfy { $0["outcome"] as? String == "ok" })
        #expect((object["links"] as? [String: String])?["Airflow"] == "http://localhost:8080")
    }

    @Test func aFailingDAGFailsTheBootstrapNamingTheRunAndTask() async throws {
        let result = try await CLIRunner.run(
            ["bootstrap", "--dags", "dag_training,dag_data_predictions", "--conf", #"{"fail": true}"#], trackingURI: try TestServer.uri(),
            extraEnvironment: try environment())
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("FAIL run dag_training: run manual__"), "\(result.stderr)")
        #expect(result.stderr.contains("train_model (failed)"))
        #expect(result.stderr.contains("SKIP run dag_data_predictions: dag_training failed"))
        #expect(result.stdout.contains("bootstrap failed"))
    }

    @Test func absentServicesAreReportedNotWaitedForForever() async throws {
        var environment = try environment()
        environment["AIRFLOW_BASE_URL"] = "http://127.0.0.1:1"
        let started = ContinuousClock.now
        let result = try await CLIRunner.run(
            ["bootstrap", "--services-timeout", "3"], trackingURI: try TestServer.uri(), extraEnvironment: environment)
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("Airflow (connection refused)"))
        #expect(result.stderr.contains("SKIP run dag_data_predictions: services not up"))
        #expect(result.stdout.contains("Airflow") && result.stdout.contains("DOWN"))
    }
}
