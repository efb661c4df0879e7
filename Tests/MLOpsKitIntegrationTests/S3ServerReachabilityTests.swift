import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsServing

/// The S3 test servers answer requests signed by ``SigV4Signer`` and sent by ``CurlTransport``, and their
/// answers decode: the wiring the S3 suite builds on, checked against SeaweedFS and the JuiceFS gateway.
@Suite("S3 test servers", .enabled(if: S3TestServers.enabled))
struct S3ServerReachabilityTests {
    let transport = CurlTransport()

    /// The code each server gives a request signed with the right access key and a wrong secret.
    static let wrongSecretCode: [String: S3Error.Code] = [
        "seaweedfs": .signatureDoesNotMatch,
        "juicefs": .signatureDoesNotMatch,
    ]

    @Test("a bucket made with a signed PUT shows in a signed ListBuckets", arguments: S3TestServers.names)
    func signedListBuckets(server name: String) async throws {
        let server = try S3TestServers.server(named: name)
        let endpoint = try server.makeEndpoint()
        let credentials = try await server.makeCredentialProvider().credentials()
        let bucket = IntegrationEnvironment.uniqueName("mlopskit-reach")

        let created = try await send(.put, endpoint.url(bucket: bucket), signedWith: credentials, region: server.region)
        try #require(created.status == 200, "CreateBucket on \(server): \(created.status) \(created.bodyText)")

        let listing = try await send(.get, Self.serviceURL(endpoint), signedWith: credentials, region: server.region)
        #expect(listing.status == 200)
        let page = try Self.listBuckets(listing)
        #expect(page.buckets.map(\.name).contains(bucket), "\(server) lists \(page.buckets.map(\.name))")
        #expect(page.buckets.first { $0.name == bucket }?.creationDate != nil)
        #expect(page.owner != nil)

        let deleted = try await send(
            .delete, endpoint.url(bucket: bucket), signedWith: credentials, region: server.region)
        #expect(deleted.status == 204)
        let after = try await send(.get, Self.serviceURL(endpoint), signedWith: credentials, region: server.region)
        let remaining = try Self.listBuckets(after)
        #expect(!remaining.buckets.map(\.name).contains(bucket))
    }

    @Test("a wrong secret is a 403 signature error", arguments: S3TestServers.names)
    func wrongSecret(server name: String) async throws {
        let server = try S3TestServers.server(named: name)
        let endpoint = try server.makeEndpoint()
        let wrongSecret = "wrong-" + server.secretAccessKey
        let credentials = AWSCredentials(accessKeyID: server.accessKeyID, secretAccessKey: wrongSecret)

        let response = try await send(.get, Self.serviceURL(endpoint), signedWith: credentials, region: server.region)
        let error = try #require(throws: S3Error.self) {
            try Self.listBuckets(response)
        }
        #expect(error.httpStatus == 403)
        #expect(error.code == Self.wrongSecretCode[name])
        #expect(error.isSignatureError)
        #expect(error.requestID != nil)
        #expect(error.operation == "ListBuckets")
        #expect(!error.description.contains(wrongSecret))
    }

    @Test("an unknown access key is a 403 InvalidAccessKeyId, not a signature error", arguments: S3TestServers.names)
    func unknownAccessKey(server name: String) async throws {
        let server = try S3TestServers.server(named: name)
        let endpoint = try server.makeEndpoint()
        let credentials = AWSCredentials(accessKeyID: "MLOPSKITNOSUCHKEY000", secretAccessKey: server.secretAccessKey)

        let response = try await send(.get, Self.serviceURL(endpoint), signedWith: credentials, region: server.region)
        let error = try #require(throws: S3Error.self) {
            try Self.listBuckets(response)
        }
        #expect(error.httpStatus == 403)
        #expect(error.code == .invalidAccessKeyId)
        #expect(!error.isSignatureError)
    }

    @Test(
        "SeaweedFS's read-only identity lists buckets but cannot create one",
        .enabled(if: S3TestServers.isEnabled("seaweedfs")))
    func readOnlyIdentity() async throws {
        let server = try S3TestServers.server(named: "seaweedfs")
        let endpoint = try server.makeEndpoint()
        let admin = try await server.makeCredentialProvider().credentials()
        let readOnly = try await #require(server.makeReadOnlyCredentialProvider()).credentials()
        let bucket = IntegrationEnvironment.uniqueName("mlopskit-ro")

        let created = try await send(.put, endpoint.url(bucket: bucket), signedWith: admin, region: server.region)
        try #require(created.status == 200)
        let listing = try await send(.get, Self.serviceURL(endpoint), signedWith: readOnly, region: server.region)
        let page = try Self.listBuckets(listing)
        #expect(page.buckets.map(\.name).contains(bucket))

        let refused = try await send(
            .put, endpoint.url(bucket: bucket + "-2"), signedWith: readOnly, region: server.region)
        let error = S3Error(status: refused.status, headers: refused.headers, body: refused.body)
        #expect(error.httpStatus == 403)
        #expect(error.code == .accessDenied)

        let deleted = try await send(.delete, endpoint.url(bucket: bucket), signedWith: admin, region: server.region)
        #expect(deleted.status == 204)
    }

    // MARK: Helpers

    /// A ListBuckets response decoded the way the S3 client decodes it: a page, or the ``S3Error`` thrown.
    static func listBuckets(_ response: TransportResponse) throws -> ListBucketsPage {
        try S3ResponseDecoding.decode(response, operation: "ListBuckets") { try ListBucketsPage.decode(xml: $0) }
    }

    /// The URL of the service itself (ListBuckets): the endpoint's base URL and `/`.
    static func serviceURL(_ endpoint: S3Endpoint) -> URL {
        URL(string: endpoint.baseURL.absoluteString + "/")!
    }

    /// Sends a request without a body, signed now with `credentials`.
    func send(_ method: TransportMethod, _ url: URL, signedWith credentials: AWSCredentials, region: String)
        async throws -> TransportResponse
    {
        let signer = SigV4Signer(credentials: credentials, region: region)
        let request = signer.sign(TransportRequest(method: method, url: url), payload: .emptyBody, date: Date())
        return try await transport.send(request)
    }
}
