import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The model file cache of per-version images: a directory private to the agent's user, configurable,
/// out of the shared temporary directory; and the configuration errors of the runtime factory reported.
@Suite struct ModelFileCacheTests {
    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func aMissingDirectoryIsCreatedPrivate() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("state/mlopskit/model-files").path
        try PrivateDirectory.prepare(path)
        #expect(try mode(path) == 0o700)
        try PrivateDirectory.prepare(path)  // and accepted as it is the next time
    }

    @Test func aDirectoryOthersMayWriteInIsRefusedByName() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("shared").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(chmod(path, 0o777) == 0)
        #expect(throws: PrivateDirectoryError.writableByOthers(path: path, mode: 0o777)) {
            try PrivateDirectory.prepare(path)
        }
        #expect(chmod(path, 0o770) == 0)
        let error = #expect(throws: PrivateDirectoryError.self) { try PrivateDirectory.prepare(path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("writable by its group") == true)
        #expect(chmod(path, 0o750) == 0)
        try PrivateDirectory.prepare(path)
    }

    @Test func aFileOrASymbolicLinkIsRefused() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("file").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        #expect(throws: PrivateDirectoryError.notADirectory(path: file)) { try PrivateDirectory.prepare(file) }
        // A link to a private directory is still refused: its target could be swapped.
        let target = root.appendingPathComponent("target").path
        try PrivateDirectory.prepare(target)
        let link = root.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: PrivateDirectoryError.notADirectory(path: link)) { try PrivateDirectory.prepare(link) }
    }

    /// Only root can give a directory away to test this.
    @Test(.enabled(if: geteuid() == 0, "needs root to chown a directory to another user"))
    func aDirectoryOfAnotherUserIsRefused() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("theirs").path
        try PrivateDirectory.prepare(path)
        #expect(chown(path, 65534, 65534) == 0)
        #expect(throws: PrivateDirectoryError.ownedByAnotherUser(path: path, owner: 65534, user: 0)) {
            try PrivateDirectory.prepare(path)
        }
    }

    @Test func theDefaultIsAStateDirectoryNotTheTemporaryDirectory() {
        let path = RegistryModelFiles.defaultDirectory
        #expect(path.hasSuffix("mlopskit/model-files") || path == ".mlopskit-model-files")
        #expect(!path.hasPrefix("/tmp/"))
        #expect(!path.hasPrefix(FileManager.default.temporaryDirectory.path))
    }

    private func loaded(_ environment: [String: String]) throws -> (MLOpsConfiguration, AutoserveAgentSettings) {
        let resolved = ConfigurationLoader.resolve(environment: environment, dotEnv: nil)
        let configuration = try MLOpsConfiguration(resolved: resolved)
        return (configuration, try AutoserveAgentSettings(resolved: resolved, exporterPort: configuration.exporterPort))
    }

    private var client: MLflowClient {
        MLflowClient(configuration: .init(trackingURI: URL(string: "http://127.0.0.1:1")!), transport: MockTransport())
    }

    @Test func theFactoryUsesTheConfiguredDirectoryAndMakesItPrivate() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = root.appendingPathComponent("cache").path
        let (configuration, settings) = try loaded(["MLFLOW_SERVE_MODEL_CACHE_DIR": cache])
        #expect(settings.modelCacheDirectory == cache)
        let files = try ServingRuntimeFactory.makeModelFiles(
            settings: settings, configuration: configuration, client: client, environment: [:], transport: nil)
        #expect(files.directory.path == cache)
        #expect(try mode(cache) == 0o700)

        #expect(chmod(cache, 0o777) == 0)
        #expect(throws: PrivateDirectoryError.writableByOthers(path: cache, mode: 0o777)) {
            try ServingRuntimeFactory.makeModelFiles(
                settings: settings, configuration: configuration, client: client, environment: [:], transport: nil)
        }
    }

    /// A misconfigured S3 endpoint was dropped (`try?`), leaving per-version builds to fail later with a
    /// vaguer error; it is now the error of opening the runtime.
    @Test func aBadS3EndpointIsReportedNotDropped() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let (configuration, settings) = try loaded([
            "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000/?x=1",
            "MLFLOW_SERVE_MODEL_CACHE_DIR": root.appendingPathComponent("cache").path,
        ])
        let error = #expect(throws: S3EndpointError.self) {
            try ServingRuntimeFactory.makeModelFiles(
                settings: settings, configuration: configuration, client: client, environment: [:], transport: nil)
        }
        #expect(error?.variable == "MLFLOW_S3_ENDPOINT_URL")
    }
}
