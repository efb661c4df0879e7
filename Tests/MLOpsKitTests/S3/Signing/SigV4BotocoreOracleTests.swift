import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing

/// Differential test against botocore, the signer inside boto3 and MLflow's S3 artifact store.
///
/// A seeded generator makes 1,200 requests of the kinds MLOpsKit sends S3 and the awkward inputs that
/// break signers: keys with spaces, `+ = & ? % ~ # $`, non-ASCII, `//`, `.` and `..` segments; query
/// parameters with empty values, repeated names and encoded delimiters; headers in odd case, with runs
/// of spaces and tabs, leading and trailing whitespace and repeats; signed and unsigned payloads; session
/// tokens; endpoints with and without ports (including default ports and IPv6) and path prefixes;
/// virtual-hosted AWS URLs; timestamps from 1970 to 2099 with fractions of a second; and presigned URLs
/// with lifetimes from 1 second to 7 days and extra signed headers.
///
/// Every URL is built by ``S3Endpoint/url(bucket:key:query:)`` and handed to botocore as sent, so the
/// test also checks that the endpoint encodes exactly as S3 canonicalises. `Tests/Fixtures/
/// sigv4_botocore_oracle.py` signs each case with `S3SigV4Auth` and `S3SigV4QueryAuth` (clock pinned);
/// the canonical request, string to sign, signature, `Authorization` header, added headers and presigned
/// URL must all be identical.
///
/// Inputs left out on purpose, where botocore does not do what S3 does (each is covered by a unit test):
/// repeated query names in presigned URLs (botocore keeps only the first), a `Date` header (botocore then
/// drops `X-Amz-Date`), a caller-set `X-Amz-Security-Token` without a session token (botocore keeps it;
/// this signer removes it), and paths not encoded by S3's rules (botocore signs the path as written;
/// this signer and S3 re-encode it).
///
/// Needs botocore in the services virtualenv (`scripts/python-env`). Without it the test is skipped, or
/// fails when `MLOPSKIT_REQUIRE_SERVICES=1` (as in CI). `MLOPSKIT_SIGV4_SEED` and
/// `MLOPSKIT_SIGV4_CASES` change the seed and the number of cases.
@Suite("SigV4: differential test against botocore")
struct SigV4BotocoreOracleTests {
    static let script = SigV4TestSupport.repositoryRoot.appendingPathComponent(
        "Tests/Fixtures/sigv4_botocore_oracle.py")
    static let isRequired = SigV4TestSupport.environment["MLOPSKIT_REQUIRE_SERVICES"] == "1"
    static let hasBotocore: Bool = {
        guard FileManager.default.isExecutableFile(atPath: SigV4TestSupport.servicesPython.path) else { return false }
        let result = try? SigV4TestSupport.runBlocking(SigV4TestSupport.servicesPython, ["-c", "import botocore"])
        return result?.status == 0
    }()
    static let seed = SigV4TestSupport.environment["MLOPSKIT_SIGV4_SEED"].flatMap { UInt64($0) } ?? 0x51_6E_56_34
    static let caseCount = SigV4TestSupport.environment["MLOPSKIT_SIGV4_CASES"].flatMap { Int($0) } ?? 1_200

    static let missingBotocore: Comment = """
        botocore is not installed in the services virtualenv (run scripts/python-env); \
        set MLOPSKIT_REQUIRE_SERVICES=1 to fail instead
        """

    @Test(.enabled(if: hasBotocore || isRequired, missingBotocore), .timeLimit(.minutes(2)))
    func agreesWithBotocore() async throws {
        guard Self.hasBotocore else {
            Issue.record("""
                MLOPSKIT_REQUIRE_SERVICES=1 but \(SigV4TestSupport.servicesPython.path) cannot import botocore; \
                run scripts/python-env
                """)
            return
        }
        var generator = SeededGenerator(seed: Self.seed)
        let cases = (0..<Self.caseCount).map { OracleCase.random(id: $0, using: &generator) }
        #expect(cases.count >= 1_000)
        #expect(cases.filter { $0.presign != nil }.count >= 500)

        let input = try JSONEncoder().encode(cases.map(\.wire))
        let run = try await SigV4TestSupport.run(SigV4TestSupport.servicesPython, [Self.script.path], input: input)
        try #require(run.status == 0, "oracle failed: \(run.stderr.suffix(3000))")
        let output = try JSONDecoder().decode(OracleOutput.self, from: run.stdout)
        try #require(output.results.count == cases.count)

        var mismatches = 0
        for (oracleCase, result) in zip(cases, output.results) {
            let problems = oracleCase.compare(with: result)
            guard !problems.isEmpty else { continue }
            mismatches += 1
            if mismatches <= 5 {
                let wire = String(decoding: try JSONEncoder().encode(oracleCase.wire), as: UTF8.self)
                let report: String =
                    "case \(oracleCase.id) (seed \(Self.seed), botocore \(output.botocoreVersion)):\n"
                    + problems.joined(separator: "\n") + "\ninput: \(wire)"
                Issue.record(Comment(rawValue: report))
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) cases differ from botocore")
    }
}

// MARK: - Wire format

struct OracleWireCase: Encodable {
    struct Presign: Encodable {
        var method: String
        var expires: Int64
        var headers: [[String]]
    }

    var id: Int
    var method: String
    var url: String
    var headers: [[String]]
    var signExtra: [String]
    var payload: String
    var timestamp: String
    var region: String
    var accessKey: String
    var secretKey: String
    var sessionToken: String?
    var presign: Presign?

    enum CodingKeys: String, CodingKey {
        case id, method, url, headers, payload, timestamp, region, presign
        case signExtra = "sign_extra"
        case accessKey = "access_key"
        case secretKey = "secret_key"
        case sessionToken = "session_token"
    }
}

struct OracleOutput: Decodable {
    struct Result: Decodable {
        struct Header: Decodable {
            var canonicalRequest: String
            var stringToSign: String
            var signature: String
            var authorization: String
            var added: [String: String]

            enum CodingKeys: String, CodingKey {
                case canonicalRequest = "canonical_request"
                case stringToSign = "string_to_sign"
                case signature, authorization, added
            }
        }

        struct Presign: Decodable {
            var url: String
            var canonicalRequest: String
            var stringToSign: String
            var signature: String

            enum CodingKeys: String, CodingKey {
                case canonicalRequest = "canonical_request"
                case stringToSign = "string_to_sign"
                case url, signature
            }
        }

        var id: Int
        var header: Header
        var presign: Presign?
    }

    var botocoreVersion: String
    var results: [Result]

    enum CodingKeys: String, CodingKey {
        case botocoreVersion = "botocore_version"
        case results
    }
}

// MARK: - Generated cases

struct OracleCase {
    struct Presign {
        var method: TransportMethod
        var expires: Int64
        var headers: [(String, String)]
    }

    var id: Int
    var method: TransportMethod
    var url: URL
    var headers: [(String, String)]
    var signExtra: [String]
    var payload: PayloadHash
    var timestamp: String
    var date: Date
    var region: String
    var credentials: AWSCredentials
    var presign: Presign?

    var wire: OracleWireCase {
        OracleWireCase(
            id: id, method: method.rawValue, url: url.absoluteString, headers: headers.map { [$0.0, $0.1] },
            signExtra: signExtra, payload: payload.value, timestamp: timestamp, region: region,
            accessKey: credentials.accessKeyID, secretKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken,
            presign: presign.map {
                .init(method: $0.method.rawValue, expires: $0.expires, headers: $0.headers.map { [$0.0, $0.1] })
            })
    }

    /// Differences between this signer's output and botocore's, as readable lines.
    func compare(with result: OracleOutput.Result) -> [String] {
        var problems: [String] = []
        func check(_ what: String, _ ours: String?, _ theirs: String?) {
            if ours != theirs {
                problems.append("\(what):\n  ours:     \(ours ?? "nil")\n  botocore: \(theirs ?? "nil")")
            }
        }
        let signer = SigV4Signer(credentials: credentials, region: region)
        let request = TransportRequest(method: method, url: url, headers: TransportHeaders(headers))
        let (signed, details) = signer.signWithDetails(
            request, payload: payload, date: date, additionalSignedHeaders: Set(signExtra))
        check("canonical request", details.canonicalRequest, result.header.canonicalRequest)
        check("string to sign", details.stringToSign, result.header.stringToSign)
        check("signature", details.signature, result.header.signature)
        check("authorization", signed.headers["Authorization"], result.header.authorization)
        for name in ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token"] {
            check(name, signed.headers[name], result.header.added[name])
        }

        switch (presign, result.presign) {
        case (nil, nil):
            break
        case (let ours?, let theirs?):
            do {
                let (presigned, presignDetails) = try signer.presignWithDetails(
                    method: ours.method, url: url, expiresIn: .seconds(ours.expires), date: date,
                    signedHeaders: TransportHeaders(ours.headers), payload: .unsigned)
                check("presign canonical request", presignDetails.canonicalRequest, theirs.canonicalRequest)
                check("presign string to sign", presignDetails.stringToSign, theirs.stringToSign)
                check("presign signature", presignDetails.signature, theirs.signature)
                check("presigned URL", presigned.absoluteString, theirs.url)
            } catch {
                problems.append("presign threw \(error)")
            }
        default:
            problems.append("presign present on one side only")
        }
        return problems
    }

    // MARK: Generation

    static let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "garage"]
    static let endpoints = [
        "http://127.0.0.1:9000", "http://localhost:8333", "https://minio.example.com", "http://minio:9000",
        "https://s3.example.com:8443/storage", "http://[::1]:9000", "http://127.0.0.1:80",
        "https://objects.example.org:443",
    ]
    static let buckets = ["artifacts", "mlflow", "b-1", "my.dotted.bucket", "mlops-artifacts-2026", "Mixed_Case"]
    /// Characters keys and query values are drawn from: everything S3 encodes, and then some.
    static let textPieces: [String] =
        "abcxyzABCXYZ0189-._~".map { String($0) } + [
            " ", "  ", "+", "=", "&", "?", "%", "%20", "%2F", "#", "$", "!", "'", "(", ")", "*", ",", ";", ":",
            "@", "[", "]", "{", "}", "|", "\\", "^", "`", "\"", "<", ">", "ü", "é", "ß", "日本", "🙂", "\u{00A0}",
            "\u{200B}", "e\u{0301}", "\t",
        ]
    static let queryNames = [
        "prefix", "delimiter", "list-type", "continuation-token", "uploadId", "partNumber", "versionId", "x-id",
        "max-keys", "encoding-type", "uploads", "delete", "tagging", "start-after", "response-content-type",
        "Zeta", "alpha", "A", "a",
    ]
    static let mimeTypes = [
        "application/octet-stream", "text/plain; charset=utf-8", "text/plain;  charset=UTF-8", "application/xml",
        "  image/png  ", "application/x-www-form-urlencoded", "multipart/form-data;\tboundary=\"a  b\"",
    ]
    static let unsignedByDefault = [
        "Content-Length", "Cache-Control", "Content-Disposition", "Content-Encoding", "Accept-Encoding",
        "If-Match", "If-None-Match", "Content-Language", "Expires",
    ]

    static func random(id: Int, using generator: inout SeededGenerator) -> OracleCase {
        func pick<T>(_ items: [T]) -> T { items.randomElement(using: &generator)! }
        func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < probability }
        func text(_ lengths: ClosedRange<Int>) -> String {
            (0..<Int.random(in: lengths, using: &generator)).map { _ in pick(textPieces) }.joined()
        }
        func token(_ alphabet: String, _ count: Int) -> String {
            String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
        }
        func randomCase(_ name: String) -> String {
            chance(0.5)
                ? name : String(name.map { chance(0.5) ? Character($0.uppercased()) : Character($0.lowercased()) })
        }
        func headerValue() -> String {
            let words = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                token("abcXYZ019-_./:;,=\"'()@!", Int.random(in: 1...8, using: &generator))
            }
            let gaps = [" ", "  ", "\t", " \t ", "   "]
            let inner = words.joined(separator: pick(gaps))
            return (chance(0.3) ? pick(gaps) : "") + inner + (chance(0.3) ? pick(gaps) : "")
        }

        let region = pick(regions)
        let endpoint: S3Endpoint =
            chance(0.2)
            ? .aws(region: region)
            : try! S3Endpoint(url: URL(string: pick(endpoints))!, region: region)

        // Key: up to five segments, some empty (`//`), some `.`/`..`.
        var segments: [String] = []
        for _ in 0..<Int.random(in: 0...5, using: &generator) {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: segments.append("")
            case 1: segments.append(pick([".", ".."]))
            default: segments.append(text(1...10))
            }
        }
        let key = segments.joined(separator: "/")

        // Query: repeated names and empty values allowed here; presigning needs distinct names.
        var query: [(name: String, value: String)] = []
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            let name = chance(0.7) ? pick(queryNames) : text(1...6)
            let value = chance(0.25) ? "" : text(0...12)
            query.append((name, value))
            if chance(0.1) { query.append((name, text(0...4))) }
        }
        let url = endpoint.url(bucket: pick(buckets), key: key, query: query)

        var headers: [(String, String)] = []
        var signExtra: [String] = []
        if chance(0.5) { headers.append((randomCase("Content-Type"), pick(mimeTypes))) }
        if chance(0.2) { headers.append((randomCase("Content-MD5"), token("ABCDEFabcdef0123456789+/", 22) + "==")) }
        if chance(0.2) {
            let (first, last) = (Int.random(in: 0...99, using: &generator), Int.random(in: 100...9999, using: &generator))
            headers.append((randomCase("Range"), "bytes=\(first)-\(last)"))
        }
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            let name = "x-amz-meta-" + token("abcdefgh-", Int.random(in: 1...6, using: &generator))
            headers.append((randomCase(name), headerValue()))
            if chance(0.2) { headers.append((randomCase(name), headerValue())) }
        }
        if chance(0.2) {
            headers.append((randomCase("x-amz-storage-class"), pick(["STANDARD", "REDUCED_REDUNDANCY", " GLACIER "])))
        }
        if chance(0.1) { headers.append(("X-Amz-Date", "19990101T000000Z")) }  // stale: replaced on both sides
        if chance(0.1) { headers.append(("x-amz-content-sha256", "stale")) }
        for name in unsignedByDefault where chance(0.15) {
            headers.append((randomCase(name), headerValue()))
            if chance(0.5) { signExtra.append(chance(0.5) ? name : name.uppercased()) }
        }
        if chance(0.2) { headers.append(("User-Agent", "mlops/1.0  (linux)")) }

        let payload: PayloadHash
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: payload = .unsigned
        case 1: payload = .emptyBody
        default:
            let size = Int.random(in: 1...64, using: &generator)
            payload = .sha256(of: (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }

        // Timestamp written out independently of the signer's own formatting, plus a fraction of a second.
        let year = Int.random(in: 1970...2099, using: &generator)
        let month = Int.random(in: 1...12, using: &generator)
        let daysInMonth = [
            31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ][month - 1]
        let day = Int.random(in: 1...daysInMonth, using: &generator)
        let (hour, minute, second) = (
            Int.random(in: 0...23, using: &generator), Int.random(in: 0...59, using: &generator),
            Int.random(in: 0...59, using: &generator)
        )
        let timestamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", year, month, day, hour, minute, second)
        let date = SigV4TestSupport.date(timestamp).addingTimeInterval(Double.random(in: 0..<0.999, using: &generator))

        let base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
        let credentials = AWSCredentials(
            accessKeyID: "AKIA" + token("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            secretAccessKey: token(base64, 40),
            sessionToken: chance(0.3) ? token(base64 + "=", Int.random(in: 16...300, using: &generator)) : nil)

        var presign: Presign?
        let queryNamesDistinct = Set(query.map(\.name)).count == query.count
        if queryNamesDistinct, chance(0.75) {
            var presignHeaders: [(String, String)] = []
            if chance(0.4) {
                presignHeaders.append(
                    (randomCase("Content-Type"), pick(mimeTypes.filter { !$0.contains("form-urlencoded") })))
            }
            if chance(0.3) { presignHeaders.append(("x-amz-meta-owner", headerValue())) }
            if chance(0.2) { presignHeaders.append(("x-amz-acl", "private")) }
            let expires: Int64 =
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: 1
                case 1: 604_800
                default: Int64.random(in: 1...604_800, using: &generator)
                }
            presign = Presign(method: pick([.get, .put, .head, .delete]), expires: expires, headers: presignHeaders)
        }

        return OracleCase(
            id: id, method: pick([.get, .put, .head, .delete, .post]), url: url, headers: headers,
            signExtra: signExtra, payload: payload, timestamp: timestamp, date: date, region: region,
            credentials: credentials, presign: presign)
    }
}
