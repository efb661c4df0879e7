import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The alias reconciler on the Docker runtime when the Docker daemon itself goes away and comes back:
/// nothing is created or replaced, the key is reported `Degraded` while the Engine is down, and the
/// same container serves again afterwards. A daemon of the test's own (busybox httpd as the model
/// server), so the shared test Engine is left alone.
@Suite(.enabled(if: DockerTestEnvironment.enabled && IntegrationEnvironment.mlflowEnabled), .timeLimit(.minutes(5)))
struct DockerReconcilerTests {
    @Test func aDaemonRestartIsRiddenOutAndTheContainerAdopted() async throws {
        let directory = URL(fileURLWithPath: "/tmp/mlopskit-dr-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let harness = try ReconcilerHarness()
        do {
            let host = try DockerHost(parsing: try await DockerTestEnvironment.script("docker-up", directory: directory))
            var configuration = DockerServingConfiguration(mode: .image(DockerTestEnvironment.image), network: "host")
            configuration.commandTemplate = [
                "sh", "-c", "echo serving {model_uri}; echo ok > /www/ping; exec httpd -f -p {host}:{port} -h /www",
            ]
            configuration.removeGrace = .seconds(1)  // restart policy: `always`, as the original
            let runtime = DockerServingRuntime(client: DockerEngineClient(configuration: .init(host: host)), configuration: configuration)
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            let reconciler = AliasReconciler(
                registry: harness.client, runtime: runtime, configuration: harness.configuration,
                readiness: ServingReadinessChecker(transport: CurlTransport(), policy: harness.configuration.readiness),
                observer: harness.observer)
            let running = Task { await reconciler.run() }
            defer { running.cancel() }
            try await eventually("ready on Docker") { await reconciler.statuses().first?.state == .ready }
            let before = try #require(try await runtime.instances(matching: [ServingLabels.model: harness.model]).first)
            harness.observer.reset()

            try await DockerTestEnvironment.script("docker-down", directory: directory)
            try await eventually("the runtime outage is reported") {
                await reconciler.statuses().first?.reason == "RuntimeUnavailable"
            }
            #expect(await reconciler.statuses().first?.state == .degraded)

            _ = try await DockerTestEnvironment.script("docker-up", directory: directory, keepData: true)
            try await eventually(timeout: .seconds(60), "ready again after the daemon restart") {
                guard await reconciler.statuses().first?.state == .ready else { return false }
                return try await runtime.inspect(before.id).state.isRunning
            }
            let after = try await runtime.instances(matching: [ServingLabels.model: harness.model])
            #expect(after.map(\.id) == [before.id], "the same container, adopted")
            let endpoint = try #require(after.first?.endpoint)
            #expect(await DockerTestEnvironment.waitForOK(endpoint.appendingPathComponent("ping")) == 200)
            let actions = harness.observer.decisions.map(\.action)
            #expect(!actions.contains(.create) && !actions.contains(.replace), "decisions: \(harness.observer.decisions)")

            running.cancel()
        } catch {
            _ = try? await DockerTestEnvironment.script("docker-down", directory: directory)
            await harness.cleanUp()
            throw error
        }
        _ = try? await DockerTestEnvironment.script("docker-down", directory: directory)
        await harness.cleanUp()
    }
}
