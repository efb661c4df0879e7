import Foundation
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Multipart uploads, ranged downloads and what is left behind when they fail, against every real S3
/// server.
@Suite(.enabled(if: S3TestServers.enabled), .serialized)
struct S3TransferTests {
    @Test(arguments: S3TestServers.names)
    func multipartUploadAndRangedDownloadAreByteIdentical(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: (12 << 20) + 12_345)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let reports = ProgressLog()
            let result = try await client.uploadFile(
                at: file, bucket: bucket, key: "models/big model.bin", progress: { reports.append($0) })
            #expect(result.partCount == 3)
            #expect(result.size == (12 << 20) + 12_345)
            #expect(result.eTag?.hasSuffix("-3") == true)
            #expect(reports.values.last?.completedBytes == result.size)
            #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty)

            let copy = file.deletingLastPathComponent().appendingPathComponent("copy.bin")
            let downloaded = try await client.downloadObject(bucket: bucket, key: "models/big model.bin", to: copy)
            #expect(downloaded.size == result.size)
            #expect(try Data(contentsOf: copy) == Data(contentsOf: file))
            #expect(try leftovers(in: copy.deletingLastPathComponent()).isEmpty)
        }
    }

    @Test(arguments: S3TestServers.names)
    func smallFilesGoInOneRequestAndDownloadAtomically(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: 300_000)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let result = try await client.uploadFile(at: file, bucket: bucket, key: "small")
            #expect(result.partCount == nil)
            #expect(result.eTag?.count == 32)
            let target = file.deletingLastPathComponent().appendingPathComponent("small.out")
            try await client.downloadObject(bucket: bucket, key: "small", to: target)
            #expect(try Data(contentsOf: target) == Data(contentsOf: file))
        }
    }

    @Test(arguments: S3TestServers.names)
    func aFailedPartAbortsTheUploadAndLeavesNoObject(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: 16 << 20)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        // Part uploads after the first fail like a dropped connection that never recovers.
        let transport = FaultInjectingTransport { request, count in
            request.operationName == "UploadPart" && count > 1 ? .fail(.connectionLost) : nil
        }
        var configuration = S3TestServers.smallParts
        configuration.retryPolicy = RetryPolicy(maximumAttempts: 2, initialBackoff: .milliseconds(10))
        let client = try server.client(configuration: configuration, transport: transport)
        try await S3TestServers.withBucket(on: server) { (_: S3Client, bucket: String) async throws in
            let error = await #expect(throws: HTTPTransportError.self) {
                try await client.uploadFile(at: file, bucket: bucket, key: "doomed")
            }
            #expect(error?.code == .connectionLost)
            #expect(error?.attempts == 2)
            #expect(transport.operations.contains("AbortMultipartUpload"))
            #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty)
            #expect(try await client.objectExists(bucket: bucket, key: "doomed") == false)
        }
    }

    @Test(arguments: S3TestServers.names)
    func aPartChangedAfterSigningIsRefusedAndTheUploadAborted(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: 12 << 20)
        let directory = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Part 2 is sent from a file of the same length with other bytes: only the part's SHA-256 (in
        // the signature, and in x-amz-checksum-sha256) can tell.
        let impostor = try S3TestServers.randomFile(size: 12 << 20)
        defer { try? FileManager.default.removeItem(at: impostor.deletingLastPathComponent()) }
        let tampering = FaultInjectingTransport { request, _ in
            guard request.operationName == "UploadPart", request.url.query?.contains("partNumber=2") == true else { return nil }
            return .alter { request in
                var changed = request
                if case .fileRegion(_, let offset, let length) = request.body {
                    changed.body = .fileRegion(impostor, offset: offset, length: length)
                }
                return changed
            }
        }
        let client = try server.client(transport: tampering)
        try await S3TestServers.withBucket(on: server) { (_: S3Client, bucket: String) async throws in
            let error = await #expect(throws: S3Error.self) {
                try await client.uploadFile(at: file, bucket: bucket, key: "tampered")
            }
            #expect(
                [.xAmzContentSHA256Mismatch, .badDigest, .signatureDoesNotMatch, S3Error.Code(rawValue: "InvalidDigest")]
                    .contains(error?.code), "\(String(describing: error))")
            #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty)
            #expect(try await client.objectExists(bucket: bucket, key: "tampered") == false)
        }
    }

    @Test(arguments: S3TestServers.names)
    func aCancelledUploadIsAborted(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: 16 << 20)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        // Later parts wait, so the task is cancelled while they are in flight.
        let transport = FaultInjectingTransport { request, count in
            request.operationName == "UploadPart" && count > 1 ? .delay(.seconds(30)) : nil
        }
        let client = try server.client(transport: transport)
        try await S3TestServers.withBucket(on: server) { (_: S3Client, bucket: String) async throws in
            let upload = Task { try await client.uploadFile(at: file, bucket: bucket, key: "cancelled") }
            try await waitUntil { transport.operations.filter { $0 == "UploadPart" }.count >= 2 }
            upload.cancel()
            let result = await upload.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(transport.operations.last == "AbortMultipartUpload")
            #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty)
            #expect(try await client.objectExists(bucket: bucket, key: "cancelled") == false)
        }
    }

    @Test(arguments: S3TestServers.names)
    func aFailedDownloadLeavesNothingAtTheDestination(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: 11 << 20)
        let directory = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            try await client.uploadFile(at: file, bucket: bucket, key: "object")
            let failing = FaultInjectingTransport { request, count in
                request.operationName == "GetObject" && count == 2 ? .fail(.tls) : nil
            }
            let target = directory.appendingPathComponent("target.bin")
            try Data("previous version".utf8).write(to: target)
            await #expect(throws: HTTPTransportError.self) {
                try await server.client(transport: failing).downloadObject(bucket: bucket, key: "object", to: target)
            }
            #expect(try Data(contentsOf: target) == Data("previous version".utf8))
            #expect(try leftovers(in: directory).isEmpty)
        }
    }

    @Test(arguments: S3TestServers.names)
    func corruptedDownloadsAreChecksumErrors(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let big = try S3TestServers.randomFile(size: 11 << 20)
        let directory = big.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            try await client.uploadFile(at: big, bucket: bucket, key: "multipart")
            try await client.putObject(Data(repeating: 7, count: 4096), bucket: bucket, key: "single")
            let corrupting = FaultInjectingTransport { request, _ in
                request.operationName == "GetObject" ? .corruptDownload : nil
            }
            let corrupted = try server.client(transport: corrupting)
            // A multipart ETag can only be checked when the server says how large the parts were.
            for key in server.answersPartNumberHeads ? ["single", "multipart"] : ["single"] {
                let target = directory.appendingPathComponent("\(key).out")
                let error = await #expect(throws: S3TransferError.self) {
                    try await corrupted.downloadObject(bucket: bucket, key: key, to: target)
                }
                #expect(error?.code == .checksumMismatch, "\(key)")
                #expect(!FileManager.default.fileExists(atPath: target.path), "\(key)")
            }
            #expect(try leftovers(in: directory).isEmpty)
        }
    }

    @Test(arguments: S3TestServers.names)
    func replacingTheObjectMidDownloadIsDetected(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let file = try S3TestServers.randomFile(size: 11 << 20)
        let directory = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            try await client.uploadFile(at: file, bucket: bucket, key: "moving")
            // The object is replaced after the first range, as another writer could at any time.
            let replacing = FaultInjectingTransport { request, count in
                guard request.operationName == "GetObject", count == 2 else { return nil }
                return .before { try await client.putObject(Data("replacement".utf8), bucket: bucket, key: "moving") }
            }
            var configuration = S3TestServers.smallParts
            configuration.concurrency = 1
            let target = directory.appendingPathComponent("moving.out")
            let error = await #expect(throws: S3TransferError.self) {
                try await server.client(configuration: configuration, transport: replacing)
                    .downloadObject(bucket: bucket, key: "moving", to: target)
            }
            #expect(error?.code == .objectChanged)
            #expect(!FileManager.default.fileExists(atPath: target.path))
            #expect(try leftovers(in: directory).isEmpty)
        }
    }

    /// Temporary download files left in `directory`.
    func leftovers(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".partial-") }
    }

    func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Progress reports collected from any task.
final class ProgressLog: Sendable {
    private let storage = Mutex<[S3TransferProgress]>([])
    func append(_ progress: S3TransferProgress) { storage.withLock { $0.append(progress) } }
    var values: [S3TransferProgress] { storage.withLock { $0 } }
}
