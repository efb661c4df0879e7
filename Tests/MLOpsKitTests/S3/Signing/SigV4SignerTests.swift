import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("SigV4: canonical request rules")
struct SigV4CanonicalTests {
    let signer = SigV4Signer(credentials: SigV4TestSupport.s3DocumentationCredentials, region: "us-east-1")

    private func uri(_ url: String, normalizing: Bool = false) -> String {
        var signer = signer
        signer.normalizesPath = normalizing
        return signer.canonicalURI(for: URL(string: url)!)
    }

    private func query(_ url: String) -> String {
        SigV4Signer.canonicalQuery(SigV4Signer.queryItems(of: URL(string: url)!))
    }

    @Test(arguments: [
        ("http://h", "/"),
        ("http://h/", "/"),
        ("http://h/b/a%20b", "/b/a%20b"),
        ("http://h/b/a$b", "/b/a%24b"),
        ("http://h/b/a%24b", "/b/a%24b"),
        ("http://h/b/%7e%7E~", "/b/~~~"),
        ("http://h/b/a%2Fb", "/b/a%2Fb"),
        ("http://h/b/a%2fb", "/b/a%2Fb"),
        ("http://h/b/%c3%bc", "/b/%C3%BC"),
        ("http://h/b/a+b=c&d", "/b/a%2Bb%3Dc%26d"),
        ("http://h/b/!'()*,;:@", "/b/%21%27%28%29%2A%2C%3B%3A%40"),
        ("http://h/b/100%25", "/b/100%25"),
        ("http://h/b/a%2520b", "/b/a%2520b"),
        ("http://h/b/bad%zz%4", "/b/bad%25zz%254"),
        ("http://h/b//a//", "/b//a//"),
        ("http://h/b/./a/../c", "/b/./a/../c"),
        ("http://h/b/trailing/", "/b/trailing/"),
    ])
    func s3URIsAreReencodedButNeverNormalised(url: String, expected: String) {
        #expect(uri(url) == expected)
    }

    @Test(arguments: [
        ("http://h/a/b/..", "/a/"),
        ("http://h/a/b/.", "/a/b/"),
        ("http://h/a/./b/../c", "/a/c"),
        ("http://h/../../a", "/a"),
        ("http://h//a///b", "/a/b"),
        ("http://h/a/%2E%2E/b", "/b"),
        ("http://h/a%20b/", "/a%20b/"),
        ("http://h", "/"),
    ])
    func normalisedURIsForOtherServices(url: String, expected: String) {
        #expect(uri(url, normalizing: true) == expected)
    }

    @Test(arguments: [
        ("http://h/", ""),
        ("http://h/?", ""),
        ("http://h/?uploads", "uploads="),
        ("http://h/?uploads=", "uploads="),
        ("http://h/?b=2&a=1&a=0", "a=0&a=1&b=2"),
        ("http://h/?Zeta=1&alpha=2&A=3", "A=3&Zeta=1&alpha=2"),
        ("http://h/?a-b=1&a=2&a.b=3&a_b=4&a~b=5", "a=2&a-b=1&a.b=3&a_b=4&a~b=5"),
        ("http://h/?prefix=a+b", "prefix=a%2Bb"),
        ("http://h/?prefix=a%20b", "prefix=a%20b"),
        ("http://h/?prefix=%7e%2f", "prefix=~%2F"),
        ("http://h/?k=a=b", "k=a%3Db"),
        ("http://h/?a=1&&b=2&", "a=1&b=2"),
        ("http://h/?%E1%88%B4=bar", "%E1%88%B4=bar"),
        ("http://h/?list-type=2&continuation-token=1%2F2%3D%3D", "continuation-token=1%2F2%3D%3D&list-type=2"),
    ])
    func canonicalQuery(url: String, expected: String) {
        #expect(query(url) == expected)
    }

    @Test func headerValuesAreTrimmedCollapsedAndRepeatsJoined() {
        let (block, signed) = SigV4Signer.canonicalHeaders([
            ("X-Amz-Meta-B", "  two   words\t\there  "), ("x-amz-meta-a", "first"), ("X-AMZ-META-A", " second "),
            ("Content-Type", "text/plain;\n  charset=utf-8"), ("x-amz-meta-empty", "   "),
        ])
        #expect(
            block == """
                content-type:text/plain; charset=utf-8
                x-amz-meta-a:first,second
                x-amz-meta-b:two words here
                x-amz-meta-empty:
                """)
        #expect(signed == "content-type;x-amz-meta-a;x-amz-meta-b;x-amz-meta-empty")
    }

    @Test func defaultSignedHeadersAndAdditionalOnes() {
        let headers: TransportHeaders = [
            "Host": "h", "Content-Type": "a/b", "Content-MD5": "x", "Range": "bytes=0-1", "X-Amz-Meta-K": "v",
            "Content-Length": "5", "User-Agent": "u", "Accept": "*/*", "Cache-Control": "no-cache",
            "Authorization": "old",
        ]
        let names = { (headers: [(name: String, value: String)]) in headers.map(\.name) }
        #expect(
            names(SigV4Signer.headersToSign(headers, additional: [])) == [
                "host", "content-type", "content-md5", "range", "x-amz-meta-k",
            ])
        #expect(
            names(SigV4Signer.headersToSign(headers, additional: ["CACHE-control", "authorization"])) == [
                "host", "content-type", "content-md5", "range", "x-amz-meta-k", "cache-control",
            ])
    }

    @Test(arguments: [
        ("http://127.0.0.1:9000/b", "127.0.0.1:9000"),
        ("http://127.0.0.1:80/b", "127.0.0.1"),
        ("https://h.example:443/", "h.example"),
        ("https://h.example:80/", "h.example:80"),
        ("http://h.example:443/", "h.example:443"),
        ("HTTP://MinIO.Example:9000/", "minio.example:9000"),
        ("http://[::1]:9000/", "[::1]:9000"),
        ("http://[::1]/", "[::1]"),
        ("http://user:pw@h:9000/", "h:9000"),
    ])
    func hostHeader(url: String, expected: String) {
        #expect(SigV4Signer.hostHeader(for: URL(string: url)!) == expected)
    }
}

@Suite("SigV4: signing steps and timestamps")
struct SigV4StepsTests {
    /// The signing-key derivation example of the AWS General Reference ("Examples of how to derive a
    /// signing key for Signature Version 4"): IAM, us-east-1, 30 Aug 2015.
    @Test func signingKeyMatchesThePublishedExample() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "iam")
        let key = signer.signingKey(date: SigV4TestSupport.date("20150830T123600Z"))
        #expect(
            SigV4Encoding.hex(key)
                == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func signingKeyDependsOnlyOnTheDay() {
        let signer = SigV4Signer(credentials: SigV4TestSupport.s3DocumentationCredentials, region: "eu-west-1")
        let morning = signer.signingKey(date: SigV4TestSupport.date("20260101T000000Z"))
        let evening = signer.signingKey(date: SigV4TestSupport.date("20260101T235959Z"))
        let nextDay = signer.signingKey(date: SigV4TestSupport.date("20260102T000000Z"))
        #expect(morning == evening)
        #expect(morning != nextDay)
    }

    @Test(arguments: [
        (0.0, "19700101T000000Z"),
        (0.999, "19700101T000000Z"),
        (-0.5, "19691231T235959Z"),
        (-86_400.0, "19691231T000000Z"),
        (951_782_400.0, "20000229T000000Z"),
        (1_369_353_600.0, "20130524T000000Z"),
        (1_440_938_160.0, "20150830T123600Z"),
        (4_107_542_399.0, "21000228T235959Z"),
        (4_107_542_400.0, "21000301T000000Z"),
        (253_402_300_799.0, "99991231T235959Z"),
    ])
    func timestamps(seconds: Double, expected: String) {
        let timestamp = SigV4Timestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.dateTime == expected)
        #expect(timestamp.day == String(expected.prefix(8)))
    }

    /// 20,000 random instants from 1900 to 2200 formatted by Foundation's own calendar in UTC.
    @Test func timestampsAgreeWithFoundation() {
        var generator = SeededGenerator(seed: 2026)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for _ in 0..<20_000 {
            let seconds = Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &generator))
            let date = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(
                format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
                parts.minute!, parts.second!)
            guard SigV4Timestamp(date).dateTime == expected else {
                Issue.record("\(seconds): \(SigV4Timestamp(date).dateTime) != \(expected)")
                return
            }
        }
    }

    @Test func payloadHashes() {
        #expect(PayloadHash.unsigned.value == "UNSIGNED-PAYLOAD")
        #expect(PayloadHash.emptyBody.value == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(PayloadHash.sha256(of: Data()).value == PayloadHash.emptyBody.value)
        #expect(
            PayloadHash.sha256(of: Data("hello world".utf8)).value
                == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        #expect(
            PayloadHash.sha256(of: [UInt8](repeating: 0, count: 5 << 20)).value
                == "c036cbb7553a909f8b8877d4461924307f27ecb66cff928eeeafd569c3887e29")
        #expect(PayloadHash.sha256("ABCDEF").value == "abcdef")
        #expect("\(PayloadHash.unsigned)" == "UNSIGNED-PAYLOAD")
    }
}

@Suite("SigV4: sign and presign")
struct SigV4SignerTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let token = "FwoGZXIvYXdzEXAMPLETOKEN//+=="
    let date = SigV4TestSupport.date("20260101T000000Z")
    let signer = SigV4Signer(credentials: SigV4TestSupport.s3DocumentationCredentials, region: "us-east-1")
    var withToken: SigV4Signer {
        var signer = signer
        signer.credentials.sessionToken = Self.token
        return signer
    }

    @Test func addsTheSigningHeaders() {
        let request = TransportRequest(
            method: .put, url: URL(string: "http://127.0.0.1:9000/artifacts/a.txt")!,
            headers: ["Content-Type": "text/plain", "Content-Length": "5"])
        let signed = withToken.sign(request, payload: .unsigned, date: date)
        #expect(signed.headers["Host"] == "127.0.0.1:9000")
        #expect(signed.headers["X-Amz-Date"] == "20260101T000000Z")
        #expect(signed.headers["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD")
        #expect(signed.headers["X-Amz-Security-Token"] == Self.token)
        #expect(signed.headers["Content-Length"] == "5")
        #expect(
            signed.headers["Authorization"]?.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, "
                    + "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="
            )
                == true)
        #expect(signed.method == .put)
        #expect(signed.url == request.url)
    }

    @Test func signingAgainReplacesEveryAddedHeader() {
        let request = TransportRequest(url: URL(string: "http://127.0.0.1:9000/artifacts/a.txt")!)
        let once = withToken.sign(request, payload: .emptyBody, date: date)
        let twice = withToken.sign(once, payload: .emptyBody, date: date)
        #expect(Array(twice.headers) == Array(once.headers))
        #expect(twice.headers.values(for: "Authorization").count == 1)

        // New credentials without a token: the old token header goes, the signature changes.
        let other = signer.sign(once, payload: .emptyBody, date: date.addingTimeInterval(60))
        #expect(other.headers["X-Amz-Security-Token"] == nil)
        #expect(other.headers["X-Amz-Date"] == "20260101T000100Z")
        #expect(other.headers["Authorization"] != once.headers["Authorization"])
    }

    @Test func keepsACallerHostHeader() {
        let request = TransportRequest(
            url: URL(string: "http://127.0.0.1:9000/b/k")!, headers: ["Host": "minio.internal:9000"])
        let (signed, details) = signer.signWithDetails(request, payload: .emptyBody, date: date)
        #expect(signed.headers.values(for: "Host") == ["minio.internal:9000"])
        #expect(details.canonicalRequest.contains("\nhost:minio.internal:9000\n"))
    }

    @Test func unsignedHeadersDoNotChangeTheSignature() {
        let url = URL(string: "http://127.0.0.1:9000/b/k")!
        let plain = signer.sign(TransportRequest(url: url), payload: .emptyBody, date: date)
        let noisy = signer.sign(
            TransportRequest(url: url, headers: ["User-Agent": "x", "Content-Length": "0", "Accept": "*/*"]),
            payload: .emptyBody, date: date)
        #expect(plain.headers["Authorization"] == noisy.headers["Authorization"])
        let signedLength = signer.sign(
            TransportRequest(url: url, headers: ["Content-Length": "0"]), payload: .emptyBody, date: date,
            additionalSignedHeaders: ["content-length"])
        #expect(signedLength.headers["Authorization"] != plain.headers["Authorization"])
    }

    @Test func everySignedPartChangesTheSignature() {
        let url = URL(string: "http://127.0.0.1:9000/b/k?x=1")!
        let base = signer.sign(TransportRequest(url: url), payload: .emptyBody, date: date).headers["Authorization"]
        var variants: [String?] = []
        variants.append(
            signer.sign(TransportRequest(method: .head, url: url), payload: .emptyBody, date: date).headers["Authorization"])
        variants.append(
            signer.sign(
                TransportRequest(url: URL(string: "http://127.0.0.1:9000/b/K?x=1")!), payload: .emptyBody, date: date
            ).headers["Authorization"])
        variants.append(
            signer.sign(
                TransportRequest(url: URL(string: "http://127.0.0.1:9000/b/k?x=2")!), payload: .emptyBody, date: date
            ).headers["Authorization"])
        variants.append(
            signer.sign(
                TransportRequest(url: URL(string: "http://127.0.0.1:9001/b/k?x=1")!), payload: .emptyBody, date: date
            ).headers["Authorization"])
        variants.append(signer.sign(TransportRequest(url: url), payload: .unsigned, date: date).headers["Authorization"])
        variants.append(
            signer.sign(TransportRequest(url: url), payload: .emptyBody, date: date.addingTimeInterval(1)).headers[
                "Authorization"])
        variants.append(
            signer.sign(TransportRequest(url: url, headers: ["Range": "bytes=0-1"]), payload: .emptyBody, date: date)
                .headers["Authorization"])
        var otherRegion = signer
        otherRegion.region = "eu-west-1"
        variants.append(
            otherRegion.sign(TransportRequest(url: url), payload: .emptyBody, date: date).headers["Authorization"])
        var otherSecret = signer
        otherSecret.credentials.secretAccessKey = "x"
        variants.append(
            otherSecret.sign(TransportRequest(url: url), payload: .emptyBody, date: date).headers["Authorization"])
        #expect(Set(variants + [base]).count == variants.count + 1)
    }

    @Test func presignedURLCarriesTheTokenAndKeepsOperationParameters() throws {
        let url = URL(string: "http://127.0.0.1:9000/artifacts?list-type=2&prefix=a%20b%2F&uploads")!
        let presigned = try withToken.presign(method: .get, url: url, expiresIn: .seconds(900), date: date)
        let text = presigned.absoluteString
        #expect(
            text.hasPrefix(
                "http://127.0.0.1:9000/artifacts?list-type=2&prefix=a%20b%2F&uploads=&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                    + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
                    + "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
                    + "&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLETOKEN%2F%2F%2B%3D%3D&X-Amz-Signature="))
        #expect(!text.contains(Self.secret))
    }

    @Test func presigningAgainReplacesTheOldSignatureParameters() throws {
        let url = URL(string: "http://127.0.0.1:9000/b/k#fragment")!
        let first = try withToken.presign(url: url, expiresIn: .seconds(60), date: date)
        let again = try withToken.presign(url: first, expiresIn: .seconds(60), date: date)
        #expect(again == first)
        #expect(!first.absoluteString.contains("fragment"))
        let later = try signer.presign(url: first, expiresIn: .seconds(120), date: date)
        #expect(!later.absoluteString.contains("Security-Token"))
        #expect(later.absoluteString.components(separatedBy: "X-Amz-Signature=").count == 2)
    }

    @Test func presignedHeadersAreSignedAndListed() throws {
        let url = URL(string: "http://127.0.0.1:9000/b/upload.bin")!
        let (presigned, details) = try signer.presignWithDetails(
            method: .put, url: url, expiresIn: .seconds(900), date: date,
            signedHeaders: ["Content-Type": "application/octet-stream", "X-Amz-Meta-Owner": "  ci  bot "],
            payload: .unsigned)
        #expect(presigned.absoluteString.contains("X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-meta-owner&"))
        #expect(
            details.canonicalRequest.contains(
                "content-type:application/octet-stream\nhost:127.0.0.1:9000\nx-amz-meta-owner:ci bot\n"))
        #expect(details.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        let getURL = try signer.presign(method: .get, url: url, expiresIn: .seconds(900), date: date)
        #expect(getURL != presigned)
    }

    @Test(arguments: [
        Duration.seconds(0), .seconds(-1), .seconds(604_801), .milliseconds(1500), .milliseconds(999),
        .seconds(Int64.max),
    ])
    func presignRejectsLifetimesOutOfRange(lifetime: Duration) {
        let error = #expect(throws: SigV4Error.self) {
            try signer.presign(url: URL(string: "http://h/b/k")!, expiresIn: lifetime, date: date)
        }
        #expect(error?.code == .invalidExpiry)
        #expect(error?.description.hasPrefix("invalid presigned URL lifetime: ") == true)
        #expect(error?.description.hasSuffix("; expected a whole number of seconds from 1 to 604800 (7 days)") == true)
    }

    @Test(arguments: [Duration.seconds(1), .seconds(3600), .seconds(604_800), .milliseconds(2000)])
    func presignAcceptsLifetimesInRange(lifetime: Duration) throws {
        let url = try signer.presign(url: URL(string: "http://h/b/k")!, expiresIn: lifetime, date: date)
        #expect(url.absoluteString.contains("X-Amz-Expires=\(lifetime.components.seconds)&"))
    }

    @Test func presignRejectsURLsWithoutAHost() {
        let error = #expect(throws: SigV4Error.self) {
            try signer.presign(url: URL(string: "file:///tmp/x")!, expiresIn: .seconds(60), date: date)
        }
        #expect(error?.code == .invalidURL)
        #expect(error?.description == "URL cannot be presigned: file:///tmp/x has no scheme or host")
    }

    @Test func signerAndErrorsNeverShowSecrets() throws {
        let signer = withToken
        var dumped = ""
        dump(signer, to: &dumped)
        for text in ["\(signer)", String(reflecting: signer), dumped] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
        let error = SigV4Error(code: .invalidURL, detail: "x")
        #expect(error.description == "URL cannot be presigned: x")
    }
}
