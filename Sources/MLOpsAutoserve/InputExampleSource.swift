import MLOpsCore
import MLOpsS3
import MLOpsMLflow
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finds a model version's serving input example: the `serving_input_example.json` MLflow writes
/// beside a model logged with an `input_example`. The reconciler sends it to a new instance as a smoke
/// test before switching to it.
public protocol InputExampleSource: Sendable {
    /// The example's bytes, or `nil` when the version has none.
    func inputExample(model: String, version: String) async throws -> Data?
}

/// Reads input examples from the model version's files through the registry's download URI and the
/// artifact store behind it (the tracking server's proxy, S3, or a local directory).
public struct RegistryInputExamples: InputExampleSource {
    public let client: MLflowClient
    public let s3Client: S3Client?
    /// Where the example is downloaded to before it is read (and deleted).
    public var scratchDirectory: URL
    /// Examples larger than this are not sent.
    public var maximumSize: Int

    public init(client: MLflowClient, s3Client: S3Client? = nil, scratchDirectory: URL? = nil, maximumSize: Int = 1 << 20) {
        self.client = client
        self.s3Client = s3Client
        self.scratchDirectory = scratchDirectory ?? FileManager.default.temporaryDirectory
        self.maximumSize = maximumSize
    }

    public func inputExample(model: String, version: String) async throws -> Data? {
        let uri = try await client.getModelVersionDownloadURI(name: model, version: version)
        let store = try ArtifactStores.store(forArtifactURI: uri, client: client, s3Client: s3Client)
        let file = scratchDirectory.appendingPathComponent("mlopskit-input-example-\(UInt64.random(in: 0...UInt64.max)).json")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try await store.download("serving_input_example.json", to: file)
        } catch let error as ArtifactError where error.isNotFound {
            return nil
        } catch let error as MLflowError where error.isNotFound {
            return nil
        }
        let data = try Data(contentsOf: file)
        return data.count <= maximumSize ? data : nil
    }
}
