import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// One of the real S3 servers `scripts/services-up` starts (SeaweedFS and the JuiceFS gateway), as the
/// `mlops s3` end-to-end tests reach it: through the environment variables `mlops` reads, and through a
/// library client for fixtures and checks.
struct CLIS3Server: Sendable, CustomStringConvertible {
    var name: String
    var url: String
    var accessKeyID: String
    var secretAccessKey: String
    var region: String
    /// A second identity allowed only to read, where the server has one (SeaweedFS).
    var readOnlyCredentials: (accessKeyID: String, secretAccessKey: String)?

    var description: String { "\(name) at \(url)" }

    /// The variables that point `mlops` at this server, and away from any shared credentials file.
    var environment: [String: String] {
        [
            "MLFLOW_S3_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey,
            "AWS_REGION": region, "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/mlops-cli-tests/credentials",
        ]
    }

    /// A library client of this server, for fixtures and for checking what `mlops` did.
    func client() throws -> S3Client {
        guard let url = URL(string: url) else { throw CLIS3Servers.MissingServer(name: name, variable: "URL") }
        return S3Client(
            endpoint: try S3Endpoint(url: url, region: region, addressingStyle: .path),
            credentials: StaticCredentialProvider(AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)))
    }
}

/// Where the `mlops s3` tests find their servers: `MLOPSKIT_TEST_S3_<NAME>_{URL,ACCESS_KEY,SECRET_KEY,REGION}`
/// from the services' env file, as the library's integration tests read them. Absent servers skip the
/// tests unless services were required (`MLOPSKIT_REQUIRE_SERVICES=1`, as `scripts/test` sets): then the
/// tests fail.
enum CLIS3Servers {
    /// The servers every `mlops s3` end-to-end test runs against.
    static let names = ["seaweedfs", "juicefs"]

    static var enabled: Bool {
        CLIRunner.environment["MLOPSKIT_REQUIRE_SERVICES"] == "1"
            || names.contains { CLIRunner.environment[variable($0, "URL")] != nil }
    }

    struct MissingServer: Error, CustomStringConvertible {
        var name: String
        var variable: String
        var description: String {
            "the \(name) S3 server is not configured (\(CLIS3Servers.variable(name, variable)) is not set or invalid); "
                + "start it with MLOPSKIT_SERVICES=\"seaweedfs juicefs\" scripts/services-up"
        }
    }

    static func variable(_ name: String, _ field: String) -> String {
        "MLOPSKIT_TEST_S3_\(name.uppercased())_\(field)"
    }

    /// The server called `name`, or an error naming the missing variable.
    static func server(named name: String) throws -> CLIS3Server {
        func value(_ field: String) throws -> String {
            guard let value = CLIRunner.environment[variable(name, field)], !value.isEmpty else {
                throw MissingServer(name: name, variable: field)
            }
            return value
        }
        var readOnly: (String, String)?
        if let key = CLIRunner.environment[variable(name, "READONLY_ACCESS_KEY")],
            let secret = CLIRunner.environment[variable(name, "READONLY_SECRET_KEY")]
        {
            readOnly = (key, secret)
        }
        return CLIS3Server(
            name: name, url: try value("URL"), accessKeyID: try value("ACCESS_KEY"),
            secretAccessKey: try value("SECRET_KEY"),
            region: CLIRunner.environment[variable(name, "REGION")] ?? "us-east-1", readOnlyCredentials: readOnly)
    }

    /// A bucket name no other test run uses.
    static func uniqueBucket() -> String {
        "mlops-cli-\(UUID().uuidString.prefix(12).lowercased())"
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-cli-s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// `size` pseudo-random bytes.
    static func randomBytes(_ size: Int) -> Data { MLOpsKitTestSupport.randomBytes(size) }

    /// Every regular file below `directory` by relative path, with its contents.
    static func tree(at directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = directory.resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return files }
        while let relative = enumerator.nextObject() as? String {
            let path = base + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    /// Writes `files` (relative path → contents) below `directory`.
    static func write(_ files: [String: Data], under directory: URL) throws {
        for (relative, data) in files {
            let file = directory.appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }
    }
}
