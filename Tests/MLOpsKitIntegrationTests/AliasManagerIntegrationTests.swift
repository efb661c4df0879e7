import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("AliasManager against a real mlflow server", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct AliasManagerIntegrationTests {
    /// A model with three versions whose runs have accuracy 0.90, 0.97 and 0.93 (and one without it).
    private func makeModel(_ client: MLflowClient) async throws -> String {
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("promote"), artifactLocation: nil, tags: [])
        let model = IntegrationEnvironment.uniqueName("iris_classifier")
        _ = try await client.createRegisteredModel(name: model, description: nil, tags: [])
        for accuracy in [0.90, 0.97, 0.93, nil] as [Double?] {
            let run = try await client.createRun(experimentID: experimentID)
            if let accuracy {
                try await client.logMetric(runID: run.info.runID, key: "accuracy", value: accuracy, timestamp: 1, step: 0)
            }
            _ = try await client.createModelVersion(
                name: model, source: "\(run.info.artifactURI ?? "")/model", runID: run.info.runID, description: nil, tags: [], modelID: nil)
        }
        return model
    }

    @Test func promoteRollbackAndStatus() async throws {
        let client = try IntegrationEnvironment.mlflowClient()
        let model = try await makeModel(client)
        let manager = AliasManager(registry: client, tracking: client)
        try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "1")

        let dryRun = try await manager.promote(model: model, alias: "Production", metric: "accuracy", dryRun: true)
        #expect(dryRun.version == "2" && !dryRun.changed)
        #expect(try await client.getModelVersion(name: model, alias: "Production").version == "1")

        let promotion = try await manager.promote(model: model, alias: "Production", metric: "accuracy")
        #expect(promotion.version == "2")
        #expect(promotion.previousVersion == "1")
        #expect(promotion.changed)
        #expect(promotion.candidates.count == 4)
        #expect(try await client.getModelVersion(name: model, alias: "Production").version == "2")

        let latest = try await manager.promote(model: model, alias: "Test", metric: "accuracy", goal: .min, candidates: .latest(3))
        #expect(latest.version == "3")  // lowest accuracy among versions 4, 3, 2 that have it

        let rollback = try await manager.rollback(model: model, alias: "Production")
        #expect(rollback.fromVersion == "2" && rollback.toVersion == "1")
        #expect(try await client.getModelVersion(name: model, alias: "Production").version == "1")

        let status = await manager.status(model: model, aliases: ["Production", "Test", "dev"])
        #expect(status["Production"] == .assigned(version: "1", runID: try await client.getModelVersion(name: model, version: "1").runID, stage: "None"))
        if case .failed(let message) = status["dev"] { #expect(message.contains("dev")) } else { Issue.record("dev should be missing") }
    }

    @Test func promoteWithoutTheMetricChangesNothing() async throws {
        let client = try IntegrationEnvironment.mlflowClient()
        let model = try await makeModel(client)
        let manager = AliasManager(registry: client, tracking: client)
        let error = await #expect(throws: AliasError.self) {
            _ = try await manager.promote(model: model, alias: "Production", metric: "f1")
        }
        #expect(error?.description.contains("'f1'") == true)
        #expect(try await client.getRegisteredModel(name: model).aliases.isEmpty)
        await #expect(throws: AliasError.self) { _ = try await manager.rollback(model: model, alias: "Production") }
    }
}
