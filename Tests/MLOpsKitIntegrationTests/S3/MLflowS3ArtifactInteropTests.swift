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

/// Run artifacts in S3, checked byte for byte against the Python mlflow client in both directions: an
/// `mlflow server` of its own whose proxied artifacts live in a SeaweedFS bucket, with one experiment
/// whose artifact location is `s3://` directly (as the original stack's MinIO setup has it) and one
/// through the `mlflow-artifacts:` proxy.
@Suite(
    .enabled(if: IntegrationEnvironment.mlflowEnabled && S3TestServers.enabled), .serialized,
    .timeLimit(.minutes(5)))
struct MLflowS3ArtifactInteropTests {
    static let files: [String: Data] = [
        "model/MLmodel": Data("artifact_path: model\nflavors: {}\n".utf8),
        "model/model weights+ü.bin": randomBytes(9_000_000),
        "metrics/validation_metrics.json": Data(#"{"accuracy": 0.97}"#.utf8),
        "data_contract/schema.json": Data(#"{"features": ["sepal_length"]}"#.utf8),
    ]

    @Test func artifactsRoundTripThroughS3DirectlyAndThroughTheProxy() async throws {
        let s3 = try S3TestServers.server(named: "seaweedfs")
        try await S3TestServers.withBucket(on: s3) { (s3Client: S3Client, bucket: String) async throws in
            // The variables MLflow's Python client and server read, as the original stack sets them.
            let environment = [
                "MLFLOW_S3_ENDPOINT_URL": s3.endpointURL.absoluteString, "AWS_ACCESS_KEY_ID": s3.accessKeyID,
                "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey, "AWS_DEFAULT_REGION": s3.region,
            ]
            let server = try MLflowServerProcess(artifactsDestination: "s3://\(bucket)/proxied", environment: environment)
            try await server.start()
            defer { server.stop() }
            let client = try IntegrationEnvironment.mlflowClient(uri: server.url)
            let tree = try Self.writeTree()
            defer { try? FileManager.default.removeItem(at: tree.deletingLastPathComponent()) }

            let direct = try await client.createExperiment(
                name: "s3-direct", artifactLocation: "s3://\(bucket)/direct", tags: [])
            let proxied = try await client.createExperiment(name: "s3-proxied", artifactLocation: nil, tags: [])
            for (experimentID, expectedScheme) in [(direct, "s3://"), (proxied, "mlflow-artifacts:")] {
                // Python logs, MLOpsKit downloads.
                let pythonRun = try await client.createRun(experimentID: experimentID)
                _ = try await IntegrationEnvironment.python(
                    ["log-artifacts", pythonRun.info.runID, tree.path, "logged"], trackingURI: server.url,
                    environment: environment)
                let store = try await Self.store(runID: pythonRun.info.runID, client: client, s3Client: s3Client)
                #expect(try #require(try await client.getRun(id: pythonRun.info.runID).info.artifactURI).hasPrefix(expectedScheme))
                let listed = try await store.listFiles()
                #expect(Set(listed.map(\.path)) == Set(Self.files.keys.map { "logged/" + $0 }))
                let into = tree.deletingLastPathComponent().appendingPathComponent("swift-\(experimentID)")
                try await store.download("logged", into: into)
                for (path, data) in Self.files {
                    #expect(try Data(contentsOf: into.appendingPathComponent(path)) == data, "\(expectedScheme) \(path)")
                }

                // MLOpsKit uploads, Python downloads.
                let swiftRun = try await client.createRun(experimentID: experimentID)
                let swiftStore = try await Self.store(runID: swiftRun.info.runID, client: client, s3Client: s3Client)
                try await swiftStore.upload(tree, to: "uploaded", contentsOnly: true)
                let back = tree.deletingLastPathComponent().appendingPathComponent("python-\(experimentID)")
                try FileManager.default.createDirectory(at: back, withIntermediateDirectories: true)
                _ = try await IntegrationEnvironment.python(
                    ["download-artifacts", swiftRun.info.runID, "uploaded", back.path], trackingURI: server.url,
                    environment: environment)
                for (path, data) in Self.files {
                    #expect(try Data(contentsOf: back.appendingPathComponent("uploaded/" + path)) == data, "\(expectedScheme) \(path)")
                }
            }
            // Both paths put the bytes in the bucket: directly, and by the server's proxy.
            let keys = try await s3Client.listObjects(bucket: bucket).collect().map(\.key)
            #expect(keys.contains { $0.hasPrefix("direct/") && $0.hasSuffix("model/MLmodel") })
            #expect(keys.contains { $0.hasPrefix("proxied/") && $0.hasSuffix("model/MLmodel") })
        }
    }

    static func store(runID: String, client: MLflowClient, s3Client: S3Client) async throws -> any ArtifactStore {
        let run = try await client.getRun(id: runID)
        return try ArtifactStores.store(
            forArtifactURI: try #require(run.info.artifactURI), client: client, s3Client: s3Client)
    }

    static func writeTree() throws -> URL {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlopskit-s3-interop-\(UUID().uuidString.prefix(8))/tree")
        for (path, data) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return root
    }
}
