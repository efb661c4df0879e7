import Foundation
import MLOpsKitTestSupport
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The whole chain with a real model: the Python client registers scikit-learn models in a real
/// `mlflow server`, the alias reconciler serves them through the process runtime with the real
/// `mlflow models serve` (readiness includes the model's own `serving_input_example.json`), and moving
/// the alias switches what answers, make-before-break, with no failed prediction.
@Suite(.enabled(if: IntegrationEnvironment.mlflowEnabled), .timeLimit(.minutes(8)))
struct AutoserveMLflowServeTests {
    struct LoggedModel: Decodable {
        var version: String
        var columns: [String]
        var data: [[Double]]
        var predictions: [Int]
    }

    struct Predictions: Decodable {
        var predictions: [Int]
    }

    static func predict(_ model: LoggedModel, at endpoint: String) async throws -> [Int] {
        let body = try JSONSerialization.data(withJSONObject: [
            "dataframe_split": ["columns": model.columns, "data": model.data]
        ])
        let response = try await CurlTransport().send(
            TransportRequest(
                method: .post, url: URL(string: endpoint)!.appendingPathComponent("invocations"),
                headers: ["Content-Type": "application/json"], body: .bytes(body), timeout: .seconds(30)))
        guard response.status == 200 else { throw HarnessError("HTTP \(response.status): \(response.bodyText)") }
        return try JSONDecoder().decode(Predictions.self, from: response.body).predictions
    }

    @Test func throughTheProcessRuntime() async throws {
        let venvBin = IntegrationEnvironment.servicesVenv.appendingPathComponent("bin").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-serving-\(UUID().uuidString.prefix(8))")
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let runtime = try ProcessServingRuntime(
            configuration: ProcessServingConfiguration(
                stateDirectory: directory.path, executable: "\(venvBin)/mlflow",
                environment: ["PATH": "\(venvBin):\(path)"]))
        try await movingTheAliasSwitchesTheServedModelWithNoFailedPrediction(runtime: runtime)
        await runtime.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Docker with the original's generic-image command (`mlflow models serve -m models:/<model>/<version>
    /// … --env-manager local`) in a minimal local image: the busybox test image with the host's Python
    /// environment mounted read-only at the same paths, on the host network.
    @Test(.enabled(if: DockerTestEnvironment.enabled)) func throughDocker() async throws {
        let venv = IntegrationEnvironment.servicesVenv.path
        let basePrefix = try await Self.pythonBasePrefix()
        var mounts = [venv, basePrefix, "/usr", "/lib", "/lib64"].filter { FileManager.default.fileExists(atPath: $0) }
        mounts = Array(Set(mounts)).sorted()
        var configuration = DockerServingConfiguration(mode: .image(DockerTestEnvironment.image), network: "host")
        configuration.envManager = "local"
        configuration.restartPolicy = .no
        configuration.removeGrace = .seconds(2)
        configuration.mounts = mounts.map { DockerServingConfiguration.ReadOnlyMount(hostPath: $0, containerPath: $0) }
        configuration.environment = ["PATH": "\(venv)/bin:/usr/bin:/bin", "HOME": "/tmp", "USER": "root", "LOGNAME": "root"]
        let runtime = DockerServingRuntime(client: try DockerTestEnvironment.client(), configuration: configuration)
        try await movingTheAliasSwitchesTheServedModelWithNoFailedPrediction(runtime: runtime)
    }

    /// The original's default `docker-image` mode: for each version the agent builds an image
    /// `mlflow-model-<model>-v<version>` through the Engine's build endpoint, from the version's files
    /// downloaded from the registry (`RegistryModelFiles`) on top of a base image, and runs
    /// `mlflow models serve -m /opt/ml/model … --env-manager local` in it. The base image is the busybox
    /// test image with the host's Python mounted read-only.
    @Test(.enabled(if: DockerTestEnvironment.enabled)) func throughDockerPerVersionImages() async throws {
        let venv = IntegrationEnvironment.servicesVenv.path
        let basePrefix = try await Self.pythonBasePrefix()
        let mounts = Array(Set([venv, basePrefix, "/usr", "/lib", "/lib64"].filter { FileManager.default.fileExists(atPath: $0) })).sorted()
        var configuration = DockerServingConfiguration(mode: .perVersionImage(baseImage: DockerTestEnvironment.image), network: "host")
        configuration.restartPolicy = .no
        configuration.removeGrace = .seconds(2)
        configuration.mounts = mounts.map { DockerServingConfiguration.ReadOnlyMount(hostPath: $0, containerPath: $0) }
        configuration.environment = ["PATH": "\(venv)/bin:/usr/bin:/bin", "HOME": "/tmp", "USER": "root", "LOGNAME": "root"]
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-model-files-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: files) }
        let client = try IntegrationEnvironment.mlflowClient()
        let runtime = DockerServingRuntime(
            client: try DockerTestEnvironment.client(), configuration: configuration,
            modelFiles: RegistryModelFiles(client: client, directory: files))
        let images = Mutex<Set<String>>([])
        try await movingTheAliasSwitchesTheServedModelWithNoFailedPrediction(runtime: runtime) { model, version in
            images.withLock { _ = $0.insert(ServingNames.image(model: model, version: version)) }
        }
        // One image per version, built here from the registry's files.
        let docker = try DockerTestEnvironment.client()
        for image in images.withLock({ $0 }) {
            #expect(try await docker.imageExists(image), "image \(image)")
            try? await docker.removeImage(image, force: true)
        }
    }

    /// Where the services venv's Python is installed (its `sys.base_prefix`).
    static func pythonBasePrefix() async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-prefix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = IntegrationEnvironment.servicesVenv.appendingPathComponent("bin/python")
        process.arguments = ["-c", "import sys, os; open(sys.argv[1], 'w').write(os.path.realpath(sys.base_prefix))", output.path]
        try await process.runUntilExit()
        return try String(contentsOf: output, encoding: .utf8)
    }

    func movingTheAliasSwitchesTheServedModelWithNoFailedPrediction(
        runtime: some ServingRuntime, served: (_ model: String, _ version: String) -> Void = { _, _ in }
    ) async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let model = IntegrationEnvironment.uniqueName("autoserve-iris")
        let first = try JSONDecoder().decode(
            LoggedModel.self,
            from: try await IntegrationEnvironment.python(["log-iris-model", model, "Production"], trackingURI: uri))

        let configuration = AutoserveConfiguration(
            aliases: ["Production"], modelFilter: "name = '\(model)'",
            readiness: ReadinessPolicy(timeout: .seconds(240), interval: .milliseconds(250)),
            drainGrace: .seconds(1), environment: ["MLFLOW_TRACKING_URI": uri.absoluteString], configHash: "e2e")
        let reconciler = AliasReconciler(
            registry: client, runtime: runtime, configuration: configuration,
            readiness: ServingReadinessChecker(transport: CurlTransport(), policy: configuration.readiness),
            inputExamples: RegistryInputExamples(client: client))
        do {
            let ready = try #require(await reconciler.reconcileOnce().first)
            #expect(ready.state == .ready, "\(ready.reason ?? ""): \(ready.message ?? "")")
            #expect(ready.servingVersion == first.version)
            let endpoint = try #require(ready.endpoint)
            #expect(try await Self.predict(first, at: endpoint) == first.predictions)

            // Predictions go on, each to the endpoint the reconciler reports at that moment, while the
            // alias moves to a model that predicts differently.
            let outcomes = Mutex<(answers: [[Int]], failures: [String])>(([], []))
            let prober = Task {
                while !Task.isCancelled {
                    if let endpoint = await reconciler.statuses().first?.endpoint {
                        do {
                            let answer = try await Self.predict(first, at: endpoint)
                            outcomes.withLock { $0.answers.append(answer) }
                        } catch where !Task.isCancelled {
                            outcomes.withLock { $0.failures.append("\(error)") }
                        } catch {
                            break  // the prober itself was stopped mid-request
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            let second = try JSONDecoder().decode(
                LoggedModel.self,
                from: try await IntegrationEnvironment.python(["log-iris-model", model, "Production", "constant"], trackingURI: uri))
            #expect(second.predictions != first.predictions, "the two models must be told apart")
            let switched = try #require(await reconciler.reconcileOnce().first)
            try await Task.sleep(for: .milliseconds(500))
            prober.cancel()
            _ = await prober.value

            #expect(switched.state == .ready, "\(switched.reason ?? ""): \(switched.message ?? "")")
            #expect(switched.servingVersion == second.version)
            served(model, first.version)
            served(model, second.version)
            #expect(try await Self.predict(second, at: try #require(switched.endpoint)) == second.predictions)
            let (answers, failures) = outcomes.withLock { ($0.answers, $0.failures) }
            #expect(failures.isEmpty, "failed predictions during the switch: \(failures.prefix(3))")
            #expect(answers.first == first.predictions)
            #expect(answers.last == second.predictions)
            let instances = try await runtime.instances(matching: [ServingLabels.model: model])
            #expect(instances.map(\.version) == [second.version])
        } catch {
            for instance in (try? await runtime.instances(matching: [ServingLabels.model: model])) ?? [] {
                try? await runtime.remove(instance.id)
            }
            throw error
        }
        for instance in try await runtime.instances(matching: [ServingLabels.model: model]) {
            try await runtime.remove(instance.id)
        }
        try? await client.deleteRegisteredModel(name: model)
    }
}
