import Foundation
import MLOpsKit
import Testing

/// The built `mlops s3 …` binary against the real S3 servers (SeaweedFS and the JuiceFS gateway).
@Suite("mlops s3 against real S3 servers", .enabled(if: CLIS3Servers.enabled))
struct S3ServerTests {
    private func mlops(
        _ arguments: [String], _ server: CLIS3Server, environment: [String: String] = [:]
    ) async throws -> CLIRunner.Result {
        try await CLIRunner.run(["s3"] + arguments, extraEnvironment: server.environment.merging(environment) { $1 })
    }

    /// Creates a bucket with `mlops s3 mb`, runs `body`, then removes it with the library (whatever the
    /// test did to it).
    private func withBucket(
        on server: CLIS3Server, _ body: (String) async throws -> Void
    ) async throws {
        let bucket = CLIS3Servers.uniqueBucket()
        let made = try await mlops(["mb", "s3://\(bucket)"], server)
        try #require(made.status == 0, "\(made)")
        do {
            try await body(bucket)
        } catch {
            try? await removeBucket(bucket, server: server)
            throw error
        }
        try? await removeBucket(bucket, server: server)
    }

    private func removeBucket(_ bucket: String, server: CLIS3Server) async throws {
        let client = try server.client()
        guard try await client.bucketExists(bucket) else { return }
        _ = try await mlops(["rb", "s3://\(bucket)", "--force"], server)
    }

    // MARK: Buckets and listings

    @Test(arguments: CLIS3Servers.names)
    func makeBucketTwiceAndListBuckets(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        let bucket = CLIS3Servers.uniqueBucket()
        let made = try await mlops(["mb", "s3://\(bucket)", "--json"], server)
        #expect(made.status == 0, "\(made)")
        let output = try made.jsonObject()
        #expect(output["bucket"] as? String == bucket && output["created"] as? Bool == true, "\(made)")

        let again = try await mlops(["mb", "s3://\(bucket)"], server)
        #expect(again.status == 5, "\(again)")
        #expect(again.stderr.contains("'\(bucket)' already exists"), "\(again)")
        let ignored = try await mlops(["mb", "s3://\(bucket)", "--ignore-existing", "--json"], server)
        #expect(ignored.status == 0, "\(ignored)")
        #expect(try ignored.jsonObject()["created"] as? Bool == false, "\(ignored)")

        let list = try await mlops(["ls"], server)
        #expect(list.status == 0, "\(list)")
        #expect(list.stdout.split(separator: "\n").contains { $0.hasSuffix(" \(bucket)") }, "\(list)")
        let json = try await mlops(["ls", "--json"], server)
        let buckets = try #require(try json.jsonObject()["buckets"] as? [[String: Any]], "\(json)")
        #expect(buckets.contains { $0["name"] as? String == bucket }, "\(json)")

        let removed = try await mlops(["rb", "s3://\(bucket)"], server)
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stdout == "removed bucket s3://\(bucket)\n", "\(removed)")
        let gone = try await mlops(["ls", "s3://\(bucket)"], server)
        #expect(gone.status == 3, "\(gone)")
        #expect(gone.stderr.contains("bucket '\(bucket)' does not exist"), "\(gone)")
    }

    @Test(arguments: CLIS3Servers.names)
    func listsOneLevelRecursivelyAndAsJSON(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            let directory = try CLIS3Servers.temporaryDirectory()
            let file = directory.appendingPathComponent("hello.txt")
            try Data("hello\n".utf8).write(to: file)
            for destination in ["s3://\(bucket)/top.txt", "s3://\(bucket)/dir/", "s3://\(bucket)/dir/sub/deep.txt"] {
                let copied = try await mlops(["cp", file.path, destination], server)
                #expect(copied.status == 0, "\(copied)")
            }

            let root = try await mlops(["ls", "s3://\(bucket)"], server)
            #expect(root.status == 0, "\(root)")
            let rootLines = root.stdout.split(separator: "\n").map(String.init)
            #expect(rootLines.first == String(repeating: " ", count: 27) + "PRE dir/", "\(root)")
            #expect(rootLines.count == 2 && rootLines[1].hasSuffix("          6 top.txt"), "\(root)")
            // yyyy-mm-dd hh:mm:ss
            #expect(rootLines[1].wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +6 top\.txt/) != nil, "\(root)")

            let level = try await mlops(["ls", "s3://\(bucket)/dir/"], server)
            #expect(level.status == 0, "\(level)")
            let levelLines = level.stdout.split(separator: "\n").map(String.init)
            #expect(levelLines.first?.hasSuffix("PRE sub/") == true, "\(level)")
            #expect(levelLines.contains { $0.hasSuffix(" hello.txt") }, "\(level)")

            let recursive = try await mlops(["ls", "s3://\(bucket)", "--recursive", "--summarize", "--human-readable"], server)
            #expect(recursive.status == 0, "\(recursive)")
            for key in ["top.txt", "dir/hello.txt", "dir/sub/deep.txt"] {
                #expect(recursive.stdout.contains("6 B \(key)\n"), "\(key): \(recursive)")
            }
            #expect(!recursive.stdout.contains("PRE"), "\(recursive)")
            #expect(recursive.stdout.hasSuffix("\nTotal Objects: 3\n   Total Size: 18 B\n"), "\(recursive)")

            let json = try await mlops(["ls", "s3://\(bucket)/dir/", "--json"], server)
            #expect(json.status == 0, "\(json)")
            let object = try json.jsonObject()
            #expect(object["bucket"] as? String == bucket && object["prefix"] as? String == "dir/", "\(json)")
            #expect(object["common_prefixes"] as? [String] == ["dir/sub/"], "\(json)")
            let objects = try #require(object["objects"] as? [[String: Any]], "\(json)")
            #expect(objects.map { $0["key"] as? String } == ["dir/hello.txt"], "\(json)")
            #expect(objects.first?["size"] as? Int == 6, "\(json)")
            #expect((objects.first?["last_modified"] as? String)?.hasSuffix("Z") == true, "\(json)")
            #expect(object["total_objects"] as? Int == 1 && object["total_size"] as? Int == 6, "\(json)")
        }
    }

    // MARK: Copies

    @Test(arguments: CLIS3Servers.names)
    func multipartUploadAndDownloadsToAFileAndADirectory(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            let directory = try CLIS3Servers.temporaryDirectory()
            let bytes = CLIS3Servers.randomBytes((17 << 20) + 12345)  // above the 16 MiB multipart threshold
            let file = directory.appendingPathComponent("model.bin")
            try bytes.write(to: file)

            let upload = try await mlops(["cp", file.path, "s3://\(bucket)/models/", "--json"], server)
            #expect(upload.status == 0, "\(upload)")
            let output = try upload.jsonObject()
            #expect(output["operation"] as? String == "upload" && output["bytes"] as? Int == bytes.count, "\(upload)")
            let files = try #require(output["files"] as? [[String: Any]], "\(upload)")
            #expect(files.first?["destination"] as? String == "s3://\(bucket)/models/model.bin", "\(upload)")
            #expect(upload.stderr.isEmpty, "no progress line when standard error is not a terminal: \(upload)")

            let attributes = try await server.client().headObject(bucket: bucket, key: "models/model.bin")
            #expect(attributes.size == Int64(bytes.count))
            if server.name == "seaweedfs" {
                #expect(attributes.eTag?.hasSuffix("-3") == true, "uploaded in 3 parts: \(attributes)")
            }

            let asFile = directory.appendingPathComponent("out/renamed.bin")
            let download = try await mlops(["cp", "s3://\(bucket)/models/model.bin", asFile.path], server)
            #expect(download.status == 0, "\(download)")
            #expect(download.stdout == "downloaded 1 file, 17.0 MiB, into \(asFile.path)\n", "\(download)")
            #expect(try Data(contentsOf: asFile) == bytes)

            let intoDirectory = directory.appendingPathComponent("out")
            let intoExisting = try await mlops(["cp", "s3://\(bucket)/models/model.bin", intoDirectory.path], server)
            #expect(intoExisting.status == 0, "\(intoExisting)")
            #expect(try Data(contentsOf: intoDirectory.appendingPathComponent("model.bin")) == bytes)

            let newDirectory = directory.appendingPathComponent("new/dir/").path + "/"
            let intoNew = try await mlops(["cp", "s3://\(bucket)/models/model.bin", newDirectory, "--quiet"], server)
            #expect(intoNew.status == 0 && intoNew.stdout.isEmpty, "\(intoNew)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: newDirectory + "model.bin")) == bytes)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: intoDirectory.path)
            #expect(Set(leftovers) == ["renamed.bin", "model.bin"], "no temporary files left: \(leftovers)")
        }
    }

    @Test(arguments: CLIS3Servers.names)
    func recursiveCopiesBothWaysAndWithinTheServerKeepAwkwardNames(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            let directory = try CLIS3Servers.temporaryDirectory()
            let tree: [String: Data] = [
                "top.txt": Data("top".utf8),
                "with space/a b.txt": Data("spaces".utf8),
                "plus+sign/c+d=e&f.txt": Data("plus".utf8),
                "ünïcødé/ファイル.txt": Data("unicode".utf8),
                "deep/er/and/deeper/%41 literal.bin": CLIS3Servers.randomBytes(70_000),
            ]
            let source = directory.appendingPathComponent("source")
            try CLIS3Servers.write(tree, under: source)

            let upload = try await mlops(["cp", source.path, "s3://\(bucket)/tree", "--recursive", "--concurrency", "2"], server)
            #expect(upload.status == 0, "\(upload)")
            #expect(upload.stdout.hasPrefix("uploaded 5 files, "), "\(upload)")
            #expect(upload.stdout.hasSuffix(", to s3://\(bucket)/tree\n"), "\(upload)")
            let keys = try await server.client().listObjects(bucket: bucket, prefix: "tree/").collect().map(\.key)
            #expect(Set(keys.filter { !$0.hasSuffix("/") }) == Set(tree.keys.map { "tree/" + $0 }), "\(keys)")

            // A key beside the prefix, not under it: s3://bucket/tree means tree/…
            let besideFile = directory.appendingPathComponent("beside.txt")
            try Data("beside".utf8).write(to: besideFile)
            let beside = try await mlops(["cp", besideFile.path, "s3://\(bucket)/tree-beside.txt"], server)
            #expect(beside.status == 0, "\(beside)")

            let downloaded = directory.appendingPathComponent("downloaded")
            let download = try await mlops(["cp", "s3://\(bucket)/tree", downloaded.path, "--recursive", "--json"], server)
            #expect(download.status == 0, "\(download)")
            #expect(try download.jsonObject()["operation"] as? String == "download", "\(download)")
            #expect(try CLIS3Servers.tree(at: downloaded) == tree)

            let copy = try await mlops(["cp", "s3://\(bucket)/tree/", "s3://\(bucket)/copy/", "--recursive"], server)
            #expect(copy.status == 0, "\(copy)")
            #expect(copy.stdout.hasPrefix("copied 5 files, "), "\(copy)")
            let copied = try await server.client().listObjects(bucket: bucket, prefix: "copy/").collect().map(\.key)
            #expect(Set(copied.filter { !$0.hasSuffix("/") }) == Set(tree.keys.map { "copy/" + $0 }), "\(copied)")

            let single = try await mlops(["cp", "s3://\(bucket)/tree/ünïcødé/ファイル.txt", "s3://\(bucket)/single/"], server)
            #expect(single.status == 0, "\(single)")
            #expect(single.stdout == "copied 1 file, 7 B, to s3://\(bucket)/single/ファイル.txt\n", "\(single)")
            let body = try await server.client().getObject(bucket: bucket, key: "single/ファイル.txt")
            #expect(body == Data("unicode".utf8))
        }
    }

    /// Both servers refuse keys with `..` segments (the fake server of `S3BinaryTests` lists such keys to
    /// test the download side); a server that stored one would have it refused on the way down.
    @Test(arguments: CLIS3Servers.names)
    func keysThatWouldLeaveADirectoryAreRefusedOnOneSideOrTheOther(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            let directory = try CLIS3Servers.temporaryDirectory()
            let file = directory.appendingPathComponent("evil.txt")
            try Data("evil".utf8).write(to: file)
            let upload = try await mlops(["cp", file.path, "s3://\(bucket)/data/../../evil.txt"], server)
            let keys = try await server.client().listObjects(bucket: bucket).collect().map(\.key)
            if upload.status != 0 {
                #expect(upload.status == 5, "\(upload)")
                #expect(upload.stderr.contains("s3://\(bucket)/data/../../evil.txt"), "names the key: \(upload)")
                #expect(keys.isEmpty, "\(keys)")
                return
            }
            guard keys.contains(where: { $0.contains("..") }) else { return }  // normalised to a safe key
            let destination = directory.appendingPathComponent("inner/out")
            let download = try await mlops(["cp", "s3://\(bucket)/data", destination.path, "--recursive"], server)
            #expect(download.status == 6, "\(download)")
            #expect(!FileManager.default.fileExists(atPath: destination.path))
        }
    }

    // MARK: Deleting

    @Test(arguments: CLIS3Servers.names)
    func removeRecursivelyThenForceRemoveTheBucket(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        let bucket = CLIS3Servers.uniqueBucket()
        #expect(try await mlops(["mb", "s3://\(bucket)"], server).status == 0)
        let client = try server.client()
        for index in 0..<7 {
            try await client.putObject(Data("\(index)".utf8), bucket: bucket, key: "logs/run \(index)/out+\(index).txt")
        }
        try await client.putObject(Data("keep".utf8), bucket: bucket, key: "logs-archive/keep.txt")
        try await client.putObject(Data("keep".utf8), bucket: bucket, key: "other/keep.txt")

        let removed = try await mlops(["rm", "s3://\(bucket)/logs", "--recursive"], server)
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stdout == "deleted 7 objects from s3://\(bucket)/logs/\n", "\(removed)")
        let left = try await client.listObjects(bucket: bucket).collect().map(\.key).filter { !$0.hasSuffix("/") }
        #expect(Set(left) == ["logs-archive/keep.txt", "other/keep.txt"], "\(left)")

        let one = try await mlops(["rm", "s3://\(bucket)/other/keep.txt", "--json"], server)
        #expect(one.status == 0, "\(one)")
        #expect(try one.jsonObject()["deleted"] as? Int == 1, "\(one)")
        #expect(try await !client.objectExists(bucket: bucket, key: "other/keep.txt"))

        let notEmpty = try await mlops(["rb", "s3://\(bucket)"], server)
        #expect(notEmpty.status == 5, "\(notEmpty)")
        #expect(notEmpty.stderr.contains("'\(bucket)' is not empty"), "\(notEmpty)")

        let forced = try await mlops(["rb", "s3://\(bucket)", "--force", "--json"], server)
        #expect(forced.status == 0, "\(forced)")
        #expect(try forced.jsonObject()["deleted_objects"] as? Int ?? 0 >= 1, "\(forced)")
        #expect(try await !client.bucketExists(bucket))
    }

    /// SeaweedFS has a read-only identity: DeleteObjects answers with a failure per key.
    @Test(arguments: CLIS3Servers.names)
    func keysTheServerRefusesToDeleteAreListedAndFailTheCommand(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        guard let readOnly = server.readOnlyCredentials else { return }
        try await withBucket(on: server) { bucket in
            let client = try server.client()
            for key in ["logs/a.txt", "logs/b c.txt"] { try await client.putObject(Data("x".utf8), bucket: bucket, key: key) }
            let environment = ["AWS_ACCESS_KEY_ID": readOnly.accessKeyID, "AWS_SECRET_ACCESS_KEY": readOnly.secretAccessKey]

            let removed = try await mlops(["rm", "s3://\(bucket)/logs/", "--recursive"], server, environment: environment)
            #expect(removed.status == 7, "access denied: \(removed)")
            #expect(removed.stdout == "deleted 0 objects from s3://\(bucket)/logs/\n", "\(removed)")
            #expect(removed.stderr.contains("failed to delete s3://\(bucket)/logs/a.txt: AccessDenied"), "\(removed)")
            #expect(removed.stderr.contains("failed to delete s3://\(bucket)/logs/b c.txt: AccessDenied"), "\(removed)")
            #expect(removed.stderr.hasSuffix("Error: 2 objects in s3://\(bucket) could not be deleted\n"), "\(removed)")
            #expect(!removed.stderr.contains(readOnly.secretAccessKey), "\(removed)")

            let json = try await mlops(["rm", "s3://\(bucket)/logs/", "--recursive", "--json"], server, environment: environment)
            #expect(json.status == 7, "\(json)")
            let output = try json.jsonObject()
            #expect(output["deleted"] as? Int == 0, "\(json)")
            let failed = try #require(output["failed"] as? [[String: Any]], "\(json)")
            #expect(failed.compactMap { $0["key"] as? String }.sorted() == ["logs/a.txt", "logs/b c.txt"], "\(json)")
            #expect(failed.allSatisfy { $0["code"] as? String == "AccessDenied" }, "\(json)")
            #expect(try await client.objectExists(bucket: bucket, key: "logs/a.txt"))

            let forced = try await mlops(["rb", "s3://\(bucket)", "--force"], server, environment: environment)
            #expect(forced.status == 7, "\(forced)")
            #expect(try await client.bucketExists(bucket), "kept")
        }
    }

    // MARK: Presigning

    @Test(arguments: CLIS3Servers.names)
    func presignedURLsDownloadAndUploadWithoutCredentials(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            let client = try server.client()
            try await client.putObject(Data("shared model".utf8), bucket: bucket, key: "shared/model v1.txt")

            let get = try await mlops(["presign", "s3://\(bucket)/shared/model v1.txt", "--expires-in", "300", "--debug"], server)
            #expect(get.status == 0, "\(get)")
            let text = get.stdout.trimmingCharacters(in: .newlines)
            #expect(!text.contains("\n") && text.contains("X-Amz-Signature="), "one URL: \(get)")
            #expect(text.contains("X-Amz-Expires=300"), "\(get)")
            #expect(!get.stderr.contains("X-Amz-Signature") && !get.stderr.contains(text), "never on stderr: \(get)")
            #expect(!get.stderr.contains(server.secretAccessKey), "\(get)")
            let url = try #require(URL(string: text))
            let fetched = try await CurlTransport().send(TransportRequest(url: url))
            #expect(fetched.status == 200, "\(fetched.bodyText)")
            #expect(fetched.body == Data("shared model".utf8))

            let put = try await mlops(["presign", "s3://\(bucket)/uploads/new.txt", "--put", "--json"], server)
            #expect(put.status == 0, "\(put)")
            let output = try put.jsonObject()
            #expect(output["method"] as? String == "PUT" && output["expires_in"] as? Int == 3600, "\(put)")
            let putURL = try #require((output["url"] as? String).flatMap(URL.init(string:)))
            let uploaded = try await CurlTransport().send(
                TransportRequest(method: .put, url: putURL, body: .bytes(Data("via presigned PUT".utf8))))
            #expect(uploaded.isSuccess, "\(uploaded.status) \(uploaded.bodyText)")
            #expect(try await client.getObject(bucket: bucket, key: "uploads/new.txt") == Data("via presigned PUT".utf8))
        }
    }

    // MARK: Errors

    @Test(arguments: CLIS3Servers.names)
    func wrongSecretIsRefusedWithoutPrintingIt(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            try await server.client().putObject(Data("x".utf8), bucket: bucket, key: "x.txt")
            let wrongSecret = "wrong-secret-\(UUID().uuidString)"
            let directory = try CLIS3Servers.temporaryDirectory()
            for arguments in [
                ["ls", "s3://\(bucket)"],
                ["cp", "s3://\(bucket)/x.txt", directory.path, "--debug"],
                ["cp", "s3://\(bucket)/x.txt", "s3://\(bucket)/y.txt"],
                ["rm", "s3://\(bucket)/x.txt"],
            ] {
                let result = try await mlops(arguments, server, environment: ["AWS_SECRET_ACCESS_KEY": wrongSecret])
                #expect(result.status == 7, "\(result)")
                #expect(result.stderr.contains("Error: the S3 server"), "\(result)")
                #expect(result.stderr.contains("s3://\(bucket)"), "names the bucket: \(result)")
                #expect(result.stderr.contains("AWS_SECRET_ACCESS_KEY"), "says what to check: \(result)")
                #expect(!result.stderr.contains(wrongSecret) && !result.stdout.contains(wrongSecret), "\(result)")
                #expect(!result.stderr.contains(server.secretAccessKey), "\(result)")
            }
            #expect(try await server.client().objectExists(bucket: bucket, key: "x.txt"))
        }
    }

    @Test(arguments: CLIS3Servers.names)
    func missingKeysAndBucketsExitWithStatusThree(serverName: String) async throws {
        let server = try CLIS3Servers.server(named: serverName)
        try await withBucket(on: server) { bucket in
            let directory = try CLIS3Servers.temporaryDirectory()
            let download = try await mlops(["cp", "s3://\(bucket)/no/such key.txt", directory.path], server)
            #expect(download.status == 3, "\(download)")
            #expect(download.stderr == "Error: s3://\(bucket)/no/such key.txt not found\n", "\(download)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)

            let copy = try await mlops(["cp", "s3://\(bucket)/missing", "s3://\(bucket)/copy"], server)
            #expect(copy.status == 3, "\(copy)")
            #expect(copy.stderr.contains("s3://\(bucket)/missing not found"), "\(copy)")

            let missingBucket = CLIS3Servers.uniqueBucket()
            let list = try await mlops(["ls", "s3://\(missingBucket)/x"], server)
            #expect(list.status == 3, "\(list)")
            #expect(list.stderr.contains("bucket '\(missingBucket)' does not exist"), "\(list)")

            let missingFile = try await mlops(["cp", directory.appendingPathComponent("nope.bin").path, "s3://\(bucket)/"], server)
            #expect(missingFile.status == 3, "\(missingFile)")
            #expect(missingFile.stderr.contains("nope.bin"), "\(missingFile)")
        }
    }
}
