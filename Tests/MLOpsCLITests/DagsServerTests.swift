import Foundation
import Testing

/// `mlops dags` against the real Airflow of `scripts/airflow-up` and its test DAGs.
@Suite("mlops dags against a real Airflow", .enabled(if: TestAirflow.enabled), .serialized, .timeLimit(.minutes(5)))
struct DagsServerTests {
    struct MissingAirflow: Error, CustomStringConvertible {
        var description: String { "Airflow is required but MLOPSKIT_TEST_AIRFLOW_URL is not set; run scripts/services-up" }
    }

    /// The variables that point `mlops` at the test Airflow.
    func environment(password: String? = nil) throws -> [String: String] {
        let environment = CLIRunner.environment
        guard let url = environment["MLOPSKIT_TEST_AIRFLOW_URL"], let user = environment["MLOPSKIT_TEST_AIRFLOW_USERNAME"],
            let secret = environment["MLOPSKIT_TEST_AIRFLOW_PASSWORD"]
        else { throw MissingAirflow() }
        return ["AIRFLOW_BASE_URL": url, "AIRFLOW_ADMIN_USER": user, "AIRFLOW_ADMIN_PASSWORD": password ?? secret]
    }

    @Test func triggerWaitFollowsARunToSuccessAndToANamedFailure() async throws {
        let env = try environment()
        let list = try await CLIRunner.run(["dags", "list", "--json"], extraEnvironment: env)
        #expect(list.status == 0, "\(list)")
        let ids = (try list.jsonObject()["dags"] as? [[String: Any]])?.compactMap { $0["dag_id"] as? String } ?? []
        #expect(ids.contains("dag_training") && ids.contains("dag_data_predictions"))

        let unpause = try await CLIRunner.run(["dags", "unpause", "dag_training"], extraEnvironment: env)
        #expect(unpause.status == 0, "\(unpause)")
        let ok = try await CLIRunner.run(["dags", "trigger", "dag_training", "--wait", "--wait-timeout", "120"], extraEnvironment: env)
        #expect(ok.status == 0, "\(ok)")
        let runID = try #require(ok.stdout.split(separator: "\n").first.map(String.init))
        #expect(runID.hasPrefix("manual__"))

        let failing = try await CLIRunner.run(
            ["dags", "trigger", "dag_training", "--conf", #"{"fail": true}"#, "--wait", "--wait-timeout", "120"],
            extraEnvironment: env)
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stderr.contains("train_model (failed)"), "\(failing.stderr)")
        #expect(failing.stderr.contains("dag_training train_model: failed"))
        let failedRun = try #require(failing.stdout.split(separator: "\n").first.map(String.init))
        let logs = try await CLIRunner.run(["dags", "logs", "dag_training", failedRun, "train_model"], extraEnvironment: env)
        #expect(logs.status == 0 && logs.stdout.contains("failed on purpose"), "\(logs)")

        let runs = try await CLIRunner.run(["dags", "runs", "dag_training", "--limit", "2", "--json"], extraEnvironment: env)
        // Other suites trigger dag_training too: find this test's two runs among the newest.
        let recent = try await CLIRunner.run(["dags", "runs", "dag_training", "--limit", "25", "--json"], extraEnvironment: env)
        let states = Dictionary(
            uniqueKeysWithValues: (try recent.jsonObject()["dag_runs"] as? [[String: Any]] ?? []).compactMap { run in
                (run["dag_run_id"] as? String).map { ($0, run["state"] as? String ?? "") }
            })
        #expect(states[runID] == "success" && states[failedRun] == "failed", "\(recent)")
        let listed = try runs.jsonObject()["dag_runs"] as? [Any]
        #expect(runs.status == 0 && listed?.count == 2)
    }

    @Test func badInputHasItsOwnExitStatus() async throws {
        let env = try environment()
        let unknown = try await CLIRunner.run(["dags", "trigger", "no_such_dag"], extraEnvironment: env)
        #expect(unknown.status == 3 && unknown.stderr.contains("no_such_dag"), "\(unknown)")
        let badConf = try await CLIRunner.run(["dags", "trigger", "dag_training", "--conf", "[1]"], extraEnvironment: env)
        #expect(badConf.status == 6, "\(badConf)")
        let refused = try await CLIRunner.run(["dags", "list"], extraEnvironment: try environment(password: "not-the-password"))
        #expect(refused.status == 7 && refused.stderr.contains("AIRFLOW_ADMIN_PASSWORD"), "\(refused)")
        #expect(!refused.stderr.contains("not-the-password"))
        if let viewer = CLIRunner.environment["MLOPSKIT_TEST_AIRFLOW_VIEWER_USERNAME"],
            let viewerPassword = CLIRunner.environment["MLOPSKIT_TEST_AIRFLOW_VIEWER_PASSWORD"]
        {
            var readOnly = env
            readOnly["AIRFLOW_ADMIN_USER"] = viewer
            readOnly["AIRFLOW_ADMIN_PASSWORD"] = viewerPassword
            #expect(try await CLIRunner.run(["dags", "list"], extraEnvironment: readOnly).status == 0)
            let forbidden = try await CLIRunner.run(["dags", "unpause", "dag_training"], extraEnvironment: readOnly)
            #expect(forbidden.status == 7 && forbidden.stderr.contains("may not do this"), "\(forbidden)")
        }
        var unreachable = env
        unreachable["AIRFLOW_BASE_URL"] = "http://127.0.0.1:1"
        #expect(try await CLIRunner.run(["dags", "list"], extraEnvironment: unreachable).status == 4)

        // A run that cannot end in time (the DAG takes seconds): status 1, naming the run's state.
        let stuck = try await CLIRunner.run(
            ["dags", "trigger", "dag_data_predictions", "--wait", "--wait-timeout", "0.3"], extraEnvironment: env)
        #expect(stuck.status == 1 && stuck.stderr.contains("is still "), "\(stuck)")
        let pause = try await CLIRunner.run(["dags", "pause", "dag_data_predictions"], extraEnvironment: env)
        #expect(pause.status == 0 && pause.stdout.contains("paused dag_data_predictions"), "\(pause)")
        #expect(try await CLIRunner.run(["dags", "unpause", "dag_data_predictions"], extraEnvironment: env).status == 0)
    }
}

/// Whether the test Airflow is there, or required (services required and Airflow among them).
enum TestAirflow {
    static var enabled: Bool {
        let environment = CLIRunner.environment
        return environment["MLOPSKIT_TEST_AIRFLOW_URL"] != nil
            || (environment["MLOPSKIT_REQUIRE_SERVICES"] == "1"
                && (environment["MLOPSKIT_TEST_SERVICES"] ?? "").split(separator: " ").contains("airflow"))
    }
}
