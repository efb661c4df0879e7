import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("Artifact paths and stores")
struct ArtifactStoreTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-art-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func pathsAreNormalisedAndKeptInsideTheRoot() throws {
        #expect(try ArtifactPath.normalised("a//b/./c/") == "a/b/c")
        #expect(try ArtifactPath.normalised("") == "")
        #expect(throws: ArtifactError.self) { try ArtifactPath.normalised("../etc/passwd") }
        #expect(throws: ArtifactError.self) { try ArtifactPath.normalised("a/../../b") }
        #expect(throws: ArtifactError.self) { try ArtifactPath.normalised("/etc/passwd") }
        #expect(ArtifactPath.percentEncoded("dir/a b+cü.txt") == "dir/a%20b%2Bc%C3%BC.txt")
    }

    @Test func storesAreChosenFromTheArtifactURI() throws {
        let client = MLflowClient(
            configuration: .init(trackingURI: URL(string: "http://127.0.0.1:5000")!), transport: CurlTransport())
        let proxied = try #require(ArtifactStores.store(forArtifactURI: "mlflow-artifacts:/1/abc/artifacts", client: client) as? MLflowProxyArtifactStore)
        #expect(proxied.root == "1/abc/artifacts")
        let withAuthority = try #require(
            ArtifactStores.store(forArtifactURI: "mlflow-artifacts://mlflow:5000/2/def/artifacts", client: client) as? MLflowProxyArtifactStore)
        #expect(withAuthority.root == "2/def/artifacts")
        let local = try #require(ArtifactStores.store(forArtifactURI: "file:///tmp/mlruns/1/abc/artifacts", client: client) as? LocalArtifactStore)
        #expect(local.root.path == "/tmp/mlruns/1/abc/artifacts")
        let unsupported = #expect(throws: ArtifactError.self) {
            _ = try ArtifactStores.store(forArtifactURI: "gs://bucket/path", client: client)
        }
        #expect(unsupported?.code == .unsupportedStore)
    }

    @Test func localStoreRoundTripsATree() async throws {
        let source = try temporaryDirectory()
        try FileManager.default.createDirectory(at: source.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
        let files = ["a.txt": Data("hello".utf8), "sub/b c+ü.bin": Data((0..<70_000).map { UInt8($0 % 256) }),
                     "sub/deeper/c.json": Data("{}".utf8)]
        for (path, data) in files { try data.write(to: source.appendingPathComponent(path)) }
        let store = LocalArtifactStore(root: try temporaryDirectory())

        let progressCount = ProgressCounter()
        let uploaded = try await store.upload(source, to: "data", contentsOnly: true, concurrency: 2) { _ in progressCount.increment() }
        #expect(uploaded.files == ["data/a.txt", "data/sub/b c+ü.bin", "data/sub/deeper/c.json"])
        #expect(uploaded.bytes == Int64(files.values.reduce(0) { $0 + $1.count }))
        #expect(progressCount.value == 3)

        #expect(try await store.list("data").map(\.path) == ["data/a.txt", "data/sub"])
        #expect(try await store.listFiles().count == 3)

        let destination = try temporaryDirectory()
        try await store.download("data", into: destination)
        for (path, data) in files {
            #expect(try Data(contentsOf: destination.appendingPathComponent(path)) == data)
        }
        let single = try temporaryDirectory()
        let summary = try await store.download("data/sub/b c+ü.bin", into: single)
        #expect(summary.bytes == 70_000)
        #expect(try Data(contentsOf: single.appendingPathComponent("b c+ü.bin")) == files["sub/b c+ü.bin"])

        let missing = await #expect(throws: ArtifactError.self) { try await store.download("nope", into: single) }
        #expect(missing?.code == .notFound)
        await #expect(throws: ArtifactError.self) { try await store.download("../outside", into: single) }
    }

    final class ProgressCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
