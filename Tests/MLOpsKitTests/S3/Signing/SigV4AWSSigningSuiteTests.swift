import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The AWS Signature V4 test suite, as maintained in `awslabs/aws-c-auth`
/// (`tests/aws-signing-test-suite/v4`, Apache-2.0), read in place from the shared vectors folder beside the
/// repository.
///
/// Every case signs the same request twice: with headers (`header-*` files) and as a presigned URL
/// (`query-*` files). Both must reproduce the canonical request, the string to sign and the signature
/// byte for byte. The suite signs for a generic service (`service`), so the signer is set up the way
/// each case's `context.json` says: path normalisation when `normalize` is true, `x-amz-content-sha256`
/// only when `sign_body` is true, a presigned payload hash of the body (where S3 would use
/// `UNSIGNED-PAYLOAD`), and the session token left out of the signature when `omit_session_token` is
/// true. With those settings no case is excluded: all 38 header and 38 query cases run.
@Suite("SigV4: AWS signing test suite (aws-c-auth v4)")
struct SigV4AWSSigningSuiteTests {
    static let directory = SigV4TestSupport.sharedVectors
        .appendingPathComponent("aws-c-auth-sigv4/tests/aws-signing-test-suite/v4", isDirectory: true)

    /// The suite is read from `<repo>/../shared/vectors`. A checkout without that folder cannot run these
    /// tests; they are then skipped with this message, unless the vectors are required
    /// (``SigV4TestSupport/vectorsRequired(_:)``): then the count test fails.
    static let isAvailable = SigV4TestSupport.exists(directory)
    static let runs = SigV4TestSupport.runsVectorSuite(available: isAvailable)
    static let skipMessage: Comment = "aws-c-auth SigV4 vectors not found at <repo>/../shared/vectors/aws-c-auth-sigv4"

    static var caseNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { SigV4TestSupport.exists(directory.appendingPathComponent("\($0)/context.json")) }
            .sorted()
    }

    @Test(.enabled(if: runs, skipMessage))
    func suiteHasAllThirtyEightCases() {
        guard SigV4TestSupport.requireVectors(at: Self.directory) else { return }
        #expect(Self.caseNames.count == 38)
    }

    @Test("header signing", .enabled(if: isAvailable, skipMessage), arguments: caseNames)
    func headerSigning(name: String) throws {
        let suiteCase = try SuiteCase(name: name, directory: Self.directory)
        let request = TransportRequest(
            method: TransportMethod(rawValue: suiteCase.method), url: suiteCase.url,
            headers: TransportHeaders(suiteCase.headers), body: suiteCase.body.isEmpty ? .none : .bytes(suiteCase.body))
        let (signed, details) = suiteCase.signer.signWithDetails(
            request, payload: .sha256(of: suiteCase.body), date: suiteCase.date,
            additionalSignedHeaders: Set(suiteCase.headers.map(\.0)))

        #expect(details.canonicalRequest == (try suiteCase.file("header-canonical-request.txt")))
        #expect(details.stringToSign == (try suiteCase.file("header-string-to-sign.txt")))
        #expect(details.signature == (try suiteCase.file("header-signature.txt")))

        // The signed request's added headers are the suite's, value for value.
        let expected = try suiteCase.signedRequestHeaders("header-signed-request.txt")
        for name in ["Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256"] {
            #expect(signed.headers[name] == expected[name], "\(name)")
        }
    }

    @Test("query signing (presigned URLs)", .enabled(if: isAvailable, skipMessage), arguments: caseNames)
    func querySigning(name: String) throws {
        let suiteCase = try SuiteCase(name: name, directory: Self.directory)
        let (url, details) = try suiteCase.signer.presignWithDetails(
            method: TransportMethod(rawValue: suiteCase.method), url: suiteCase.url,
            expiresIn: .seconds(suiteCase.context.expirationInSeconds), date: suiteCase.date,
            signedHeaders: TransportHeaders(suiteCase.headers), payload: .sha256(of: suiteCase.body))

        #expect(details.canonicalRequest == (try suiteCase.file("query-canonical-request.txt")))
        #expect(details.stringToSign == (try suiteCase.file("query-string-to-sign.txt")))
        #expect(details.signature == (try suiteCase.file("query-signature.txt")))

        // Same parameters as the suite's signed URL; the order of parameters in a URL is not significant.
        let expectedTarget = try suiteCase.requestLine("query-signed-request.txt").target
        let expectedQuery = expectedTarget.split(separator: "?", maxSplits: 1).last.map(String.init) ?? ""
        #expect(Self.parameters(url.query(percentEncoded: true) ?? "") == Self.parameters(expectedQuery))
    }

    /// Query parameters in canonical encoding, sorted, for an order-insensitive comparison.
    static func parameters(_ query: String) -> [String] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return parts.map { SigV4Encoding.canonicalize($0) }.joined(separator: "=")
        }.sorted()
    }
}

/// One case directory of the suite.
struct SuiteCase {
    struct Context: Decodable {
        struct Credentials: Decodable {
            var accessKeyID: String
            var secretAccessKey: String
            var token: String?

            enum CodingKeys: String, CodingKey {
                case accessKeyID = "access_key_id"
                case secretAccessKey = "secret_access_key"
                case token
            }
        }

        var credentials: Credentials
        var expirationInSeconds: Int64
        var normalize: Bool
        var region: String
        var service: String
        var signBody: Bool
        var timestamp: String
        var omitSessionToken: Bool?

        enum CodingKeys: String, CodingKey {
            case credentials, normalize, region, service, timestamp
            case expirationInSeconds = "expiration_in_seconds"
            case signBody = "sign_body"
            case omitSessionToken = "omit_session_token"
        }
    }

    let directory: URL
    let context: Context
    let method: String
    let url: URL
    let headers: [(String, String)]
    let body: Data

    init(name: String, directory suiteDirectory: URL) throws {
        directory = suiteDirectory.appendingPathComponent(name, isDirectory: true)
        context = try JSONDecoder().decode(
            Context.self, from: Data(contentsOf: directory.appendingPathComponent("context.json")))
        let request = try Self.parseRequest(
            String(decoding: Data(contentsOf: directory.appendingPathComponent("request.txt")), as: UTF8.self))
        method = request.method
        headers = request.headers
        body = request.body
        let host = try #require(request.headers.first { $0.0.lowercased() == "host" }?.1)
        url = try #require(URL(string: "https://\(host)\(Self.escapingForURL(request.target))"))
    }

    var date: Date { SigV4TestSupport.date(context.timestamp) }

    var signer: SigV4Signer {
        var signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: context.credentials.accessKeyID, secretAccessKey: context.credentials.secretAccessKey,
                sessionToken: context.credentials.token),
            region: context.region, service: context.service, normalizesPath: context.normalize)
        signer.addsContentSHA256Header = context.signBody
        signer.omitsSessionTokenFromSignature = context.omitSessionToken ?? false
        return signer
    }

    func file(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: directory.appendingPathComponent(name)), as: UTF8.self)
    }

    func requestLine(_ name: String) throws -> (method: String, target: String) {
        let request = try Self.parseRequest(try file(name))
        return (request.method, request.target)
    }

    /// The headers of a signed request file, by name (the last value of each).
    func signedRequestHeaders(_ name: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in try Self.parseRequest(try file(name)).headers {
            let canonicalName =
                [
                    "authorization": "Authorization", "x-amz-date": "X-Amz-Date",
                    "x-amz-security-token": "X-Amz-Security-Token", "x-amz-content-sha256": "X-Amz-Content-SHA256",
                ][name.lowercased()] ?? name
            result[canonicalName] = value
        }
        return result
    }

    /// A raw HTTP/1.1 request as the suite writes it: the request line (its target may contain spaces and
    /// raw UTF-8), `Name:value` headers, folded continuation lines (leading whitespace), a blank line, and
    /// the body.
    static func parseRequest(_ text: String) throws -> (
        method: String, target: String, headers: [(String, String)], body: Data
    ) {
        let parts = text.components(separatedBy: "\n\n")
        let head = parts[0]
        let body = parts.dropFirst().joined(separator: "\n\n")
        var lines = head.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if let version = target.range(of: " HTTP/", options: .backwards) {
            target = String(target[..<version.lowerBound])
        }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                let previous = headers.popLast()
                let last = try #require(previous)
                headers.append((last.0, last.1 + " " + line))
            } else {
                let colon = try #require(line.firstIndex(of: ":"))
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        return (method, target, headers, Data(body.utf8))
    }

    /// `target` with the characters a URL cannot hold (spaces, raw UTF-8) percent-encoded and everything
    /// else, including existing escapes, left alone.
    static func escapingForURL(_ target: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%".utf8)
        return target.utf8.map { byte in
            allowed.contains(byte) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
    }
}
