import Foundation
import Logging
import MLOpsKitTestSupport
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// An alias reconciler over a real MLflow registry and the real process runtime, whose instances run
/// `Tests/Fixtures/stand_in_model_server.py` (a stand-in for `mlflow models serve` that starts at once
/// and answers with its version), so rollouts, failures and restarts take seconds.
final class ReconcilerHarness: Sendable {
    let client: MLflowClient
    let model: String
    let stateDirectory: URL
    let behaviourFile: URL
    let observer = RecordingObserver()
    let configuration: AutoserveConfiguration
    let startSeconds: Double
    let runtimeBox = Mutex<ProcessServingRuntime?>(nil)

    init(
        client: MLflowClient? = nil,
        aliases: [String] = ["Production"],
        startSeconds: Double = 0,
        behaviour: [String: String] = [:],
        readinessTimeout: Duration = .seconds(20),
        environment: [String: String] = [:],
        backoff: RestartBackoff.Policy = .init(initialDelay: .seconds(1), maximumDelay: .seconds(4), resetAfter: .seconds(600))
    ) throws {
        self.client = try client ?? IntegrationEnvironment.mlflowClient()
        model = IntegrationEnvironment.uniqueName("autoserve")
        stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        behaviourFile = stateDirectory.appendingPathComponent("behaviour.json")
        try JSONSerialization.data(withJSONObject: behaviour).write(to: behaviourFile)
        self.startSeconds = startSeconds
        configuration = AutoserveConfiguration(
            aliases: aliases,
            modelFilter: "name = '\(model)'",
            resyncInterval: .seconds(2),
            readiness: ReadinessPolicy(timeout: readinessTimeout, interval: .milliseconds(100), requestTimeout: .seconds(2)),
            drainGrace: .milliseconds(500),
            stopGrace: .seconds(2),
            restartBackoff: backoff,
            environment: environment,
            configHash: "test")
    }

    var key: ServingKey { ServingKey(model: model, alias: "Production") }

    /// A process runtime on the harness's state directory: a new one after ``closeRuntime()`` is what
    /// an agent started again gets.
    func runtime() throws -> ProcessServingRuntime {
        // The lock of a runtime closed a moment ago can outlive it briefly while another test of this
        // process forks a child (the child holds the descriptor until it execs): try again for a while.
        var attempts = 0
        while true {
            do {
                return try openRuntime()
            } catch ProcessServingRuntimeError.stateDirectoryLocked(_, let owner) where owner == getpid() && attempts < 50 {
                attempts += 1
                usleep(20_000)
            }
        }
    }

    private func openRuntime() throws -> ProcessServingRuntime {
        try runtimeBox.withLock { box in
            if let runtime = box { return runtime }
            let runtime = try ProcessServingRuntime(
                configuration: ProcessServingConfiguration(
                    stateDirectory: stateDirectory.appendingPathComponent("state").path,
                    command: [
                        "python3", IntegrationEnvironment.repositoryRoot.appendingPathComponent("Tests/Fixtures/stand_in_model_server.py").path,
                        "{port}", "{model}", "{version}",
                    ],
                    environment: [
                        "STAND_IN_BEHAVIOUR": behaviourFile.path, "STAND_IN_START_SECONDS": "\(startSeconds)",
                    ],
                    removeGrace: .seconds(2)))
            box = runtime
            return runtime
        }
    }

    /// Forgets the runtime (releasing its state directory's lock) as an agent that exits does.
    func closeRuntime() async {
        let runtime = runtimeBox.withLock { box in
            defer { box = nil }
            return box
        }
        await runtime?.close()
    }

    func reconciler(inputExamples: (any InputExampleSource)? = nil) throws -> AliasReconciler {
        AliasReconciler(
            registry: client, runtime: try runtime(), configuration: configuration,
            readiness: ServingReadinessChecker(transport: CurlTransport(), policy: configuration.readiness),
            inputExamples: inputExamples, observer: observer)
    }

    /// Registers the model with `count` versions (their source is never loaded by the stand-in).
    func registerVersions(_ count: Int) async throws {
        let experimentID = try await client.createExperiment(name: model, artifactLocation: nil, tags: [])
        _ = try await client.createRegisteredModel(name: model, description: nil, tags: [])
        for _ in 0..<count {
            let run = try await client.createRun(experimentID: experimentID)
            _ = try await client.createModelVersion(
                name: model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil,
                tags: [], modelID: nil)
        }
    }

    func setAlias(_ alias: String = "Production", to version: Int) async throws {
        try await client.setRegisteredModelAlias(name: model, alias: alias, version: "\(version)")
    }

    func setBehaviour(_ behaviour: [String: String]) throws {
        try JSONSerialization.data(withJSONObject: behaviour).write(to: behaviourFile)
    }

    /// The version that answers `POST /invocations` at `endpoint`.
    static func servedVersion(at endpoint: String) async throws -> String {
        let body = Data(#"{"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}"#.utf8)
        let response = try await CurlTransport().send(
            TransportRequest(
                method: .post, url: URL(string: endpoint)!.appendingPathComponent("invocations"),
                headers: ["Content-Type": "application/json"], body: .bytes(body), timeout: .seconds(5)))
        guard response.status == 200,
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let version = object["version"] as? String
        else { throw HarnessError("POST /invocations answered \(response.status): \(response.bodyText)") }
        return version
    }

    /// Runs `body`, then removes everything the test started, whether `body` threw or not.
    func use(_ body: (ReconcilerHarness) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    func cleanUp() async {
        if let runtime = try? runtime(), let instances = try? await runtime.instances(matching: [ServingLabels.model: model]) {
            for instance in instances { try? await runtime.remove(instance.id) }
        }
        await closeRuntime()
        try? await client.deleteRegisteredModel(name: model)
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Records what the reconciler reports.
final class RecordingObserver: AutoserveObserver {
    struct Rollout: Sendable {
        var version: String
        var succeeded: Bool
        var propagation: Duration?
    }

    private let state = Mutex<(decisions: [AutoserveDecision], rollouts: [Rollout], restarts: Int, failedSyncs: Int)>(([], [], 0, 0))

    var decisions: [AutoserveDecision] { state.withLock { $0.decisions } }
    var rollouts: [Rollout] { state.withLock { $0.rollouts } }
    var restarts: Int { state.withLock { $0.restarts } }
    var failedSyncs: Int { state.withLock { $0.failedSyncs } }

    func reset() { state.withLock { $0 = ([], [], 0, 0) } }

    func decided(_ decision: AutoserveDecision) { state.withLock { $0.decisions.append(decision) } }

    func rolloutFinished(key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?) {
        state.withLock { $0.rollouts.append(Rollout(version: version, succeeded: succeeded, propagation: propagation)) }
    }

    func instanceRestarted(key: ServingKey, version: String) { state.withLock { $0.restarts += 1 } }

    func reconcileFinished(duration: Duration, error: (any Error)?) {
        if error != nil { state.withLock { $0.failedSyncs += 1 } }
    }
}

/// Polls until `condition` holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(30), _ what: String, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw HarnessError("timed out after \(timeout) waiting for: \(what)")
}
