import Foundation
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// `mlops s3 cp` through `Tests/Fixtures/fault_proxy.py` to the real S3 servers: whatever fault the
/// proxy injects (connection resets mid-response, truncated bodies, stalls, 5xx storms, garbage), the
/// command ends without a signal within a bound, and either the transfer completed byte-identical or it
/// failed leaving no partial local file, no object other than a complete copy of the source, and no
/// open multipart upload (checked on the real server directly, not through the proxy).
@Suite("mlops s3 cp through a fault proxy to real S3 servers", .enabled(if: CLIS3Servers.enabled))
struct S3FaultProxyTests {
    typealias Mode = FaultProxy.Mode

    /// What is copied, and for how long the fault lasts.
    enum Scenario: String, CaseIterable, Sendable, CustomStringConvertible {
        /// A 1 MiB upload (one PUT) whose first PUT is faulted: the retry completes it.
        case uploadFaultedOnce = "upload, one PUT faulted"
        /// A 1 MiB upload whose every PUT is faulted: the command fails.
        case uploadFaultedAlways = "upload, every PUT faulted"
        /// A 17 MiB multipart upload (3 parts) whose second part upload is faulted once.
        case multipartFaultedOnce = "multipart upload, one part faulted"
        /// A multipart upload whose every part upload is faulted after the first: the command fails and
        /// aborts the upload (its abort, a DELETE, passes).
        case multipartFaultedAlways = "multipart upload, every later part faulted"
        /// A 17 MiB download (ranged GETs) whose second GET is faulted once.
        case downloadFaultedOnce = "download, one GET faulted"
        /// A download whose every GET is faulted.
        case downloadFaultedAlways = "download, every GET faulted"

        var description: String { rawValue }

        var isUpload: Bool { self != .downloadFaultedOnce && self != .downloadFaultedAlways }
        var size: Int {
            switch self {
            case .uploadFaultedOnce, .uploadFaultedAlways: 1 << 20
            default: (17 << 20) + 4321  // above the 16 MiB multipart threshold: 3 parts or ranges
            }
        }
        /// The proxy's setting: pass `after` requests of `methods`, then fault `count` (nil: all).
        var fault: (after: Int, count: Int?, methods: [String]) {
            switch self {
            case .uploadFaultedOnce: (0, 1, ["PUT"])
            case .uploadFaultedAlways: (0, nil, ["PUT"])
            case .multipartFaultedOnce: (1, 1, ["PUT"])
            case .multipartFaultedAlways: (1, nil, ["PUT"])
            case .downloadFaultedOnce: (1, 1, ["GET"])
            case .downloadFaultedAlways: (0, nil, ["GET"])
            }
        }
        /// Whether the command must succeed: a single fault is within the retries.
        var mustSucceed: Bool {
            switch self {
            case .uploadFaultedOnce, .multipartFaultedOnce, .downloadFaultedOnce: true
            default: false
            }
        }
    }

    static let faultModes: [Mode] = [.reset, .truncate, .stall, .error, .garbage]

    /// Every combination, per server.
    static let cases: [(String, Mode, Scenario)] = CLIS3Servers.names.flatMap { server in
        faultModes.flatMap { mode in Scenario.allCases.map { (server, mode, $0) } }
    }

    @Test(arguments: cases)
    func copyCompletesOrLeavesNothingBehind(serverName: String, mode: Mode, scenario: Scenario) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        let client = try server.client()
        let bucket = CLIS3Servers.uniqueBucket()
        try await client.createBucket(bucket)
        let directory = try CLIS3Servers.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try await run(server: server, client: client, bucket: bucket, directory: directory, mode: mode, scenario: scenario)
        } catch {
            await empty(bucket, client: client)
            throw error
        }
        await empty(bucket, client: client)
    }

    private func run(
        server: CLIS3Server, client: S3Client, bucket: String, directory: URL, mode: Mode, scenario: Scenario
    ) async throws {
        let bytes = CLIS3Servers.randomBytes(scenario.size)
        let key = "faults/object.bin"
        let local = directory.appendingPathComponent(scenario.isUpload ? "source.bin" : "downloads/copy.bin")
        if scenario.isUpload {
            try bytes.write(to: local)
        } else {
            try FileManager.default.createDirectory(at: local.deletingLastPathComponent(), withIntermediateDirectories: true)
            // Put the object with the library straight to the server; only the download crosses the proxy.
            let source = directory.appendingPathComponent("source.bin")
            try bytes.write(to: source)
            let put = try await CLIRunner.run(["s3", "cp", source.path, "s3://\(bucket)/\(key)"], extraEnvironment: server.environment)
            try #require(put.status == 0, "\(put)")
        }

        let upstream = try #require(URL(string: server.url))
        let proxy = try FaultProxy(upstream: upstream, stallSeconds: 3)
        let fault = scenario.fault
        try await proxy.setMode(mode, after: fault.after, count: fault.count, methods: fault.methods)
        var environment = server.environment
        environment["MLFLOW_S3_ENDPOINT_URL"] = proxy.url.absoluteString
        // Two retries after the first attempt: a single fault is absorbed, a storm is not.
        environment["MLOPS_HTTP_RETRIES"] = "2"
        let arguments = scenario.isUpload
            ? ["s3", "cp", local.path, "s3://\(bucket)/\(key)"] : ["s3", "cp", "s3://\(bucket)/\(key)", local.path]
        let result = try await CLIRunner.run(arguments, extraEnvironment: environment)
        let stats = try await proxy.stats()
        proxy.stop()

        #expect(!result.endedBySignal, "\(result)")
        #expect(stats.faults >= 1, "the proxy injected no fault: \(stats)")
        // Three attempts, each at most a 3 s stall, with back-off, for up to 3 parts; the margin is for
        // a loaded machine.
        #expect(result.duration < .seconds(90), "\(result)")
        if scenario.mustSucceed {
            #expect(result.status == 0, "\(mode), \(scenario): \(stats)\n\(result)")
        } else {
            #expect(result.status != 0, "\(mode), \(scenario): \(stats)\n\(result)")
        }
        if result.status != 0 {
            #expect(result.stderr.hasPrefix("Error: "), "\(result)")
        }

        // On the server, straight: either a complete copy or nothing, and no upload left open.
        #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty, "\(mode), \(scenario): an upload is left open")
        if try await client.objectExists(bucket: bucket, key: key) {
            #expect(try await client.getObject(bucket: bucket, key: key) == bytes, "\(mode), \(scenario): object differs")
            // A failed upload leaves an object only when the server got the request and its answer was
            // lost on the way back (reset, truncate): then the server has the whole object. Stalls, 5xx
            // and garbage never reach the server, and a failed upload leaves nothing.
            if scenario.isUpload && result.status != 0 {
                #expect(mode == .reset || mode == .truncate, "\(mode), \(scenario): an object after a failed upload")
            }
        } else {
            #expect(result.status != 0 && scenario.isUpload, "\(mode), \(scenario): no object after \(result)")
        }
        // Locally: the downloaded file complete, or no file at all (no temporary file either).
        if !scenario.isUpload {
            let left = try FileManager.default.contentsOfDirectory(atPath: local.deletingLastPathComponent().path)
            if result.status == 0 {
                #expect(left == ["copy.bin"], "\(left)")
                #expect(try Data(contentsOf: local) == bytes, "\(mode), \(scenario): download differs")
            } else {
                #expect(left.isEmpty, "\(mode), \(scenario): left \(left)")
            }
        } else {
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["source.bin"])
        }
    }

    /// Deletes every object, aborts every upload and deletes the bucket, straight on the server.
    private func empty(_ bucket: String, client: S3Client) async {
        if let uploads = try? await client.listMultipartUploads(bucket: bucket) {
            for upload in uploads {
                try? await client.abortMultipartUpload(bucket: bucket, key: upload.key, uploadID: upload.uploadID)
            }
        }
        var keys: [String] = []
        do {
            for try await object in client.listObjects(bucket: bucket) { keys.append(object.key) }
        } catch {}
        if !keys.isEmpty { _ = try? await client.deleteObjects(bucket: bucket, keys: keys) }
        try? await client.deleteBucket(bucket)
    }
}
