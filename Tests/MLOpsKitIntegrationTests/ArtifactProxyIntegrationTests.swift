import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Run artifacts through the tracking server's artifact proxy, checked byte for byte against the Python
/// mlflow client in both directions.
@Suite("Artifacts through the MLflow artifact proxy", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct ArtifactProxyIntegrationTests {
    private func makeTree() throws -> (URL, [String: Data]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-tree-\(UUID().uuidString.prefix(8))")
        let files: [String: Data] = [
            "model/MLmodel": Data("flavors: {}\n".utf8),
            "model/weights b+ü.bin": randomBytes(2_500_000),
            "metrics/validation_metrics.json": Data(#"{"accuracy": 0.97}"#.utf8),
        ]
        for (path, data) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return (root, files)
    }

    private func store(for runID: String, client: MLflowClient) async throws -> any ArtifactStore {
        let run = try await client.getRun(id: runID)
        return try ArtifactStores.store(forArtifactURI: try #require(run.info.artifactURI), client: client)
    }

    @Test func pythonDownloadsWhatSwiftUploaded() async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("art-swift"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID)
        let (tree, files) = try makeTree()
        let store = try await store(for: run.info.runID, client: client)
        #expect(store is MLflowProxyArtifactStore)
        let summary = try await store.upload(tree, to: "bundle", contentsOnly: true)
        #expect(summary.files.count == files.count)

        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-py-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        _ = try await IntegrationEnvironment.python(["download-artifacts", run.info.runID, "bundle", destination.path], trackingURI: uri)
        for (path, data) in files {
            #expect(try Data(contentsOf: destination.appendingPathComponent("bundle/" + path)) == data, "\(path)")
        }
    }

    @Test func swiftDownloadsWhatPythonLogged() async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("art-python"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID)
        let (tree, files) = try makeTree()
        _ = try await IntegrationEnvironment.python(["log-artifacts", run.info.runID, tree.path, "data_contract"], trackingURI: uri)

        let store = try await store(for: run.info.runID, client: client)
        let listed = try await store.listFiles()
        #expect(Set(listed.map(\.path)) == Set(files.keys.map { "data_contract/" + $0 }))
        #expect(listed.first { $0.path.hasSuffix(".bin") }?.size == 2_500_000)

        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-sw-\(UUID().uuidString.prefix(8))")
        try await store.download("data_contract", into: destination, concurrency: 3)
        for (path, data) in files {
            #expect(try Data(contentsOf: destination.appendingPathComponent(path)) == data, "\(path)")
        }
        let missing = await #expect(throws: ArtifactError.self) {
            try await store.download("data_contract/absent.txt", into: destination)
        }
        #expect(missing?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: destination.appendingPathComponent("absent.txt").path))
    }
}
