import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Inputs the fuzzers (Fuzz/, scripts/fuzz) found to crash a parser or break a property it promises,
/// each checked against the fixed parser; and every committed seed replayed through its fuzz target.
@Suite("Fuzzing: regressions and seed corpus")
struct FuzzRegressionTests {
    // MARK: Seed corpus

    /// Fuzz/Corpus, found from this file's path.
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    @Test("every seed passes its fuzz target's checks", arguments: FuzzTargets.all.map(\.name))
    func seedCorpus(target: String) throws {
        let body = try #require(FuzzTargets.body(named: target))
        let folder = Self.corpus.appendingPathComponent(target)
        let seeds = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!seeds.isEmpty, "no seeds in Fuzz/Corpus/\(target)")
        for seed in seeds {
            let data = try Data(contentsOf: folder.appendingPathComponent(seed))
            #expect(throws: Never.self, "\(target)/\(seed)") { try body(data) }
        }
    }

    @Test("every target has a seed folder and every seed folder a target")
    func corpusFolders() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(folders == FuzzTargets.all.map(\.name).sorted())
    }

    // MARK: Crashes and broken properties found

    /// The inputs the fuzzers saved, by target.
    static let foundInputs: [(target: String, input: [UInt8])] = [
        ("docker-host", [0x74, 0x63, 0x70, 0x3A, 0x2F, 0x2F, 0xB5]),
        ("config-values", Array((String(repeating: "6", count: 44) + "\u{0}" + String(repeating: "6", count: 26) + ", 8").utf8)),
        ("config-values", Array("1e30".utf8)),
        ("s3-uri", [0x49, 0x6E, 0x74, 0x0A, 0xCC, 0xA1, 0x2D, 0x2D, 0x0B, 0x0A]),
        ("tar-path", [0xC6, 0x02, 0x00]),
        ("http-target", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x0A, 0x3F, 0xD8, 0x9A, 0x9B, 0x9B, 0x64, 0x64]),
        ("model-uri", Array("Runs:/s/".utf8) + [0x8C] + Array("////////".utf8) + [0xCA] + Array(" //////".utf8)),
        ("model-uri", Array("runs:/ /////".utf8)),
        ("model-uri", Array("s3:// /".utf8)),
        ("docker-events", Array(#"{"Type": "container", "Action": "die", "time": 1764400005400005}"#.utf8)),
        ("retry-after", Array("M, 16 Dec 20333333333333333326 1:00:00 GMT".utf8)),
        ("config-values", [0x2C, 0x28, 0x2C, 0x20, 0xD8, 0x82, 0x2C, 0x2C, 0x20]),
        ("s3-headers", Array("Content-Length: -1048576\nContent-Range: bytes 0-1048575/".utf8) + [UInt8](repeating: 0, count: 15)
            + Array("5368709120\nETag: \"d41d8cd98f00b204e9800998ecf8427e-3\"\nx-amz-server-side-encryption: aws:kms\n".utf8)),
    ]

    /// Each input the fuzzers saved, replayed through its fuzz target: no trap, no property violation.
    @Test("found inputs pass their targets", arguments: Self.foundInputs.indices)
    func foundInput(index: Int) throws {
        let (target, input) = Self.foundInputs[index]
        let body = try #require(FuzzTargets.body(named: target))
        #expect(throws: Never.self, "\(target) input \(index)") { try body(Data(input)) }
    }

    @Test("DOCKER_HOST with a host no URL can hold is refused, not a crash when the URL is built")
    func dockerHostWithUnusableHost() {
        #expect(throws: DockerError.self) { try DockerHost(parsing: "tcp://\u{FFFD}") }
        #expect(throws: DockerError.self) { try DockerHost(parsing: "tcp://docker host:2375") }
        #expect(DockerHost(endpoint: .tcp(host: "docker host", port: 2375)).baseURL == nil)
        #expect((try? DockerHost(parsing: "tcp://[fe80::1%eth0]:2376"))?.description == "tcp://[fe80::1%eth0]:2376")
        #expect((try? DockerHost(parsing: "tcp://docker.internal"))?.baseURL?.absoluteString == "http://docker.internal:2375")
    }

    @Test("a number of seconds too large for Duration is out of range, not a trap")
    func hugeSeconds() {
        for text in ["1e30", "6666666666666666666666666666666666666666666", "1000000000.5"] {
            let value = ConfigurationValue(key: .trackingURI, value: text, source: .environment)
            #expect(throws: ConfigurationError.self, "\(text)") { try value.positiveSeconds() }
            #expect((try? value.positiveSeconds()) == nil)
        }
        let largest = ConfigurationValue(key: .trackingURI, value: "1000000000", source: .environment)
        #expect((try? largest.positiveSeconds()) == .seconds(1_000_000_000))
    }

    @Test("negative sizes in a response's headers are no sizes, and a multipart ETag needs a positive part count")
    func s3HeaderSizes() {
        let negative = S3ObjectAttributes(key: "k", headers: ["Content-Length": "-1048576"])
        #expect(negative.size == 0)
        let range = S3ObjectAttributes(key: "k", headers: ["Content-Length": "10", "Content-Range": "bytes 0-9/-5"])
        #expect(range.size == 10)
        let total = S3ObjectAttributes(key: "k", headers: ["Content-Length": "10", "Content-Range": "bytes 0-9/5368709120"])
        #expect(total.size == 5_368_709_120)
        let zeroParts = S3ObjectAttributes(key: "k", headers: ["ETag": "\"d41d8cd98f00b204e9800998ecf8427e-0\""])
        #expect(zeroParts.multipartPartCount == nil)
        let threeParts = S3ObjectAttributes(key: "k", headers: ["ETag": "\"d41d8cd98f00b204e9800998ecf8427e-3\""])
        #expect(threeParts.multipartPartCount == 3)
    }

    @Test("a list value is split at every comma, even one after a prepended mark")
    func listAfterPrependedMark() {
        let value = ConfigurationValue(key: .trackingURI, value: ",(, \u{602},, Production", source: .environment)
        #expect(value.list() == ["(", "\u{602}", "Production"])
    }

    @Test("an S3 key that starts with a combining mark survives description and parsing")
    func s3KeyWithLeadingCombiningMark() throws {
        let uri = try S3URI(bucket: "Int", key: "\u{321}--\u{B}\n")
        #expect(uri.description == "s3://Int/\u{321}--\u{B}\n")
        #expect(try S3URI(parsing: uri.description) == uri)
        #expect(try S3URI(parsing: "S3://bucket/\u{301}x").key == "\u{301}x")
        // Bytes that only look like the scheme when bit 5 is ignored are not it.
        #expect(throws: S3URIError.self) { try S3URI(parsing: "s3\u{1A}//bucket/key") }
    }

    @Test("tar paths: a NUL is refused, and .. is found on bytes, not Characters")
    func tarPathBytes() {
        var archive = TarArchive()
        #expect(throws: TarArchive.Failure.invalidPath("\u{FFFD}\u{2}\u{0}")) {
            try archive.addFile("\u{FFFD}\u{2}\u{0}", contents: Data())
        }
        #expect(throws: TarArchive.Failure.invalidLinkTarget("x\u{0}y")) {
            try archive.addSymbolicLink("link", target: "x\u{0}y")
        }
        // `../\u{301}x` is the Characters `.`, `.`, `/\u{301}`, `x`; its first component is still `..`.
        #expect(throws: TarArchive.Failure.invalidPath("../\u{301}x")) {
            try archive.addFile("../\u{301}x", contents: Data())
        }
        #expect(throws: TarArchive.Failure.invalidPath("./\u{301}/../../x")) {
            try archive.addFile("./\u{301}/../../x", contents: Data())
        }
        #expect(throws: Never.self) { try archive.addFile("./model/cafe\u{301}.txt", contents: Data("x".utf8)) }
    }

    @Test("the agent's request target is split at the first '?' byte, even before a combining mark")
    func requestTargetBytes() {
        let request = AutoserveHTTPRequest(method: "get", target: "/status?\u{61A}name=iris%20v2&\u{301}=x")
        #expect(request.path == "/status")
        #expect(request.query == ["\u{61A}name": "iris v2", "\u{301}": "x"])
        let plain = AutoserveHTTPRequest(method: "GET", target: "/status?model_name=iris+v2&alias=%50roduction&flag")
        #expect(plain.query == ["model_name": "iris v2", "alias": "Production", "flag": ""])
    }

    @Test("model URIs that would render with trailing whitespace are refused")
    func modelURITrailingWhitespace() {
        for text in ["runs:/s/\u{FFFD}////////\u{FFFD} //////", "runs:/ /////", "s3:// /"] {
            #expect(throws: ModelURIError.self, "\(text)") { try ModelURI(parsing: text) }
        }
        #expect((try? ModelURI(parsing: "runs:/abc/model///")) == .runArtifact(runID: "abc", path: "model"))
    }

    @Test("a Docker event whose time overflows nanoseconds is not decoded, and not a crash")
    func dockerEventTimeOverflow() throws {
        let line = Data(#"{"Type": "container", "Action": "die", "Actor": {"ID": "4f6c"}, "time": 1764400005400005}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DockerEvent.self, from: line) }
        let fine = Data(#"{"Type": "container", "Action": "die", "time": 1764400005}"#.utf8)
        #expect(try JSONDecoder().decode(DockerEvent.self, from: fine).timeNano == 1_764_400_005_000_000_000)
    }

    @Test("Retry-After dates with more than four year digits are not dates, and not a crash")
    func retryAfterHugeYear() {
        let now = Date(timeIntervalSince1970: 1_765_000_000)
        #expect(HTTPDate.secondsSince1970("M, 16 Dec 20333333333333333326 1:00:00 GMT") == nil)
        #expect(RetryPolicy.retryAfter("Sun, 06 Nov 300000000 08:49:37 GMT", now: now) == nil)
        #expect(HTTPDate.secondsSince1970("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(RetryPolicy.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now: now) != nil)
    }
}
