import Foundation
import MLOpsKitTestSupport

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing

/// One of the real S3 servers `scripts/services-up` starts (`scripts/seaweedfs-up`, `scripts/juicefs-up`),
/// as its `.services/<name>.env` file describes it.
///
/// Its ``description`` names the server and its endpoint, never a secret.
struct S3TestServer: Sendable, CustomStringConvertible {
    /// `seaweedfs` or `juicefs`.
    var name: String
    /// The S3 endpoint, such as `http://127.0.0.1:41769`.
    var endpointURL: URL
    /// The access key of an identity allowed everything.
    var accessKeyID: String
    /// Its secret.
    var secretAccessKey: String
    /// The region the server expects signatures for.
    var region: String
    /// An identity that may read and list but not write, when the server has one (SeaweedFS).
    var readOnlyAccessKeyID: String?
    /// Its secret.
    var readOnlySecretAccessKey: String?

    /// The full-access key pair.
    var credentials: AWSCredentials {
        AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)
    }

    /// The read-only key pair, or `nil` when the server has no such identity.
    var readOnlyCredentials: AWSCredentials? {
        guard let readOnlyAccessKeyID, let readOnlySecretAccessKey else { return nil }
        return AWSCredentials(accessKeyID: readOnlyAccessKeyID, secretAccessKey: readOnlySecretAccessKey)
    }

    /// The server's endpoint with path-style addressing (bucket names in the path), as the test servers
    /// serve buckets.
    func makeEndpoint() throws(S3EndpointError) -> S3Endpoint {
        try S3Endpoint(url: endpointURL, region: region, addressingStyle: .path)
    }

    /// A provider of the full-access key pair.
    func makeCredentialProvider() -> StaticCredentialProvider {
        StaticCredentialProvider(credentials, sourceName: "\(name) test keys")
    }

    /// A provider of the read-only key pair, or `nil` when the server has none.
    func makeReadOnlyCredentialProvider() -> StaticCredentialProvider? {
        readOnlyCredentials.map { StaticCredentialProvider($0, sourceName: "\(name) read-only test keys") }
    }

    /// `seaweedfs at http://127.0.0.1:41769 (us-east-1)`.
    var description: String { "\(name) at \(endpointURL.absoluteString) (\(region))" }
}

/// Where the integration tests find the S3 test servers.
///
/// Each server is described by `MLOPSKIT_TEST_S3_<NAME>_URL`, `_ACCESS_KEY`, `_SECRET_KEY` and `_REGION`,
/// and optionally `_READONLY_ACCESS_KEY` and `_READONLY_SECRET_KEY`; `scripts/test` exports them from
/// `.services/env`. With `MLOPSKIT_REQUIRE_SERVICES=1` every known server is tested and a missing one
/// fails its tests; otherwise only the servers whose URL is set are tested, and none means S3 tests are
/// skipped (``enabled`` is `false`).
///
/// ```swift
/// @Suite(.enabled(if: S3TestServers.enabled))
/// struct MyS3Tests {
///     @Test(arguments: S3TestServers.names)
///     func roundTrip(server name: String) async throws {
///         let server = try S3TestServers.server(named: name)
///         …
///     }
/// }
/// ```
enum S3TestServers {
    /// Every S3 server the scripts can start, in start order.
    static let known = ["seaweedfs", "juicefs"]

    /// The servers to test: all of ``known`` when services are required, else those whose URL is set.
    static var names: [String] {
        IntegrationEnvironment.servicesRequired ? known : known.filter { variable("URL", of: $0) != nil }
    }

    /// Whether S3 tests run: some server is configured, or services are required (so missing ones fail).
    static var enabled: Bool { !names.isEmpty }

    /// Whether tests of the server called `name` run.
    static func isEnabled(_ name: String) -> Bool { names.contains(name) }

    /// Every server in ``names``.
    ///
    /// - Throws: ``IntegrationEnvironment/MissingService`` when a server required is not configured,
    ///   ``IncompleteServer`` when only some of its variables are set, ``InvalidVariable`` for a URL that
    ///   is not an `http` or `https` URL.
    static func all() throws -> [S3TestServer] {
        try names.map(server(named:))
    }

    /// The server called `name` (one of ``known``), from the environment.
    ///
    /// - Throws: as ``all()``.
    static func server(named name: String) throws -> S3TestServer {
        guard let text = variable("URL", of: name) else {
            throw IntegrationEnvironment.MissingService(name: "S3 server \(name) (\(variableName("URL", of: name)))")
        }
        var missing = ["ACCESS_KEY", "SECRET_KEY", "REGION"].filter { variable($0, of: name) == nil }
        let readOnlyKey = variable("READONLY_ACCESS_KEY", of: name)
        let readOnlySecret = variable("READONLY_SECRET_KEY", of: name)
        if readOnlyKey != nil && readOnlySecret == nil { missing.append("READONLY_SECRET_KEY") }
        if readOnlyKey == nil && readOnlySecret != nil { missing.append("READONLY_ACCESS_KEY") }
        guard missing.isEmpty else {
            throw IncompleteServer(name: name, missing: missing.map { variableName($0, of: name) })
        }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw InvalidVariable(name: variableName("URL", of: name), value: text)
        }
        return S3TestServer(
            name: name, endpointURL: url,
            accessKeyID: variable("ACCESS_KEY", of: name)!, secretAccessKey: variable("SECRET_KEY", of: name)!,
            region: variable("REGION", of: name)!,
            readOnlyAccessKeyID: readOnlyKey, readOnlySecretAccessKey: readOnlySecret)
    }

    /// A server whose URL is set but not every variable it needs: a stale or hand-edited environment.
    struct IncompleteServer: Error, CustomStringConvertible {
        var name: String
        var missing: [String]
        var description: String {
            "S3 server \(name) is only partly configured: \(missing.joined(separator: ", ")) not set; "
                + "source .services/env (written by scripts/services-up) again"
        }
    }

    /// A test server variable whose value is not usable. The value is shown: these are loopback URLs.
    struct InvalidVariable: Error, CustomStringConvertible {
        var name: String
        var value: String
        var description: String { "\(name)='\(value)' is not an http or https URL with a host" }
    }

    /// `MLOPSKIT_TEST_S3_SEAWEEDFS_URL` for `("URL", "seaweedfs")`.
    static func variableName(_ field: String, of server: String) -> String {
        "MLOPSKIT_TEST_S3_\(server.uppercased())_\(field)"
    }

    /// The variable's value, or `nil` when it is unset or empty.
    private static func variable(_ field: String, of server: String) -> String? {
        IntegrationEnvironment.environment[variableName(field, of: server)].flatMap { $0.isEmpty ? nil : $0 }
    }
}


extension S3TestServer {
    /// Whether the server stores `x-amz-meta-*` metadata. The JuiceFS gateway, a file system underneath,
    /// accepts and drops it.
    var keepsUserMetadata: Bool { name != "juicefs" }

    /// Whether HeadObject with `partNumber` gives the size of one part. The JuiceFS gateway ignores
    /// the parameter, so downloads of multipart objects from it cannot be checked against their ETag.
    var answersPartNumberHeads: Bool { name != "juicefs" }

    /// A client of this server over libcurl, with small parts so multipart paths run on small files.
    func client(
        configuration: S3Client.Configuration = S3TestServers.smallParts, transport: (any HTTPTransport)? = nil,
        credentials: AWSCredentials? = nil
    ) throws -> S3Client {
        S3Client(
            endpoint: try makeEndpoint(), credentials: StaticCredentialProvider(credentials ?? self.credentials),
            transport: transport ?? CurlTransport(), configuration: configuration)
    }
}

extension S3TestServers {
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
        let file = directory.appendingPathComponent(name)
        try randomBytes(size).write(to: file)
        return file
    }
}
