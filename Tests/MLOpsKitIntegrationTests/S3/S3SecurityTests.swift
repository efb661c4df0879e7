import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Signatures, presigned URLs and tampering, against every real S3 server: what must be refused is
/// refused, and surfaces as a typed error without secrets in it.
@Suite(.enabled(if: S3TestServers.enabled), .serialized)
struct S3SecurityTests {
    @Test(arguments: S3TestServers.names)
    func aWrongSecretIsASignatureErrorThatHidesTheSecret(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let wrong = AWSCredentials(accessKeyID: server.accessKeyID, secretAccessKey: "not-the-secret-0123456789")
        let client = try server.client(credentials: wrong)
        let error = await #expect(throws: S3Error.self) { try await client.listBuckets() }
        #expect(error?.code == .signatureDoesNotMatch)
        #expect(error?.isSignatureError == true)
        #expect(error?.isRetryable == false)
        let text = "\(String(describing: error)) \(error?.rawBody ?? "") \(error?.additionalFields ?? [:])"
        #expect(!text.contains("not-the-secret"))
        #expect(!text.contains(server.secretAccessKey))

        let unknownKey = AWSCredentials(accessKeyID: "UNKNOWNKEY0000000000", secretAccessKey: "whatever-secret")
        let unknown = await #expect(throws: S3Error.self) {
            try await server.client(credentials: unknownKey).listBuckets()
        }
        #expect(unknown?.code == .invalidAccessKeyId)
    }

    @Test(arguments: S3TestServers.names)
    func presignedURLsWorkUntilTheyExpire(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let plain = CurlTransport()
            let key = "shared/report v1+final.json"
            let putURL = try await client.presignedURL(.put, bucket: bucket, key: key, expiresIn: .seconds(300))
            let put = try await plain.send(TransportRequest(method: .put, url: putURL, body: .bytes(Data("{\"ok\":1}".utf8))))
            #expect(put.status == 200)
            let getURL = try await client.presignedURL(bucket: bucket, key: key, expiresIn: .seconds(300))
            let get = try await plain.send(TransportRequest(url: getURL))
            #expect(get.status == 200)
            #expect(get.bodyText == "{\"ok\":1}")

            // Signed two hours ago for one hour: expired an hour ago.
            let expiredURL = try await client.presignedURL(
                bucket: bucket, key: key, expiresIn: .seconds(3600), date: Date().addingTimeInterval(-7200))
            let expired = try await plain.send(TransportRequest(url: expiredURL))
            let error = S3Error(status: expired.status, headers: expired.headers, body: expired.body, operation: "GetObject")
            #expect(expired.status == 403)
            #expect(error.isExpired, "\(error)")

            // A presigned GET does not allow a PUT.
            let misused = try await plain.send(TransportRequest(method: .put, url: getURL, body: .bytes(Data("x".utf8))))
            #expect(misused.status == 403)
            #expect(try await client.getObject(bucket: bucket, key: key) == Data("{\"ok\":1}".utf8))

            await #expect(throws: SigV4Error.self) {
                try await client.presignedURL(bucket: bucket, key: key, expiresIn: .seconds(8 * 24 * 3600))
            }
        }
    }

    @Test(arguments: S3TestServers.names)
    func aBodyChangedAfterSigningIsRefused(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            // Same length, different bytes: only the checksums can tell.
            let tampering = FaultInjectingTransport { request, _ in
                guard request.operationName == "PutObject" else { return nil }
                return .alter { request in
                    var changed = request
                    changed.body = .bytes(Data("evil model".utf8))
                    return changed
                }
            }
            let tampered = try server.client(transport: tampering)
            let error = await #expect(throws: S3Error.self) {
                try await tampered.putObject(Data("good model".utf8), bucket: bucket, key: "model")
            }
            #expect(
                error?.code == .xAmzContentSHA256Mismatch || error?.code == .badDigest
                    || error?.code == .signatureDoesNotMatch, "\(String(describing: error))")
            #expect(try await client.objectExists(bucket: bucket, key: "model") == false)

            // Unsigned payloads are still guarded by Content-MD5.
            var unsigned = S3TestServers.smallParts
            unsigned.payloadSigning = .unsigned
            let unsignedError = await #expect(throws: S3Error.self) {
                try await server.client(configuration: unsigned, transport: tampering)
                    .putObject(Data("good model".utf8), bucket: bucket, key: "model")
            }
            #expect(unsignedError?.code == .badDigest, "\(String(describing: unsignedError))")
            #expect(try await client.objectExists(bucket: bucket, key: "model") == false)
        }
    }

    @Test(.enabled(if: S3TestServers.isEnabled("seaweedfs")))
    func readOnlyCredentialsCannotWrite() async throws {
        let server = try S3TestServers.server(named: "seaweedfs")
        let readOnly = try #require(server.readOnlyCredentials)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            try await client.putObject(Data("v1".utf8), bucket: bucket, key: "k")
            let reader = try server.client(credentials: readOnly)
            #expect(try await reader.getObject(bucket: bucket, key: "k") == Data("v1".utf8))
            let error = await #expect(throws: S3Error.self) {
                try await reader.putObject(Data("v2".utf8), bucket: bucket, key: "k")
            }
            #expect(error?.code == .accessDenied)
            #expect(try await client.getObject(bucket: bucket, key: "k") == Data("v1".utf8))
        }
    }
}
