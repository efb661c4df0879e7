import Foundation
import MLOpsKit
import Testing

/// The Docker runtime's harness for the conformance suite: containers of the local busybox test image on
/// the host network, each on a free 127.0.0.1 port, where busybox httpd stands in for
/// `mlflow models serve`. The daemon is shared, so every runtime labels its containers with a run ID of
/// its own and cleans up only those.
struct DockerRuntimeHarness: ServingRuntimeHarness {
    let run = UUID().uuidString.lowercased()

    func makeRuntime() async throws -> DockerServingRuntime {
        var configuration = DockerServingConfiguration(mode: .image(DockerTestEnvironment.image), network: "host")
        configuration.restartPolicy = .no
        configuration.commandTemplate = [
            "sh", "-c",
            "echo serving {model_uri} on {port}; echo ok > /www/ping; exec httpd -f -p {host}:{port} -h /www",
        ]
        configuration.removeGrace = .seconds(2)
        let client = try DockerTestEnvironment.client()
        return DockerServingRuntime(client: client, configuration: configuration)
    }

    /// Docker keeps no state in the runtime object: a new one on the same Engine is an agent restarted.
    func reopen(_ runtime: DockerServingRuntime) async throws -> DockerServingRuntime {
        try await makeRuntime()
    }

    func makeSpec(
        key: ServingKey, version: String, name: String?, extraLabels: [String: String], configHash: String
    ) -> ServingSpec {
        var labels = extraLabels
        labels[DockerTestEnvironment.testLabel] = run
        return ServingSpec(key: key, version: version, name: name, extraLabels: labels, configHash: configHash)
    }

    func logMarker(for spec: ServingSpec) -> String {
        "serving \(spec.versionModelURI) on "
    }

    func killFromOutside(_ instance: ServingInstance, runtime: DockerServingRuntime) async throws {
        #expect(try await DockerTestEnvironment.dockerCLI(["kill", "--signal", "KILL", instance.id]) == 0)
    }

    func cleanUp(_ runtime: DockerServingRuntime) async {
        if let client = try? DockerTestEnvironment.client() {
            await DockerTestEnvironment.removeContainers(run: run, client: client)
        }
    }

    var readyDeadline: Duration { .seconds(60) }
}

@Suite("ServingRuntime conformance: DockerServingRuntime", .enabled(if: DockerTestEnvironment.enabled))
struct DockerServingRuntimeConformanceTests {
    @Test(arguments: ServingRuntimeConformance.Scenario.allCases)
    func conformance(_ scenario: ServingRuntimeConformance.Scenario) async throws {
        try await ServingRuntimeConformance.run(scenario, with: DockerRuntimeHarness())
    }
}
