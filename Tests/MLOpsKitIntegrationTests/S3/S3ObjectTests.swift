import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// Object and bucket operations against every real S3 server.
@Suite(.enabled(if: S3TestServers.enabled), .serialized)
struct S3ObjectTests {
    /// Keys that break naive encoders: spaces, unicode, `+ = & ? % ~`, `#`, escapes that look decoded.
    /// (Keys with `.` or `..` segments or `//` are valid on AWS, but both test servers store objects as
    /// files: they refuse the first and merge the slashes of the second.)
    static let awkwardKeys = [
        "plain.txt", "with space/and more.txt", "unicode/ünïcödé-😀.bin", "symbols/+=&?%~#!$'()*,;@[].txt",
        "percent/100%25-done", "tilde~/a~b", "plus+minus-/a+b", "trailing-space ",
        "encoded%2Fslash",
    ]

    @Test(arguments: S3TestServers.names)
    func putGetHeadDeleteRoundTripsAwkwardKeys(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            for (index, key) in Self.awkwardKeys.enumerated() {
                let data = Data("content \(index) of \(key)".utf8)
                let put = try await client.putObject(
                    data, bucket: bucket, key: key, contentType: "text/plain", metadata: ["run-id": "r\(index)"])
                #expect(put.size == Int64(data.count))
                #expect(try await client.getObject(bucket: bucket, key: key) == data, "\(key)")
                let head = try await client.headObject(bucket: bucket, key: key)
                #expect(head.size == Int64(data.count))
                #expect(head.eTag == put.eTag)
                if server.keepsUserMetadata { #expect(head.metadata["run-id"] == "r\(index)", "\(key)") }
            }
            let listed = try await client.listObjects(bucket: bucket).collect().map(\.key)
            #expect(Set(listed) == Set(Self.awkwardKeys))
            for key in Self.awkwardKeys {
                try await client.deleteObject(bucket: bucket, key: key)
                #expect(try await client.objectExists(bucket: bucket, key: key) == false, "\(key)")
            }
        }
    }

    @Test(arguments: S3TestServers.names)
    func missingKeysAndBucketsAreTypedNotFound(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let get = await #expect(throws: S3Error.self) { try await client.getObject(bucket: bucket, key: "absent") }
            #expect(get?.code == .noSuchKey)
            #expect(get?.key == "absent")
            let head = await #expect(throws: S3Error.self) { try await client.headObject(bucket: bucket, key: "absent") }
            #expect(head?.isNotFound == true)
            #expect(try await client.bucketExists(bucket))
            #expect(try await client.bucketExists(bucket + "-absent") == false)
            let list = await #expect(throws: S3Error.self) {
                try await client.listObjects(bucket: bucket + "-absent").collect()
            }
            #expect(list?.code == .noSuchBucket)
        }
    }

    @Test(arguments: S3TestServers.names)
    func rangesAndStreamedChunksReturnExactBytes(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let data = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await client.putObject(data, bucket: bucket, key: "ranged")
            #expect(try await client.getObject(bucket: bucket, key: "ranged", range: 10...19) == data[10...19])
            #expect(try await client.getObject(bucket: bucket, key: "ranged", range: 99_990...99_999) == data[99_990...])
            let beyond = await #expect(throws: S3Error.self) {
                try await client.getObject(bucket: bucket, key: "ranged", range: 200_000...200_010)
            }
            #expect(beyond?.code == .invalidRange)

            var chunks: [Data] = []
            for try await chunk in client.objectContents(bucket: bucket, key: "ranged", chunkSize: 30_000) {
                chunks.append(chunk)
            }
            #expect(chunks.map(\.count) == [30_000, 30_000, 30_000, 10_000])
            #expect(chunks.reduce(Data(), +) == data)

            try await client.putObject(Data(), bucket: bucket, key: "empty")
            var emptyChunks = 0
            for try await _ in client.objectContents(bucket: bucket, key: "empty") { emptyChunks += 1 }
            #expect(emptyChunks == 0)
            #expect(try await client.getObject(bucket: bucket, key: "empty").isEmpty)
        }
    }

    @Test(arguments: S3TestServers.names)
    func listingPagesWithDelimiterAndSmallPages(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let keys = (0..<7).map { "runs/a/file-\($0)" } + ["runs/b/x", "runs/c d/y", "top"]
            for key in keys { try await client.putObject(Data(key.utf8), bucket: bucket, key: key) }

            var pageSizes: [Int] = []
            var all: [String] = []
            for try await page in client.listObjectPages(bucket: bucket, prefix: "runs/", pageSize: 3) {
                pageSizes.append(page.objects.count)
                all += page.objects.map(\.key)
            }
            #expect(pageSizes == [3, 3, 3])
            #expect(all == keys.filter { $0.hasPrefix("runs/") }.sorted())

            var prefixes: [String] = []
            var direct: [String] = []
            for try await page in client.listObjectPages(bucket: bucket, delimiter: "/") {
                prefixes += page.commonPrefixes
                direct += page.objects.map(\.key)
            }
            #expect(prefixes == ["runs/"])
            #expect(direct == ["top"])
            var nested: [String] = []
            for try await page in client.listObjectPages(bucket: bucket, prefix: "runs/", delimiter: "/") {
                nested += page.commonPrefixes
            }
            #expect(nested == ["runs/a/", "runs/b/", "runs/c d/"])
            let sizes = try await client.listObjects(bucket: bucket, prefix: "runs/a/").collect().map(\.size)
            #expect(sizes == Array(repeating: Int64("runs/a/file-0".utf8.count), count: 7))
        }
    }

    @Test(arguments: S3TestServers.names)
    func deleteObjectsWorksInBatchesOfAThousand(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let keys = (0..<1_005).map { String(format: "batch/k-%04d & <x>", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: keys.count, by: 100) {
                    let slice = keys[chunk..<min(keys.count, chunk + 100)]
                    group.addTask { for key in slice { try await client.putObject(Data(), bucket: bucket, key: key) } }
                }
                try await group.waitForAll()
            }
            #expect(try await client.listObjects(bucket: bucket, prefix: "batch/").collect().count == 1_005)
            let result = try await client.deleteObjects(bucket: bucket, keys: keys)
            #expect(result.failures.isEmpty)
            #expect(result.deleted.count == 1_005)
            #expect(try await client.listObjects(bucket: bucket, prefix: "batch/").collect().isEmpty)
        }
    }

    @Test(arguments: S3TestServers.names)
    func copyKeepsOrReplacesMetadata(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        try await S3TestServers.withBucket(on: server) { (client: S3Client, bucket: String) async throws in
            let data = Data("model bytes".utf8)
            try await client.putObject(data, bucket: bucket, key: "src/model pkl", metadata: ["stage": "test"])
            let copy = try await client.copyObject(fromBucket: bucket, key: "src/model pkl", toBucket: bucket, key: "dst/model+copy")
            #expect(copy.eTag != nil)
            #expect(try await client.getObject(bucket: bucket, key: "dst/model+copy") == data)
            guard server.keepsUserMetadata else { return }
            #expect(try await client.headObject(bucket: bucket, key: "dst/model+copy").metadata["stage"] == "test")
            try await client.copyObject(
                fromBucket: bucket, key: "src/model pkl", toBucket: bucket, key: "dst/replaced",
                metadata: ["stage": "production"])
            #expect(try await client.headObject(bucket: bucket, key: "dst/replaced").metadata["stage"] == "production")
        }
    }

    @Test(arguments: S3TestServers.names)
    func bucketsAreCreatedListedAndDeleted(serverName: String) async throws {
        let server = try S3TestServers.server(named: serverName)
        let client = try server.client()
        let bucket = IntegrationEnvironment.uniqueName("mlopskit-bucket")
        try await client.createBucket(bucket)
        try await client.createBucket(bucket, ignoringExisting: true)
        #expect(try await client.listBuckets().map(\.name).contains(bucket))
        try await client.putObject(Data("x".utf8), bucket: bucket, key: "k")
        let notEmpty = await #expect(throws: S3Error.self) { try await client.deleteBucket(bucket) }
        #expect(notEmpty?.code == .bucketNotEmpty)
        try await client.deleteObject(bucket: bucket, key: "k")
        try await client.deleteBucket(bucket)
        #expect(try await client.bucketExists(bucket) == false)
    }
}
