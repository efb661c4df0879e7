import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsAutoserve

@Suite("S3Error: parsing and classification")
struct S3ErrorTests {
    typealias Fixtures = S3XMLFixtures

    static func error(_ status: Int, _ body: String, headers: TransportHeaders = [:], operation: String? = nil, bucket: String? = nil, key: String? = nil) -> S3Error {
        S3Error(status: status, headers: headers, body: Fixtures.data(body), operation: operation, bucket: bucket, key: key)
    }

    @Test("AWS NoSuchKey: code, message, request and host IDs, key; not found")
    func noSuchKeyAWS() {
        let error = Self.error(404, Fixtures.errorNoSuchKeyAWS, operation: "GetObject", bucket: "bkt")
        #expect(error.code == .noSuchKey)
        #expect(error.message == "The specified key does not exist.")
        #expect(error.httpStatus == 404)
        #expect(error.requestID == "4442587FB7D0A2F9")
        #expect(error.hostID == "9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=")
        #expect(error.bucket == "bkt")
        #expect(error.key == "no/such/key.txt")
        #expect(error.operation == "GetObject")
        #expect(error.rawBody == nil)
        #expect(error.additionalFields.isEmpty)
        #expect(error.isNotFound)
        #expect(!error.isRetryable)
        #expect(!error.isSignatureError)
        #expect(
            error.description
                == "S3 error NoSuchKey (HTTP 404) from GetObject on bkt/no/such/key.txt: The specified key does not exist. [request 4442587FB7D0A2F9]"
        )
    }

    @Test("SeaweedFS NoSuchKey: Resource and BucketName, no HostId")
    func noSuchKeySeaweed() {
        let error = Self.error(404, Fixtures.errorNoSuchKeySeaweed, headers: ["x-amz-id-2": ""])
        #expect(error.code == .noSuchKey)
        #expect(error.bucket == "feat-1795913508")
        #expect(error.key == "no/such/key.txt")
        #expect(error.hostID == nil)
        #expect(error.requestID == "18EC5DD24C2DE15D1081A59A")
        #expect(error.additionalFields == ["Resource": "/feat-1795913508/no/such/key.txt"])
    }

    @Test("MinIO NoSuchBucket with an empty HostId falls back to the x-amz-id-2 header")
    func noSuchBucketMinIO() {
        let error = Self.error(404, Fixtures.errorNoSuchBucketMinIO, headers: ["X-Amz-Id-2": "dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8"])
        #expect(error.code == .noSuchBucket)
        #expect(error.bucket == "no-such-bucket-xyz")
        #expect(error.hostID == "dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8")
        #expect(error.isNotFound)
    }

    @Test("the caller's bucket and key win over the ones the server echoes")
    func callerNamesWin() {
        let error = Self.error(404, Fixtures.errorNoSuchKeySeaweed, bucket: "mine", key: "dir//double")
        #expect(error.bucket == "mine")
        #expect(error.key == "dir//double")
    }

    @Test("SignatureDoesNotMatch drops the echoed signature, access key and byte dumps, and masks the token")
    func signatureMismatchScrubbed() {
        let error = Self.error(403, Fixtures.errorSignatureMismatchAWS, operation: "GetObject")
        #expect(error.code == .signatureDoesNotMatch)
        #expect(error.isSignatureError)
        #expect(!error.isRetryable)
        #expect(error.requestID == "TX1234")
        #expect(Set(error.additionalFields.keys) == ["StringToSign", "CanonicalRequest"])
        let everything = error.description + error.additionalFields.values.joined() + (error.rawBody ?? "")
        #expect(!everything.contains("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
        #expect(!everything.contains("IQoJb3JpZ2luX2VjEXAMPLETOKEN"))
        #expect(!everything.contains("AKIAIOSFODNN7EXAMPLE"))
        let canonical = error.additionalFields["CanonicalRequest"] ?? ""
        #expect(canonical.contains("X-Amz-Security-Token=***&X-Amz-SignedHeaders=host"))
        #expect(canonical.contains("x-amz-security-token:***\n"))
        #expect(canonical.contains("host:127.0.0.1:8333"))
        #expect(error.additionalFields["StringToSign"]?.hasPrefix("AWS4-HMAC-SHA256\n20260101T000000Z") == true)
    }

    @Test("an expired presigned URL (AccessDenied, \"Request has expired\") and ExpiredToken count as expired")
    func expired() {
        let presigned = Self.error(403, Fixtures.errorRequestExpired)
        #expect(presigned.code == .accessDenied)
        #expect(presigned.isExpired)
        #expect(!presigned.isSignatureError)
        #expect(presigned.bucket == "bkt1")
        #expect(presigned.key == "hello.txt")

        let token = Self.error(400, "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>")
        #expect(token.code == .expiredToken)
        #expect(token.isExpired)

        let denied = Self.error(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
        #expect(!denied.isExpired)
    }

    @Test("RequestTimeTooSkewed decodes &#39; and counts as a signature error; its extras are kept")
    func clockSkew() {
        let error = Self.error(403, Fixtures.errorClockSkew)
        #expect(error.code == .requestTimeTooSkewed)
        #expect(error.message == "The difference between the request time and the server's time is too large.")
        #expect(error.isSignatureError)
        #expect(error.additionalFields["MaxAllowedSkewMilliseconds"] == "900000")
    }

    @Test("XAmzContentSHA256Mismatch and MissingContentMD5 from the MinIO-derived gateway")
    func integrityErrors() {
        let sha = Self.error(400, Fixtures.errorContentSHA256Mismatch)
        #expect(sha.code == .xAmzContentSHA256Mismatch)
        #expect(sha.message == "The provided 'x-amz-content-sha256' header does not match what was computed.")
        #expect(sha.isSignatureError)
        #expect(sha.key == "tampered.bin")

        let md5 = Self.error(400, Fixtures.errorMissingContentMD5)
        #expect(md5.code == .missingContentMD5)
        #expect(!md5.isSignatureError)
    }

    @Test("AuthorizationHeaderMalformed with a namespace gives the expected region")
    func authorizationHeaderMalformed() {
        let error = Self.error(400, Fixtures.errorAuthorizationHeaderMalformed, headers: ["x-amz-bucket-region": "eu-west-1"])
        #expect(error.code == .authorizationHeaderMalformed)
        #expect(error.region == "us-east-1")
        #expect(error.message.hasSuffix("expecting 'us-east-1'."))
        #expect(error.isSignatureError)
    }

    @Test("PermanentRedirect keeps Endpoint and takes Bucket")
    func permanentRedirect() {
        let error = Self.error(301, Fixtures.errorPermanentRedirect)
        #expect(error.code == .permanentRedirect)
        #expect(error.bucket == "mlops-artifacts")
        #expect(error.additionalFields == ["Endpoint": "mlops-artifacts.s3.eu-west-1.amazonaws.com"])
    }

    @Test(
        "retryable: SlowDown, InternalError, ServiceUnavailable, RequestTimeout, and 5xx or 429 statuses",
        arguments: [
            (503, "SlowDown", true), (500, "InternalError", true), (503, "ServiceUnavailable", true),
            (400, "RequestTimeout", true), (503, "SlowDownWrite", true), (502, "Whatever", true), (429, "TooMany", true),
            (504, "GatewayTimeout", true), (400, "InvalidArgument", false), (403, "AccessDenied", false),
            (404, "NoSuchKey", false), (409, "BucketNotEmpty", false), (400, "EntityTooSmall", false),
        ]
    )
    func retryable(status: Int, code: String, expected: Bool) {
        let error = Self.error(status, "<Error><Code>\(code)</Code><Message>m</Message></Error>")
        #expect(error.code.rawValue == code)
        #expect(error.isRetryable == expected)
    }

    @Test("unknown codes are kept verbatim and compare by raw value")
    func unknownCodes() {
        let error = Self.error(400, "<Error><Code>XMinioInvalidResourceName</Code><Message>Invalid resource name.</Message></Error>")
        #expect(error.code == S3Error.Code(rawValue: "XMinioInvalidResourceName"))
        #expect(error.code.description == "XMinioInvalidResourceName")
        #expect(error.code != .invalidArgument)
    }

    @Test("bucket errors: BucketAlreadyOwnedByYou, BucketNotEmpty")
    func bucketErrors() {
        let owned = Self.error(409, "<Error><Code>BucketAlreadyOwnedByYou</Code><Message>Your previous request to create the named bucket succeeded and you already own it.</Message><BucketName>b</BucketName></Error>")
        #expect(owned.code == .bucketAlreadyOwnedByYou)
        let notEmpty = Self.error(409, "<Error><Code>BucketNotEmpty</Code><Message>The bucket you tried to delete is not empty</Message></Error>")
        #expect(notEmpty.code == .bucketNotEmpty)
        #expect(!notEmpty.isNotFound)
    }

    @Test("an error document without a Code takes the status's code and keeps its message")
    func documentWithoutCode() {
        let error = Self.error(503, "<Error><Message>Busy</Message></Error>")
        #expect(error.code == .serviceUnavailable)
        #expect(error.message == "Busy")
        #expect(error.rawBody == nil)
        #expect(error.isRetryable)
    }

    // MARK: Bodies that are not error documents

    @Test(
        "a body-less response (HEAD) gets a code from its status, IDs from headers",
        arguments: [
            (404, S3Error.Code.notFound), (403, .forbidden), (400, .badRequest), (412, .preconditionFailed),
            (304, .notModified), (301, .permanentRedirect), (500, .internalError), (503, .serviceUnavailable),
            (418, .unknown),
        ]
    )
    func bodyless(status: Int, code: S3Error.Code) {
        let headers: TransportHeaders = ["x-amz-request-id": "REQ1", "x-amz-id-2": "HOST1", "Content-Length": "0"]
        let error = Self.error(status, "", headers: headers, operation: "HeadObject", bucket: "b", key: "k")
        #expect(error.code == code)
        #expect(error.httpStatus == status)
        #expect(error.requestID == "REQ1")
        #expect(error.hostID == "HOST1")
        #expect(error.rawBody == nil)
        #expect(error.message.hasPrefix("HTTP \(status)"))
        #expect(error.isNotFound == (status == 404))
    }

    @Test("an HTML 502 from a proxy keeps the raw body and a readable message, and is retryable")
    func htmlBadGateway() {
        let error = Self.error(502, Fixtures.htmlBadGateway, operation: "PutObject")
        #expect(error.code == .unknown)
        #expect(error.rawBody == Fixtures.htmlBadGateway)
        #expect(error.message == "HTTP 502 Bad Gateway: 502 Bad Gateway nginx/1.22.1")
        #expect(error.isRetryable)
    }

    @Test("moto's HTML 500 and a JSON body are kept raw")
    func otherRawBodies() {
        let moto = Self.error(500, "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error.</p>\n")
        #expect(moto.code == .internalError)
        #expect(moto.rawBody?.hasPrefix("<!doctype html>") == true)
        #expect(moto.isRetryable)

        let json = Self.error(400, #"{"error": "bad"}"#)
        #expect(json.code == .badRequest)
        #expect(json.rawBody == #"{"error": "bad"}"#)
        #expect(json.message == #"HTTP 400 Bad Request: {"error": "bad"}"#)
    }

    @Test("a well-formed XML body that is not an <Error> is kept raw")
    func otherXML() {
        let error = Self.error(400, "<ListBucketResult><Name>b</Name></ListBucketResult>")
        #expect(error.code == .badRequest)
        #expect(error.rawBody == "<ListBucketResult><Name>b</Name></ListBucketResult>")
    }

    @Test("the raw body is cut at 4 KiB on a character boundary")
    func rawBodyTruncated() {
        let body = "x" + String(repeating: "é", count: 5000)  // 1 + 10,000 bytes: the cut falls inside an "é"
        let error = Self.error(500, body)
        let raw = error.rawBody ?? ""
        #expect(raw.utf8.count == 4095)
        #expect(raw == "x" + String(repeating: "é", count: 2047))
        #expect(error.message.count <= "HTTP 500 Internal Server Error: ".count + 200)

        let exact = Self.error(500, String(repeating: "é", count: 2048))
        #expect(exact.rawBody?.utf8.count == 4096)
        let fourByte = Self.error(500, "ab" + String(repeating: "😀", count: 1100))
        #expect(fourByte.rawBody == "ab" + String(repeating: "😀", count: 1023))
    }

    @Test("a raw body echoing a presigned URL has its signature, credential and token masked")
    func rawBodyMasksPresignedQuery() {
        let body = """
            <html><body>Forbidden: GET /bkt/model.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404&x-amz-security-token=FQoGZXIvYXdzEXAMPLE
            <a href="http://h/?AWSAccessKeyId=AKIAOLD&Signature=abc%2Bdef&Expires=1">v2</a></body></html>
            """
        let error = Self.error(403, body)
        let raw = error.rawBody ?? ""
        for secret in ["AKIAIOSFODNN7EXAMPLE", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", "FQoGZXIvYXdzEXAMPLE", "AKIAOLD", "abc%2Bdef"] {
            #expect(!raw.contains(secret))
            #expect(!error.message.contains(secret))
        }
        #expect(raw.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"))
        #expect(raw.contains("X-Amz-Signature=***&x-amz-security-token=***"))
        #expect(raw.contains("Expires=1"))
    }

    @Test("masking leaves ordinary prose about signatures alone")
    func maskingProse() {
        let text = "The request signature we calculated does not match the signature you provided. SignatureDoesNotMatch"
        #expect(S3SecretMasking.masking(text) == text)
        #expect(S3SecretMasking.masking("Signature: abc def") == "Signature: *** def")
        #expect(S3SecretMasking.masking("my-signature=keep") == "my-signature=keep")
    }

    @Test("errors with the same content are equal; the memberwise initializer sets every field")
    func memberwise() {
        let error = S3Error(
            code: .noSuchUpload,
            message: "The specified upload does not exist.",
            httpStatus: 404,
            requestID: "r",
            hostID: "h",
            bucket: "b",
            key: "k",
            region: "us-east-1",
            operation: "ListParts",
            additionalFields: ["UploadId": "u"]
        )
        #expect(error == Self.error(404, "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>u</UploadId><RequestId>r</RequestId><HostId>h</HostId><Region>us-east-1</Region></Error>", operation: "ListParts", bucket: "b", key: "k"))
        #expect(error.isNotFound)
    }
}

@Suite("S3Error: response decoding")
struct S3ErrorResponseDecodingTests {
    typealias Fixtures = S3XMLFixtures

    @Test("a failed status throws the S3Error built from the response")
    func failedStatus() throws {
        let response = TransportResponse(status: 404, headers: ["x-amz-request-id": "R"], body: Data())
        let error = try #require(throws: S3Error.self) {
            try S3ResponseDecoding.decode(response, operation: "HeadObject", bucket: "b", key: "k") { _ in
                Issue.record("decoded a failure")
            }
        }
        #expect(error == S3Error(code: .notFound, message: "HTTP 404 Not Found", httpStatus: 404, requestID: "R", bucket: "b", key: "k", operation: "HeadObject"))
    }

    @Test("a 200 with an <Error> body throws it with the status, operation, names and header IDs")
    func errorInSuccess() throws {
        let body = Fixtures.data("<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>")
        let response = TransportResponse(status: 200, headers: ["x-amz-request-id": "R200", "x-amz-id-2": "H200"], body: body)
        let error = try #require(throws: S3Error.self) {
            try S3ResponseDecoding.decode(response, operation: "CompleteMultipartUpload", bucket: "b", key: "k") { try CompleteMultipartUploadResult.decode(xml: $0) }
        }
        #expect(error.httpStatus == 200)
        #expect(error.operation == "CompleteMultipartUpload")
        #expect(error.bucket == "b")
        #expect(error.key == "k")
        #expect(error.requestID == "R200")
        #expect(error.hostID == "H200")
        #expect(error.isRetryable)
    }

    @Test("a success decodes; a malformed success body is an S3XMLError")
    func success() throws {
        let ok = TransportResponse(status: 200, body: Fixtures.data(Fixtures.copyObjectSeaweed))
        let result = try S3ResponseDecoding.decode(ok, operation: "CopyObject") { try CopyObjectResult.decode(xml: $0) }
        #expect(result.eTag == "9b2cf535f27731c974343645a3985328")

        let broken = TransportResponse(status: 200, body: Fixtures.data("<CopyObjectResult><ETag>"))
        let error = try #require(throws: S3XMLError.self) {
            try S3ResponseDecoding.decode(broken, operation: "CopyObject") { try CopyObjectResult.decode(xml: $0) }
        }
        #expect(error.code == .malformed)
        #expect(error.document == "CopyObjectResult")
    }
}
