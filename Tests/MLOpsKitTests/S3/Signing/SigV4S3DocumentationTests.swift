import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The worked examples of the AWS S3 API Reference, whose signatures AWS publishes:
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (header examples) and
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (presigned URL example).
/// Key `AKIAIOSFODNN7EXAMPLE`, region us-east-1, bucket `examplebucket`, 24 May 2013 00:00:00 UTC.
/// The inputs and published results are pinned here; nothing is read from disk.
@Suite("SigV4: AWS S3 documentation examples")
struct SigV4S3DocumentationTests {
    let signer = SigV4Signer(credentials: SigV4TestSupport.s3DocumentationCredentials, region: "us-east-1")
    let date = SigV4TestSupport.date("20130524T000000Z")
    /// `https://examplebucket.s3.amazonaws.com`, the documentation's (global) endpoint.
    let endpoint = try! S3Endpoint(url: URL(string: "https://s3.amazonaws.com")!, addressingStyle: .virtualHosted)

    static let scope = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"

    // MARK: - AWS Signer samples (header-based auth)

    @Test func getObjectWithRange() {
        var request = TransportRequest(method: .get, url: endpoint.url(bucket: "examplebucket", key: "test.txt"))
        request.headers["Range"] = "bytes=0-9"
        let (signed, details) = signer.signWithDetails(request, payload: .emptyBody, date: date)
        #expect(request.url.absoluteString == "https://examplebucket.s3.amazonaws.com/test.txt")
        #expect(
            details.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            details.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(
            signed.headers["Authorization"] == """
                AWS4-HMAC-SHA256 \(Self.scope), SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
                Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41
                """)
        #expect(signed.headers["Host"] == "examplebucket.s3.amazonaws.com")
        #expect(signed.headers["X-Amz-Date"] == "20130524T000000Z")
    }

    /// `PUT /test$file.text`, with the `Date` header signed as well. The `$` is written raw in the URL here
    /// and encoded by the endpoint in ``putObjectThroughEndpoint()``; both sign as `/test%24file.text`.
    @Test func putObject() {
        let url = URL(string: "https://examplebucket.s3.amazonaws.com/test$file.text")!
        let request = TransportRequest(
            method: .put, url: url,
            headers: ["Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"],
            body: .bytes(Data("Welcome to Amazon S3.".utf8)))
        let payload = PayloadHash.sha256(of: Data("Welcome to Amazon S3.".utf8))
        #expect(payload.value == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let (signed, details) = signer.signWithDetails(
            request, payload: payload, date: date, additionalSignedHeaders: ["date"])
        #expect(
            details.canonicalRequest == """
                PUT
                /test%24file.text

                date:Fri, 24 May 2013 00:00:00 GMT
                host:examplebucket.s3.amazonaws.com
                x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                x-amz-date:20130524T000000Z
                x-amz-storage-class:REDUCED_REDUNDANCY

                date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
                44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                """)
        #expect(
            signed.headers["Authorization"] == """
                AWS4-HMAC-SHA256 \(Self.scope), \
                SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
                Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd
                """)
    }

    @Test func putObjectThroughEndpoint() {
        let url = endpoint.url(bucket: "examplebucket", key: "test$file.text")
        #expect(url.absoluteString == "https://examplebucket.s3.amazonaws.com/test%24file.text")
        let request = TransportRequest(
            method: .put, url: url,
            headers: ["Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"])
        let signed = signer.sign(
            request, payload: .sha256(of: Data("Welcome to Amazon S3.".utf8)), date: date,
            additionalSignedHeaders: ["Date"])
        #expect(
            signed.headers["Authorization"]?.hasSuffix(
                "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd") == true)
    }

    @Test func getBucketLifecycle() {
        let request = TransportRequest(url: endpoint.url(bucket: "examplebucket", query: [("lifecycle", "")]))
        #expect(request.url.absoluteString == "https://examplebucket.s3.amazonaws.com/?lifecycle=")
        let (signed, details) = signer.signWithDetails(request, payload: .emptyBody, date: date)
        #expect(details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "lifecycle=")
        #expect(
            signed.headers["Authorization"] == """
                AWS4-HMAC-SHA256 \(Self.scope), SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
                Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543
                """)
        // The documentation's own URL writes the parameter without `=`; it signs the same.
        let bare = TransportRequest(url: URL(string: "https://examplebucket.s3.amazonaws.com/?lifecycle")!)
        #expect(
            signer.sign(bare, payload: .emptyBody, date: date).headers["Authorization"]
                == signed.headers["Authorization"])
    }

    @Test func listObjects() {
        // Parameters given out of order: the canonical query sorts them.
        let request = TransportRequest(
            url: endpoint.url(bucket: "examplebucket", query: [("prefix", "J"), ("max-keys", "2")]))
        let (signed, details) = signer.signWithDetails(request, payload: .emptyBody, date: date)
        #expect(
            details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2]
                == "max-keys=2&prefix=J")
        #expect(details.stringToSign.hasSuffix("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"))
        #expect(
            signed.headers["Authorization"] == """
                AWS4-HMAC-SHA256 \(Self.scope), SignedHeaders=host;x-amz-content-sha256;x-amz-date, \
                Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7
                """)
    }

    // MARK: - Presigned URL

    @Test func presignedGetObject() throws {
        let url = try signer.presign(
            url: endpoint.url(bucket: "examplebucket", key: "test.txt"), expiresIn: .seconds(86_400), date: date)
        #expect(
            url.absoluteString == """
                https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
                &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
                &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404
                """)
        let details = try signer.presignWithDetails(
            method: .get, url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!,
            expiresIn: .seconds(86_400), date: date, signedHeaders: [:], payload: .unsigned
        ).details
        #expect(
            details.canonicalRequest == """
                GET
                /test.txt
                X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
                host:examplebucket.s3.amazonaws.com

                host
                UNSIGNED-PAYLOAD
                """)
        #expect(details.stringToSign.hasSuffix("3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04"))
    }
}

/// The S3 vectors of `<repo>/../shared/vectors/s3_sigv4_vectors.json`: the documentation examples above
/// (including the chunked-upload seed signature) and vectors botocore derived for MinIO-style requests
/// (path-style, host with port, UNSIGNED-PAYLOAD, multipart, DeleteObjects with Content-MD5, session
/// tokens, presigned GET and PUT). Each is signed and compared with the recorded canonical request,
/// string to sign, signature and `Authorization` header or presigned URL.
@Suite("SigV4: shared S3 vectors")
struct SigV4SharedS3VectorTests {
    static let file = SigV4TestSupport.sharedVectors.appendingPathComponent("s3_sigv4_vectors.json")
    /// Read from the shared folder beside the repository; skipped with this message when it is absent,
    /// unless the vectors are required (``SigV4TestSupport/vectorsRequired(_:)``): then the count test
    /// fails.
    static let isAvailable = SigV4TestSupport.exists(file)
    static let runs = SigV4TestSupport.runsVectorSuite(available: isAvailable)
    static let skipMessage: Comment = "s3_sigv4_vectors.json not found at <repo>/../shared/vectors"

    struct Vector: Decodable, CustomTestStringConvertible {
        struct Input: Decodable {
            var method: String
            var url: String
            var mode: String?
            var headers: [[String]]?
            var bodyHex: String?
            var bodySHA256: String?
            var payloadHash: String?
            var timestamp: String
            var accessKey: String
            var secretKey: String
            var sessionToken: String?
            var region: String?
            var expires: Int64?
            var presignHeaders: [[String]]?

            enum CodingKeys: String, CodingKey {
                case method, url, mode, headers, timestamp, region, expires
                case bodyHex = "body_hex"
                case bodySHA256 = "body_sha256"
                case payloadHash = "payload_hash"
                case accessKey = "access_key"
                case secretKey = "secret_key"
                case sessionToken = "session_token"
                case presignHeaders = "presign_headers"
            }
        }

        struct Expected: Decodable {
            var canonicalRequest: String
            var stringToSign: String
            var signature: String
            var authorization: String?
            var url: String?

            enum CodingKeys: String, CodingKey {
                case canonicalRequest = "canonical_request"
                case stringToSign = "string_to_sign"
                case signature, authorization, url
            }
        }

        var name: String
        var input: Input
        var expectedHeaderAuth: Expected?
        var expectedPresign: Expected?
        var publishedSignature: String?

        enum CodingKeys: String, CodingKey {
            case name, input
            case expectedHeaderAuth = "expected_header_auth"
            case expectedPresign = "expected_presign"
            case publishedSignature = "published_signature"
        }

        var testDescription: String { name }
    }

    struct VectorFile: Decodable {
        var vectors: [Vector]
    }

    static var vectors: [Vector] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        return (try? JSONDecoder().decode(VectorFile.self, from: data).vectors) ?? []
    }

    @Test(.enabled(if: runs, skipMessage))
    func fileHasTheSeventeenVectors() {
        guard SigV4TestSupport.requireVectors(at: Self.file) else { return }
        let vectors = Self.vectors
        #expect(vectors.count == 17)
        #expect(vectors.filter { $0.publishedSignature != nil }.count == 6)
    }

    @Test(.enabled(if: isAvailable, skipMessage), arguments: vectors)
    func vector(_ vector: Vector) throws {
        let input = vector.input
        let signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: input.accessKey, secretAccessKey: input.secretKey, sessionToken: input.sessionToken),
            region: input.region ?? "us-east-1")
        let date = SigV4TestSupport.date(input.timestamp)
        let url = try #require(URL(string: input.url))
        let headers = (input.headers ?? []).map { ($0[0], $0[1]) }

        if let expected = vector.expectedHeaderAuth {
            let details: SigningDetails
            var authorization: String?
            if input.mode == "raw" {
                // Signed exactly as given: every header, the payload hash from x-amz-content-sha256.
                let payloadHash = try #require(headers.first { $0.0.lowercased() == "x-amz-content-sha256" }?.1)
                details = signer.signingDetails(
                    method: input.method, canonicalURI: signer.canonicalURI(for: url),
                    canonicalQuery: SigV4Signer.canonicalQuery(SigV4Signer.queryItems(of: url)),
                    headers: headers, payloadHash: payloadHash, timestamp: SigV4Timestamp(date))
                authorization = details.authorization(accessKeyID: input.accessKey)
            } else {
                // The request as botocore was given it; botocore signs every header it is given, so they
                // are all named as additional signed headers.
                let payload: PayloadHash =
                    if let hash = input.payloadHash, hash == PayloadHash.unsignedPayload {
                        .unsigned
                    } else if let hash = input.bodySHA256 { .sha256(hash) } else if let hex = input.bodyHex {
                        .sha256(of: Self.bytes(hex: hex))
                    } else { .emptyBody }
                let signed: TransportRequest
                (signed, details) = signer.signWithDetails(
                    TransportRequest(method: TransportMethod(rawValue: input.method), url: url, headers: TransportHeaders(headers)),
                    payload: payload, date: date, additionalSignedHeaders: Set(headers.map(\.0)))
                authorization = signed.headers["Authorization"]
            }
            #expect(details.canonicalRequest == expected.canonicalRequest)
            #expect(details.stringToSign == expected.stringToSign)
            #expect(details.signature == expected.signature)
            #expect(authorization == expected.authorization)
            if let published = vector.publishedSignature, vector.expectedPresign == nil {
                #expect(details.signature == published)
            }
        }

        if let expected = vector.expectedPresign {
            let (presigned, details) = try signer.presignWithDetails(
                method: TransportMethod(rawValue: input.method), url: url, expiresIn: .seconds(input.expires ?? 3600),
                date: date, signedHeaders: TransportHeaders((input.presignHeaders ?? []).map { ($0[0], $0[1]) }),
                payload: .unsigned)
            #expect(details.canonicalRequest == expected.canonicalRequest)
            #expect(details.stringToSign == expected.stringToSign)
            #expect(details.signature == expected.signature)
            #expect(presigned.absoluteString == expected.url)
            if let published = vector.publishedSignature {
                #expect(details.signature == published)
            }
        }
    }

    static func bytes(hex: String) -> Data {
        var data = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            data.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return data
    }
}
