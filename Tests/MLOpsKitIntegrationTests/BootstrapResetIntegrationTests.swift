import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The MLflow reset of ``Bootstrap`` against an `mlflow server` of the test's own (it deletes every
/// experiment, so it must not touch the shared one): every experiment but Default is soft-deleted,
/// and restorable.
@Suite(.enabled(if: IntegrationEnvironment.mlflowEnabled), .timeLimit(.minutes(3)))
struct BootstrapResetIntegrationTests {
    @Test func resetSoftDeletesEveryExperimentButDefault() async throws {
        let server = try MLflowServerProcess()
        try await server.start()
        defer { server.stop() }
        let client = try IntegrationEnvironment.mlflowClient(uri: server.url)
        let first = try await client.createExperiment(name: "iris", artifactLocation: nil, tags: [])
        _ = try await client.createExperiment(name: "wine", artifactLocation: nil, tags: [])

        var plan = Bootstrap.Plan()
        plan.resetMLflow = true
        plan.dags = []
        let bootstrap = Bootstrap(
            tracking: client,
            orchestrator: AirflowClient(configuration: .init(baseURL: URL(string: "http://127.0.0.1:1")!, username: "a", password: "b")),
            checks: [HealthCheck(name: "MLflow", baseURL: server.url, probe: .mlflow)])
        let report = await bootstrap.run(plan)
        #expect(report.succeeded, "\(report.steps)")
        #expect(report.steps.map(\.name) == ["wait for services", "reset MLflow"])
        #expect(report.steps[1].detail.hasPrefix("deleted 2 experiments (restorable): "))
        #expect(report.steps[1].detail.contains("iris") && report.steps[1].detail.contains("wine"))

        let active = try await client.allExperiments().collect().map(\.name)
        #expect(active == ["Default"])
        let deleted = try await client.allExperiments(viewType: .deletedOnly).collect().map(\.name)
        #expect(Set(deleted) == ["iris", "wine"])
        try await client.restoreExperiment(id: first)
        #expect(try await client.getExperiment(id: first).name == "iris")

        // Run again: nothing left to delete, still a success.
        try await client.deleteExperiment(id: first)
        let again = await bootstrap.run(plan)
        #expect(again.steps[1].detail == "no experiments but Default")
    }
}
