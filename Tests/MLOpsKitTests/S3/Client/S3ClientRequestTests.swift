import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// What ``S3Client`` puts on the wire and how it treats answers, with a recording transport. The same
/// operations run against real servers in the integration tests; these pin down the exact requests.
@Suite struct S3ClientRequestTests {
    let transport = MockTransport()

    func client(endpoint: String = "http://127.0.0.1:9000", configure: (inout S3Client.Configuration) -> Void = { _ in })
        throws -> S3Client
    {
        var configuration = S3Client.Configuration()
        configuration.retryPolicy = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(1))
        configure(&configuration)
        return S3Client(
            endpoint: try S3Endpoint(url: URL(string: endpoint)!),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret/key+1")),
            transport: transport, configuration: configuration)
    }

    @Test func putSendsContentMD5AndTheSignedSHA256() async throws {
        transport.enqueue(TransportResponse(status: 200, headers: ["ETag": "\"\(md5Hex("hello"))\""]))
        let result = try await client().putObject(Data("hello".utf8), bucket: "mlflow", key: "a b/c+d.txt")
        let request = try #require(transport.lastRequest)
        #expect(request.method == .put)
        #expect(request.url.absoluteString == "http://127.0.0.1:9000/mlflow/a%20b/c%2Bd.txt")
        #expect(request.headers["Content-MD5"] == Data(Digest.hash(.md5, Data("hello".utf8))).base64EncodedString())
        #expect(request.headers["X-Amz-Content-SHA256"] == Digest.hash(.sha256, Data("hello".utf8)).map { String(format: "%02x", $0) }.joined())
        #expect(request.headers["Authorization"]?.contains("SignedHeaders=content-md5;") == true)
        #expect(result.eTag == md5Hex("hello"))
    }

    @Test func httpsSendsUnsignedPayloadsButStillContentMD5() async throws {
        transport.enqueue(TransportResponse(status: 200, headers: ["ETag": "\"\(md5Hex("x"))\""]))
        try await client(endpoint: "https://s3.example.test").putObject(Data("x".utf8), bucket: "b", key: "k")
        let request = try #require(transport.lastRequest)
        #expect(request.headers["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD")
        #expect(request.headers["Content-MD5"] != nil)
    }

    @Test func anETagThatIsNotTheMD5SentIsAChecksumError() async throws {
        transport.enqueue(TransportResponse(status: 200, headers: ["ETag": "\"\(md5Hex("other"))\""]))
        let error = await #expect(throws: S3TransferError.self) {
            try await client().putObject(Data("hello".utf8), bucket: "b", key: "k")
        }
        #expect(error?.code == .checksumMismatch)
    }

    @Test func bodilessRequestsSignTheEmptyPayload() async throws {
        transport.enqueue(TransportResponse(status: 200, headers: ["Content-Length": "12", "ETag": "\"abc\""]))
        _ = try await client().headObject(bucket: "b", key: "k")
        let request = try #require(transport.lastRequest)
        #expect(request.headers["X-Amz-Content-SHA256"] == PayloadHash.emptyBodySHA256)
        #expect(request.headers["Content-MD5"] == nil)
    }

    @Test func listingSendsMaxKeysAndURLEncodingAndFollowsTokens() async throws {
        transport.enqueue(listing(keys: ["a+b%20c", "b"], next: "token/1+="))
        transport.enqueue(listing(keys: ["c"], next: nil))
        let keys = try await client().listObjects(bucket: "b", prefix: "p/", pageSize: 2).collect().map(\.key)
        #expect(keys == ["a b c", "b", "c"])
        let first = transport.requests[0]
        #expect(first.queryValue("list-type") == "2")
        #expect(first.queryValue("max-keys") == "2")
        #expect(first.queryValue("encoding-type") == "url")
        #expect(first.queryValue("prefix") == "p/")
        #expect(first.queryValue("continuation-token") == nil)
        #expect(transport.requests[1].queryValue("continuation-token") == "token/1+=")
        #expect(transport.requests[1].url.absoluteString.contains("continuation-token=token%2F1%2B%3D"))
    }

    @Test func aRepeatedContinuationTokenEndsTheListingWithAnError() async throws {
        transport.enqueue(listing(keys: ["a"], next: "same"))
        transport.enqueue(listing(keys: ["b"], next: "same"))
        let error = await #expect(throws: S3TransferError.self) { try await client().listObjects(bucket: "b").collect() }
        #expect(error?.code == .unexpectedResponse)
    }

    @Test func deleteObjectsGoesInBatchesOfAThousandWithContentMD5() async throws {
        transport.setHandler { _ in
            TransportResponse(status: 200, body: Data("<DeleteResult><Error><Key>k-3 &amp; x</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>".utf8))
        }
        let keys = (0..<2_345).map { "k-\($0) & x" }
        let result = try await client().deleteObjects(bucket: "b", keys: keys)
        #expect(transport.requests.count == 3)
        for request in transport.requests {
            #expect(request.queryItems.map(\.name) == ["delete"])
            #expect(request.headers["Content-MD5"] == Data(Digest.hash(.md5, request.bodyData)).base64EncodedString())
            let text = String(decoding: request.bodyData, as: UTF8.self)
            #expect(text.contains("<Quiet>true</Quiet>"))
            #expect(!text.contains("& x"))
        }
        #expect(transport.requests.map { String(decoding: $0.bodyData, as: UTF8.self).components(separatedBy: "<Object>").count - 1 } == [1000, 1000, 345])
        // Each batch's answer reports the same key failed; it is reported for each batch.
        #expect(result.failures.count == 3)
        #expect(result.deleted.count == 2_345 - 1)
    }

    @Test func retryableErrorsAreRetriedAndSignedAgain() async throws {
        transport.enqueue(TransportResponse(status: 503, body: Data("<Error><Code>SlowDown</Code><Message>slow</Message></Error>".utf8)))
        transport.enqueue(TransportResponse(status: 500, body: Data("<Error><Code>InternalError</Code><Message>x</Message></Error>".utf8)))
        transport.enqueue(TransportResponse(status: 200, body: Data("data".utf8)))
        let client = try client { $0.verifiesDownloads = false }
        #expect(try await client.getObject(bucket: "b", key: "k") == Data("data".utf8))
        #expect(transport.requests.count == 3)
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"] != nil })
    }

    @Test func refusedRequestsAreNotRetried() async throws {
        transport.enqueue(TransportResponse(status: 403, body: Data("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".utf8)))
        let error = await #expect(throws: S3Error.self) { try await client().getObject(bucket: "b", key: "k") }
        #expect(error?.code == .accessDenied)
        #expect(error?.bucket == "b")
        #expect(error?.key == "k")
        #expect(transport.requests.count == 1)
    }

    @Test func anErrorInsideA200CompleteResponseIsRetriedThenThrown() async throws {
        let embedded = "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"
        transport.setHandler { _ in TransportResponse(status: 200, body: Data(embedded.utf8)) }
        let error = await #expect(throws: S3Error.self) {
            try await client().completeMultipartUpload(
                bucket: "b", key: "k", uploadID: "u", parts: [UploadedPart(partNumber: 1, eTag: "e")])
        }
        #expect(error?.code == .internalError)
        #expect(error?.httpStatus == 200)
        #expect(transport.requests.count == 3)
        let body = String(decoding: transport.requests[0].bodyData, as: UTF8.self)
        #expect(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;e&quot;</ETag></Part>"))
    }

    @Test func createMultipartUploadIsNotRetriedAfterTheRequestMayHaveArrived() async throws {
        transport.setHandler { request in
            throw HTTPTransportError(code: .connectionLost, method: request.method, redactedURL: "", detail: "reset")
        }
        await #expect(throws: HTTPTransportError.self) {
            try await client().createMultipartUpload(bucket: "b", key: "k")
        }
        #expect(transport.requests.count == 1)
    }

    @Test func presignedURLsCarryTheSignatureAndNoSecret() async throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let url = try await client().presignedURL(.put, bucket: "mlflow", key: "m/model.pkl", expiresIn: .seconds(600), date: date)
        let text = url.absoluteString
        #expect(text.hasPrefix("http://127.0.0.1:9000/mlflow/m/model.pkl?"))
        #expect(text.contains("X-Amz-Expires=600"))
        #expect(text.contains("X-Amz-Signature="))
        #expect(!text.contains("secret"))
        #expect(transport.requests.isEmpty)
    }

    @Test func badArgumentsAreRefusedBeforeAnythingIsSent() async throws {
        let client = try client()
        let empty = await #expect(throws: S3TransferError.self) { try await client.putObject(Data(), bucket: "b", key: "") }
        #expect(empty?.code == .invalidArgument)
        let metadata = await #expect(throws: S3TransferError.self) {
            try await client.putObject(Data(), bucket: "b", key: "k", metadata: ["bad name": "v"])
        }
        #expect(metadata?.detail.contains("bad name") == true)
        let control = await #expect(throws: S3TransferError.self) {
            try await client.deleteObjects(bucket: "b", keys: ["ok", "bell\u{7}"])
        }
        #expect(control?.detail.contains("U+7") == true)
        #expect(transport.requests.isEmpty)
    }

    @Test func partSizesGrowToStayWithinTenThousandParts() throws {
        #expect(try S3Client.partSize(for: 1 << 30, preferred: 8 << 20) == 8 << 20)
        let huge: Int64 = 200 << 30  // 200 GiB needs parts of at least 20.48 MiB, rounded to 21 MiB
        #expect(try S3Client.partSize(for: huge, preferred: 8 << 20) == 21 << 20)
        #expect((huge + (21 << 20) - 1) / (21 << 20) <= 10_000)
        #expect(throws: S3TransferError.self) { try S3Client.partSize(for: 1 << 30, preferred: 4 << 20) }
    }

    @Test func multipartETagsAreTheMD5OfThePartMD5s() {
        // The ETag S3 gives "hello" + "world" uploaded as two parts (checked with boto3 against S3).
        let parts = ["hello", "world"].map { Digest.hash(.md5, Data($0.utf8)) }
        var joined = Data()
        for part in parts { joined.append(contentsOf: part) }
        let expected = md5Hex(joined) + "-2"
        #expect(ContentDigest.multipartETag(partMD5s: parts) == expected)
    }

    @Test func crc32cMatchesPublishedVectorsInOneGoAndInPieces() throws {
        // RFC 3720 (iSCSI), appendix B.4, and the "123456789" check value of CRC-32C.
        let vectors: [(Data, UInt32)] = [
            (Data("123456789".utf8), 0xE306_9283), (Data(repeating: 0, count: 32), 0x8A91_36AA),
            (Data(repeating: 0xFF, count: 32), 0x62A8_AB43), (Data((0..<32).map { UInt8($0) }), 0x46DD_794E),
            (Data(), 0),
        ]
        for (data, expected) in vectors {
            #expect(ContentDigest.of(data, md5: false, sha256: false, crc32c: true).crc32c == expected)
        }
        #expect(ContentDigest.of(Data("123456789".utf8), sha256: false, crc32c: true).crc32cBase64 == "4waSgw==")
        // Across the file reader's chunk boundaries and at odd offsets.
        let data = randomBytes(3_000_001)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("crc-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let whole = ContentDigest.of(data, md5: false, sha256: false, crc32c: true).crc32c
        let fromFile = try ContentDigest.of(file: file, offset: 0, length: 3_000_001, md5: false, sha256: false, crc32c: true)
        #expect(fromFile.crc32c == whole)
        let region = try ContentDigest.of(file: file, offset: 3, length: 1_048_580, md5: false, sha256: false, crc32c: true)
        #expect(region.crc32c == ContentDigest.of(data.subdata(in: 3..<1_048_583), md5: false, sha256: false, crc32c: true).crc32c)
    }

    @Test func fileDigestsMatchInMemoryDigestsForAnyRegion() throws {
        let data = randomBytes(3_000_000)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        for (offset, length) in [(0, 3_000_000), (1_048_575, 1_048_577), (2_999_999, 1), (5, 0)] {
            let fromFile = try ContentDigest.of(file: file, offset: Int64(offset), length: Int64(length), sha256: true)
            let inMemory = ContentDigest.of(data.subdata(in: offset..<(offset + length)), sha256: true)
            #expect(fromFile == inMemory, "\(offset)+\(length)")
        }
        let short = #expect(throws: S3TransferError.self) {
            try ContentDigest.of(file: file, offset: 2_999_000, length: 5_000, sha256: false)
        }
        #expect(short?.code == .cannotRead)
    }

    // MARK: Helpers

    func md5Hex(_ text: String) -> String { md5Hex(Data(text.utf8)) }
    func md5Hex(_ data: Data) -> String { Digest.hash(.md5, data).map { String(format: "%02x", $0) }.joined() }

    func listing(keys: [String], next: String?) -> TransportResponse {
        let contents = keys.map {
            "<Contents><Key>\($0.replacingOccurrences(of: " ", with: "+"))</Key><Size>1</Size></Contents>"
        }.joined()
        let token = next.map { "<NextContinuationToken>\($0)</NextContinuationToken>" } ?? ""
        let xml = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>\(next != nil)</IsTruncated>\(token)\(contents)</ListBucketResult>"
        return TransportResponse(status: 200, body: Data(xml.utf8))
    }
}
