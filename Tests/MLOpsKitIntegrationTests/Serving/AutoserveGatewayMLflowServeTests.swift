import AutoserveServer
import Foundation
import MLOpsKitTestSupport
import Synchronization
import Testing

@testable import MLOpsAutoserve
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing

/// The gateway in front of real `mlflow models serve` instances (scikit-learn models logged by the
/// Python client): 100 requests a second over eight keep-alive connections to
/// `/models/{model}/Production/invocations` while the alias moves again and again, and not one fails.
@Suite(.enabled(if: IntegrationEnvironment.mlflowEnabled), .timeLimit(.minutes(10)), .serialized)
struct AutoserveGatewayMLflowServeTests {
    typealias Logged = AutoserveMLflowServeTests.LoggedModel

    /// What one client saw.
    struct Outcome: Sendable {
        var answers = 0
        var failures: [String] = []
        var predictions: Set<[Int]> = []
    }

    final class Tally: Sendable {
        let outcome = Mutex(Outcome())
    }

    /// Eight clients posting `body` to `url`, about 100 requests a second together, until cancelled.
    static func load(url: URL, body: Data, tally: Tally) -> Task<Void, Never> {
        Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let transport = CurlTransport()
                        var next = ContinuousClock.now
                        while !Task.isCancelled {
                            let request = TransportRequest(
                                method: .post, url: url, headers: ["Content-Type": "application/json"], body: .bytes(body),
                                timeout: .seconds(60))
                            do {
                                let response = try await transport.send(request)
                                let predictions = try? JSONDecoder().decode(AutoserveMLflowServeTests.Predictions.self, from: response.body)
                                tally.outcome.withLock { outcome in
                                    outcome.answers += 1
                                    if response.status != 200 { outcome.failures.append("HTTP \(response.status): \(response.bodyText.prefix(200))") }
                                    if let predictions { outcome.predictions.insert(predictions.predictions) }
                                }
                            } catch where !Task.isCancelled {
                                tally.outcome.withLock { $0.failures.append("\(error)") }
                            } catch {
                                break
                            }
                            next += .milliseconds(80)
                            try? await Task.sleep(until: next)
                        }
                    }
                }
            }
        }
    }

    func noFailedRequestThroughTheGateway(runtime: some ServingRuntime, moves: Int) async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let model = IntegrationEnvironment.uniqueName("gateway-iris")
        let first = try JSONDecoder().decode(
            Logged.self, from: try await IntegrationEnvironment.python(["log-iris-model", model, "Production"], trackingURI: uri))
        let second = try JSONDecoder().decode(
            Logged.self,
            from: try await IntegrationEnvironment.python(["log-iris-model", model, "Staging", "constant"], trackingURI: uri))
        #expect(second.predictions != first.predictions, "the two models must be told apart")
        // More versions, alternately of the two models (same sources): each move starts a new instance.
        var versions: [String] = []
        for index in 0..<moves {
            let source = try await client.getModelVersion(name: model, version: index.isMultiple(of: 2) ? second.version : first.version)
            let created = try await client.createModelVersion(
                name: model, source: source.source ?? "", runID: source.runID, description: nil, tags: [], modelID: source.modelID ?? source.source.flatMap { $0.hasPrefix("models:/m-") ? String($0.dropFirst("models:/".count)) : nil })
            versions.append(created.version)
        }

        let routes = GatewayRouteTable()
        let configuration = AutoserveConfiguration(
            aliases: ["Production"], modelFilter: "name = '\(model)'",
            readiness: ReadinessPolicy(timeout: .seconds(240), interval: .milliseconds(250)),
            drainGrace: .seconds(30), environment: ["MLFLOW_TRACKING_URI": uri.absoluteString], configHash: "gateway-e2e")
        let reconciler = AliasReconciler(
            registry: client, runtime: runtime, configuration: configuration,
            readiness: ServingReadinessChecker(transport: CurlTransport(), policy: configuration.readiness),
            inputExamples: RegistryInputExamples(client: client), traffic: routes)
        let gateway = GatewayServer(configuration: .init(threads: 2), routes: routes)
        let address = try await gateway.start()
        defer { Task { await gateway.stop() } }
        do {
            let ready = try #require(await reconciler.reconcileOnce().first)
            #expect(ready.state == .ready, "\(ready.reason ?? ""): \(ready.message ?? "")")
            let body = try JSONSerialization.data(withJSONObject: ["dataframe_split": ["columns": first.columns, "data": first.data]])
            let tally = Tally()
            let load = Self.load(url: URL(string: "http://\(address)/models/\(model)/Production/invocations")!, body: body, tally: tally)
            try await Task.sleep(for: .seconds(1))
            for version in versions {
                try await client.setRegisteredModelAlias(name: model, alias: "Production", version: version)
                let switched = try #require(await reconciler.reconcileOnce().first)
                #expect(switched.state == .ready && switched.servingVersion == version, "\(switched.reason ?? ""): \(switched.message ?? "")")
            }
            try await Task.sleep(for: .seconds(1))
            load.cancel()
            _ = await load.value
            let seen = tally.outcome.withLock { $0 }
            #expect(seen.failures.isEmpty, "\(seen.failures.count) of \(seen.answers) failed: \(seen.failures.prefix(3))")
            #expect(seen.answers > moves * 20, "\(seen.answers) answers")
            #expect(seen.predictions == [first.predictions, second.predictions])
            let instances = try await runtime.instances(matching: [ServingLabels.model: model])
            #expect(instances.map(\.version) == [versions.last])
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

    @Test func throughTheProcessRuntime() async throws {
        let venvBin = IntegrationEnvironment.servicesVenv.appendingPathComponent("bin").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-gateway-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let runtime = try ProcessServingRuntime(
            configuration: ProcessServingConfiguration(
                stateDirectory: directory.path, executable: "\(venvBin)/mlflow", environment: ["PATH": "\(venvBin):\(path)"]))
        try await noFailedRequestThroughTheGateway(runtime: runtime, moves: 20)
        await runtime.close()
    }

    /// The original's generic-image command in the busybox test image with the host's Python mounted
    /// read-only, on the host network (see ``AutoserveMLflowServeTests``).
    @Test(.enabled(if: DockerTestEnvironment.enabled)) func throughDocker() async throws {
        let venv = IntegrationEnvironment.servicesVenv.path
        let basePrefix = try await AutoserveMLflowServeTests.pythonBasePrefix()
        let mounts = Array(Set([venv, basePrefix, "/usr", "/lib", "/lib64"].filter { FileManager.default.fileExists(atPath: $0) })).sorted()
        var configuration = DockerServingConfiguration(mode: .image(DockerTestEnvironment.image), network: "host")
        configuration.envManager = "local"
        configuration.restartPolicy = .no
        configuration.removeGrace = .seconds(2)
        configuration.mounts = mounts.map { DockerServingConfiguration.ReadOnlyMount(hostPath: $0, containerPath: $0) }
        configuration.environment = ["PATH": "\(venv)/bin:/usr/bin:/bin", "HOME": "/tmp", "USER": "root", "LOGNAME": "root"]
        let runtime = DockerServingRuntime(client: try DockerTestEnvironment.client(), configuration: configuration)
        try await noFailedRequestThroughTheGateway(runtime: runtime, moves: 20)
    }
}
