import Foundation
import Testing

/// The built `mlops s3 …` binary in cases that need no S3 server: input rejected before sending, the
/// configuration, and presigning (which is done locally).
@Suite("mlops s3 binary without a server")
struct S3BinaryTests {
    /// Nothing listens on the discard port: reaching it would exit with status 4.
    static let deadEndpoint: [String: String] = [
        "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-local-test-secret", "MLOPS_HTTP_RETRIES": "0",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/mlops-cli-tests/credentials",
    ]

    private func mlops(_ arguments: [String], environment: [String: String] = deadEndpoint) async throws -> CLIRunner.Result {
        try await CLIRunner.run(["s3"] + arguments, extraEnvironment: environment)
    }

    @Test(arguments: [
        (["ls", "s3:/bucket/key"], "s3:/bucket/key", "it does not start with s3://"),
        (["cp", "model.pkl", "s3://my bucket/model.pkl"], "s3://my bucket/model.pkl", "'my bucket'"),
        (["cp", "S3:bucket/key", "out.txt"], "S3:bucket/key", "it does not start with s3://"),
        (["rm", "s3://"], "s3://", "the bucket name is missing"),
        (["mb", "s3://Not_A_New_Name"], "s3://Not_A_New_Name", "lower-case"),
        (["mb", "s3://bucket/key"], "s3://bucket/key", "without a key"),
        (["rb", "s3://ab"], "s3://ab", "3 to 255"),
        (["presign", "s3://bucket"], "s3://bucket", "one object"),
        (["rm", "s3://bucket"], "s3://bucket", "--recursive"),
    ])
    func badURIsExitWithStatusSixNamingTheInput(arguments: [String], input: String, reason: String) async throws {
        let result = try await mlops(arguments)
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.hasPrefix("Error: invalid S3 URI '\(input)': "), "\(result)")
        #expect(result.stderr.contains(reason), "\(result)")
        #expect(result.duration < .seconds(10), "nothing was sent: \(result)")
    }

    @Test(arguments: [
        ["cp", "a.txt", "b.txt"],
        ["cp", "s3://bucket/a", "s3://bucket/b", "--content-type", "text/plain"],
        ["cp", "a.txt", "s3://bucket/a", "--concurrency", "0"],
        ["ls", "s3://bucket", "--no-such-flag"],
    ])
    func misusedCommandLinesExitWithStatusTwo(arguments: [String]) async throws {
        let result = try await mlops(arguments)
        #expect(result.status == 2, "\(result)")
    }

    @Test func localFilesAreCheckedBeforeSending() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let missing = try await mlops(["cp", directory.appendingPathComponent("nope.bin").path, "s3://bucket/"])
        #expect(missing.status == 3, "\(missing)")
        #expect(missing.stderr.contains("no such file: \(directory.path)/nope.bin"), "\(missing)")
        let notRecursive = try await mlops(["cp", directory.path, "s3://bucket/"])
        #expect(notRecursive.status == 6, "\(notRecursive)")
        #expect(notRecursive.stderr.contains("--recursive"), "\(notRecursive)")
        let prefix = try await mlops(["cp", "s3://bucket/dir/", directory.path])
        #expect(prefix.status == 6, "\(prefix)")
        #expect(prefix.stderr.contains("s3://bucket/dir/ names a bucket or prefix"), "\(prefix)")
    }

    /// Keys that SeaweedFS and the JuiceFS gateway refuse or normalise on upload come from a fake server
    /// that lists them (see `Tests/Fixtures/s3_hostile_listing_server.py`).
    @Test(arguments: [
        ("data/../../evil.txt", "'..' segment"),
        ("data/sub/../../../evil.txt", "'..' segment"),
        ("data/./x.txt", "'.' segment"),
        ("data//x.txt", "empty path segment"),
        ("data/..", "'..' segment"),
    ])
    func recursiveDownloadsRefuseKeysThatWouldLeaveTheDestination(key: String, reason: String) async throws {
        let server = try HostileS3Server(keys: ["data/a ok.txt", key, "data/z ok.txt"])
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-s3-\(UUID().uuidString)")
        let destination = directory.appendingPathComponent("one/two/out")
        var environment = Self.deadEndpoint
        environment["MLFLOW_S3_ENDPOINT_URL"] = server.url
        let result = try await mlops(["cp", "s3://bucket/data", destination.path, "--recursive"], environment: environment)
        #expect(result.status == 6, "\(result)")
        #expect(
            result.stderr == "Error: refusing to download s3://bucket/\(key): its key \(reasonText(reason)); nothing was downloaded\n",
            "\(result)")
        #expect(server.requests.allSatisfy { $0.hasPrefix("GET /bucket") && !$0.contains("ok.txt") }, "\(server.requests)")
        #expect(!FileManager.default.fileExists(atPath: directory.path), "nothing written")
    }

    private func reasonText(_ reason: String) -> String {
        switch reason {
        case "'..' segment": "has a '..' segment, which would leave the destination directory"
        case "'.' segment": "has a '.' segment"
        default: "has an empty path segment ('//' or a leading '/')"
        }
    }

    @Test func recursiveDownloadsFromTheFakeServerWorkForSafeKeys() async throws {
        let server = try HostileS3Server(keys: ["data/a ok.txt", "data/sub/b+ok.txt", "data/dir/"])
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-s3-\(UUID().uuidString)")
        var environment = Self.deadEndpoint
        environment["MLFLOW_S3_ENDPOINT_URL"] = server.url
        let result = try await mlops(["cp", "s3://bucket/data/", directory.path, "--recursive"], environment: environment)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "downloaded 2 files, 30 B, into \(directory.path)\n", "\(result)")
        #expect(try String(contentsOf: directory.appendingPathComponent("a ok.txt"), encoding: .utf8) == "data/a ok.txt")
        #expect(try String(contentsOf: directory.appendingPathComponent("sub/b+ok.txt"), encoding: .utf8) == "data/sub/b+ok.txt")
    }

    @Test func unreachableEndpointExitsWithStatusFour() async throws {
        let result = try await mlops(["ls", "s3://bucket", "--timeout", "2"])
        #expect(result.status == 4, "\(result)")
        #expect(result.stderr.contains("127.0.0.1:9"), "\(result)")
        #expect(!result.stderr.contains("wJalrXUtnFEMI"), "\(result)")
    }

    @Test func endpointURLFlagOverridesTheConfigurationAndIsNamedWhenInvalid() async throws {
        let result = try await mlops(["ls", "--endpoint-url", "ftp://storage.example"])
        #expect(result.status == 7, "\(result)")
        #expect(result.stderr.contains("MLFLOW_S3_ENDPOINT_URL") && result.stderr.contains("--endpoint-url"), "\(result)")
        #expect(result.stderr.contains("ftp://storage.example"), "\(result)")

        let presign = try await mlops(["presign", "s3://bucket/k", "--endpoint-url", "http://other.example:9000", "--region", "eu-west-3"])
        #expect(presign.status == 0, "\(presign)")
        #expect(presign.stdout.hasPrefix("http://other.example:9000/bucket/k?"), "\(presign)")
        #expect(presign.stdout.contains("%2Feu-west-3%2Fs3%2Faws4_request"), "\(presign)")
    }

    @Test func missingCredentialsAreAConfigurationError() async throws {
        var environment = Self.deadEndpoint
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        let result = try await mlops(["presign", "s3://bucket/key"], environment: environment)
        #expect(result.status == 7, "\(result)")
        #expect(result.stderr.contains("no AWS credentials found"), "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test func presignPrintsOnlyTheURLToStandardOutput() async throws {
        let result = try await mlops(["presign", "s3://bucket/dir/model v1+x.pkl", "--expires-in", "120", "--debug"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1, "\(result)")
        let url = String(lines[0])
        #expect(url.hasPrefix("http://127.0.0.1:9/bucket/dir/model%20v1%2Bx.pkl?X-Amz-Algorithm=AWS4-HMAC-SHA256&"), "\(result)")
        #expect(url.contains("X-Amz-Expires=120") && url.contains("X-Amz-Signature="), "\(result)")
        #expect(result.stderr.contains("AWS_SECRET_ACCESS_KEY=***"), "--debug shows the configuration: \(result)")
        #expect(!result.stderr.contains("X-Amz-Signature") && !result.stderr.contains("wJalrXUtnFEMI"), "\(result)")
    }

    @Test(arguments: ["0", "604801"])
    func presignLifetimesOutOfRangeExitWithStatusSix(seconds: String) async throws {
        let result = try await mlops(["presign", "s3://bucket/key", "--expires-in", seconds])
        #expect(result.status == 6, "\(result)")
        #expect(result.stderr.contains("presigned URL lifetime"), "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }
}
