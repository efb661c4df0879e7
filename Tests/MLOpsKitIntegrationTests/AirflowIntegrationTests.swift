import Foundation
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing

/// ``AirflowClient`` against real Airflows with the test DAGs `dag_data_predictions` and `dag_training`
/// (`Tests/Fixtures/airflow_dags`; `dag_training` fails in `train_model` when triggered with conf
/// `{"fail": true}`): Airflow 3 (`scripts/airflow-up`, API v2) and, when started, Airflow 2
/// (`scripts/airflow2-up`, API v1). Each test runs once per Airflow, the API version found by probing.
@Suite(.enabled(if: AirflowTestServer.enabled), .serialized, .timeLimit(.minutes(5)))
struct AirflowIntegrationTests {
    @Test(arguments: AirflowTestServer.names)
    func listsPausesTriggersAndWaitsForASuccessfulRun(airflow: String) async throws {
        let client = try AirflowTestServer.client(airflow)
        #expect(try await client.apiVersion() == (airflow == "airflow2" ? .v1 : .v2))
        let dags = try await client.listDAGs().collect().map(\.dagID)
        #expect(dags.contains("dag_training") && dags.contains("dag_data_predictions"), "\(dags)")
        let paused = try await client.setPaused("dag_data_predictions", true)
        #expect(paused.isPaused)
        let dag = try await client.setPaused("dag_data_predictions", false)
        #expect(!dag.isPaused)

        let run = try await client.trigger("dag_data_predictions", conf: ["rows": .number(3)])
        #expect(run.conf["rows"] == .number(3))
        let seen = StatesSeen()
        let finished = try await client.waitForRun(
            "dag_data_predictions", runID: run.runID, timeout: .seconds(120), interval: .milliseconds(500)
        ) { run, tasks in seen.add(run.state.rawValue) }
        #expect(finished.state == .success)
        #expect(seen.values.last == "success")
        let tasks = try await client.taskInstances("dag_data_predictions", runID: run.runID)
        #expect(Set(tasks.map(\.taskID)) == ["load_data", "predict", "store_predictions"])
        #expect(tasks.allSatisfy { $0.state == "success" && $0.tryNumber == 1 })
        let log = try await client.taskLog("dag_data_predictions", runID: run.runID, taskID: "predict", tryNumber: 1)
        #expect(!log.isEmpty)
    }

    @Test(arguments: AirflowTestServer.names)
    func aFailingRunNamesItsFailedTask(airflow: String) async throws {
        let client = try AirflowTestServer.client(airflow)
        try await client.setPaused("dag_training", false)
        let run = try await client.trigger("dag_training", conf: ["fail": .bool(true)])
        let finished = try await client.waitForRun("dag_training", runID: run.runID, timeout: .seconds(120), interval: .milliseconds(500))
        #expect(finished.state == .failed)
        let tasks = try await client.taskInstances("dag_training", runID: run.runID)
        let failed = tasks.filter { $0.state == "failed" }.map(\.taskID)
        #expect(failed == ["train_model"], "\(tasks)")
        #expect(tasks.first { $0.taskID == "register_model" }?.state == "upstream_failed")
        let log = try await client.taskLog("dag_training", runID: run.runID, taskID: "train_model", tryNumber: 1)
        #expect(log.contains { $0.contains("train_model failed on purpose") }, "\(log.suffix(20))")
    }

    @Test(arguments: AirflowTestServer.names)
    func badInputIsTyped(airflow: String) async throws {
        let client = try AirflowTestServer.client(airflow)
        let missing = await #expect(throws: AirflowError.self) { try await client.dag("no_such_dag") }
        #expect(missing?.code == .notFound)
        #expect(missing?.message.contains("no_such_dag") == true)
        let noRun = await #expect(throws: AirflowError.self) { try await client.dagRun("dag_training", runID: "no-such-run") }
        #expect(noRun?.code == .notFound)

        let server = try AirflowTestServer.server(airflow)
        let wrong = AirflowClient(configuration: .init(baseURL: server.url, username: server.username, password: "wrong-password"))
        let refused = await #expect(throws: AirflowError.self) { try await wrong.dag("dag_training") }
        #expect(refused?.code == .unauthorized)
        #expect(refused?.description.contains("wrong-password") == false)

        // A user who may read but not write: 403, told apart from refused credentials (401).
        if airflow == "airflow", let viewer = IntegrationEnvironment.environment["MLOPSKIT_TEST_AIRFLOW_VIEWER_USERNAME"],
            let viewerPassword = IntegrationEnvironment.environment["MLOPSKIT_TEST_AIRFLOW_VIEWER_PASSWORD"]
        {
            let reader = AirflowClient(configuration: .init(baseURL: server.url, username: viewer, password: viewerPassword))
            #expect(try await reader.dag("dag_training").dagID == "dag_training")
            let forbidden = await #expect(throws: AirflowError.self) { try await reader.setPaused("dag_training", false) }
            #expect(forbidden?.code == .forbidden)
            #expect(forbidden?.status == 403)
        }

        let unreachable = AirflowClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:1")!, username: "a", password: "b"))
        await #expect(throws: HTTPTransportError.self) { try await unreachable.dag("dag_training") }

        // A run that cannot end within the deadline (the DAG takes seconds) ends the wait, naming its
        // state. (No pausing here: other suites run these DAGs at the same time.)
        try await client.setPaused("dag_training", false)
        let pending = try await client.trigger("dag_training", conf: [:])
        let timedOut = await #expect(throws: AirflowError.self) {
            try await client.waitForRun("dag_training", runID: pending.runID, timeout: .milliseconds(300), interval: .milliseconds(100))
        }
        #expect(timedOut?.code == .timedOut)
        #expect(timedOut?.message.contains("run \(pending.runID) of dag_training is still ") == true)
    }
}

/// The Airflows of `scripts/airflow-up` (`MLOPSKIT_TEST_AIRFLOW_*`) and `scripts/airflow2-up`
/// (`MLOPSKIT_TEST_AIRFLOW2_*`).
enum AirflowTestServer {
    struct Server {
        var url: URL
        var username: String
        var password: String
    }

    static func started(_ name: String) -> Bool {
        let environment = IntegrationEnvironment.environment
        return environment["MLOPSKIT_TEST_\(name.uppercased())_URL"] != nil
            || (IntegrationEnvironment.servicesRequired
                && (environment["MLOPSKIT_TEST_SERVICES"] ?? "").split(separator: " ").contains(Substring(name)))
    }

    /// The Airflows to test: those started (or required).
    static var names: [String] { ["airflow", "airflow2"].filter(started) }

    static var enabled: Bool { !names.isEmpty }

    static func server(_ name: String = "airflow") throws -> Server {
        let environment = IntegrationEnvironment.environment
        let prefix = "MLOPSKIT_TEST_\(name.uppercased())_"
        guard let text = environment[prefix + "URL"], let url = URL(string: text),
            let username = environment[prefix + "USERNAME"], let password = environment[prefix + "PASSWORD"]
        else {
            throw IntegrationEnvironment.MissingService(name: "\(name) (\(prefix)URL, _USERNAME, _PASSWORD)")
        }
        return Server(url: url, username: username, password: password)
    }

    static func client(_ name: String = "airflow") throws -> AirflowClient {
        let server = try server(name)
        return AirflowClient(configuration: .init(baseURL: server.url, username: server.username, password: server.password))
    }
}

/// Run states seen while waiting, from any task.
final class StatesSeen: Sendable {
    private let storage = Mutex<[String]>([])
    func add(_ state: String) { storage.withLock { $0.append(state) } }
    var values: [String] { storage.withLock { $0 } }
}
