import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsServing

/// An S3 client pointed at a server that answers with something other than S3 XML: oversized or
/// binary bodies are refused with typed errors, and memory stays bounded (the local test server streams
/// the bytes; the transport stops reading at the limit).
@Suite struct S3ClientHostileServerTests {
    func client(prefix: String) throws -> S3Client {
        var configuration = S3Client.Configuration()
        configuration.retryPolicy = .none
        return S3Client(
            endpoint: try S3Endpoint(url: TestHTTPServer.shared.url("/" + prefix)),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret")),
            configuration: configuration)
    }

    @Test func anOversizedListingIsRefusedAtTheLimit() async throws {
        // GET /bytes/<bucket>?list-type=2… streams <bucket> bytes: 40 MiB here.
        let client = try client(prefix: "bytes")
        let error = await #expect(throws: HTTPTransportError.self) {
            try await client.listObjects(bucket: String(40 << 20)).collect()
        }
        #expect(error?.code == .responseTooLarge)
        #expect(error?.detail.contains("\(S3Client.maximumXMLResponseSize)") == true)
    }

    @Test func aBinaryBodyIsAnXMLErrorNotACrash() async throws {
        let client = try client(prefix: "bytes")
        await #expect(throws: S3XMLError.self) {
            try await client.listObjects(bucket: "100000").collect()
        }
        await #expect(throws: S3XMLError.self) {
            try await self.client(prefix: "bytes/100000").listBuckets()
        }
    }

    @Test func anHTMLErrorPageKeepsItsStatusAndAnExcerpt() async throws {
        let client = try client(prefix: "status")
        let error = await #expect(throws: S3Error.self) { try await client.getObject(bucket: "502", key: "k") }
        #expect(error?.httpStatus == 502)
        #expect(error?.isRetryable == true)
    }
}
