import Foundation
import Testing

@testable import MLOpsKit

/// One of the real S3 servers `scripts/services-up` starts (SeaweedFS and the JuiceFS gateway).
struct S3TestServer: Sendable, CustomStringConvertible {
    var name: String
    var url: URL
    var accessKeyID: String
    var secretAccessKey: String
    var region: String
    /// A second identity allowed only to read, where the server has one.
    var readOnlyCredentials: AWSCredentials?

    var description: String { "\(name) at \(url.absoluteString)" }

    /// Whether the server stores `x-amz-meta-*` metadata. The JuiceFS gateway, a file system underneath,
    /// accepts and drops it.
    var keepsUserMetadata: Bool { name != "juicefs" }

    /// Whether HeadObject with `partNumber` gives the size of one part. The JuiceFS gateway ignores
    /// the parameter, so downloads of multipart objects from it cannot be checked against their ETag.
    var answersPartNumberHeads: Bool { name != "juicefs" }

    var credentials: AWSCredentials { AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey) }

    var endpoint: S3Endpoint {
        get throws { try S3Endpoint(url: url, region: region, addressingStyle: .path) }
    }

    /// A client of this server over libcurl, with small parts so multipart paths run on small files.
    func client(
        configuration: S3Client.Configuration = S3TestServers.smallParts, transport: (any HTTPTransport)? = nil,
        credentials: AWSCredentials? = nil
    ) throws -> S3Client {
        S3Client(
            endpoint: try endpoint, credentials: StaticCredentialProvider(credentials ?? self.credentials),
            transport: transport ?? CurlTransport(), configuration: configuration)
    }
}

/// Where the S3 integration tests find their servers: `MLOPSKIT_TEST_S3_<NAME>_{URL,ACCESS_KEY,SECRET_KEY,
/// REGION}` from `.services/env`. Absent servers skip the tests unless services were required
/// (`MLOPSKIT_REQUIRE_SERVICES=1`, as `scripts/test` sets): then the tests fail.
enum S3TestServers {
    /// The servers every S3 test runs against.
    static let names = ["seaweedfs", "juicefs"]

    static var enabled: Bool {
        IntegrationEnvironment.servicesRequired
            || names.contains { IntegrationEnvironment.environment[variable($0, "URL")] != nil }
    }

    static func variable(_ name: String, _ field: String) -> String {
        "MLOPSKIT_TEST_S3_\(name.uppercased())_\(field)"
    }

    /// The server called `name`, or an error naming the missing variable.
    static func server(named name: String) throws -> S3TestServer {
        let environment = IntegrationEnvironment.environment
        func value(_ field: String) throws -> String {
            guard let value = environment[variable(name, field)], !value.isEmpty else {
                throw IntegrationEnvironment.MissingService(name: "\(name) S3 server (\(variable(name, field)))")
            }
            return value
        }
        guard let url = URL(string: try value("URL")) else {
            throw IntegrationEnvironment.MissingService(name: "\(name) S3 server (invalid \(variable(name, "URL")))")
        }
        var readOnly: AWSCredentials?
        if let key = environment[variable(name, "READONLY_ACCESS_KEY")],
            let secret = environment[variable(name, "READONLY_SECRET_KEY")]
        {
            readOnly = AWSCredentials(accessKeyID: key, secretAccessKey: secret)
        }
        return S3TestServer(
            name: name, url: url, accessKeyID: try value("ACCESS_KEY"), secretAccessKey: try value("SECRET_KEY"),
            region: environment[variable(name, "REGION")] ?? "us-east-1", readOnlyCredentials: readOnly)
    }

    /// 5 MiB parts from 6 MiB on, three at a time: multipart uploads and ranged downloads with a few
    /// parts on files of a few MiB.
    static let smallParts: S3Client.Configuration = {
        var configuration = S3Client.Configuration()
        configuration.multipartThreshold = 6 << 20
        configuration.partSize = 5 << 20
        configuration.concurrency = 3
        return configuration
    }()

    /// Runs `body` with a new, empty bucket on `server`, then empties and deletes it.
    static func withBucket<Result>(
        on server: S3TestServer, client: S3Client? = nil,
        _ body: (S3Client, String) async throws -> Result
    ) async throws -> Result {
        let client = try client ?? server.client()
        let bucket = "mlopskit-\(UUID().uuidString.prefix(12).lowercased())"
        try await client.createBucket(bucket)
        do {
            let result = try await body(client, bucket)
            try await empty(bucket, client: client)
            return result
        } catch {
            try? await empty(bucket, client: client)
            throw error
        }
    }

    private static func empty(_ bucket: String, client: S3Client) async throws {
        for upload in try await client.listMultipartUploads(bucket: bucket) {
            try await client.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
        }
        let keys = try await client.listObjects(bucket: bucket).collect().map(\.key)
        if !keys.isEmpty { try await client.deleteObjects(bucket: bucket, keys: keys) }
        do {
            try await client.deleteBucket(bucket)
        } catch let error as S3Error where error.code == .bucketNotEmpty {
            // The JuiceFS gateway keeps the directories of deleted keys; the bucket is left behind empty of
            // objects, in the test server's throwaway volume.
        }
    }

    /// A file of `size` pseudo-random bytes in a new temporary directory.
    static func randomFile(size: Int, name: String = "payload.bin") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlopskit-s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: size)
        var index = 0
        while index < size {
            var word = generator.next() as UInt64
            for _ in 0..<8 where index < size {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        let file = directory.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }
}
