import ArgumentParser
import Foundation
import MLOpsKit
import Testing

@testable import MLOpsCLI

@Suite("mlops s3: arguments, key paths and error mapping")
struct S3CommandTests {
    // MARK: Parsing

    @Test func copyParsesItsFlags() throws {
        let command = try #require(
            try MLOps.parseAsRoot([
                "s3", "cp", "dir", "s3://bucket/prefix/", "--recursive", "--content-type", "text/csv", "--concurrency", "2",
                "--quiet", "--endpoint-url", "http://127.0.0.1:9000", "--region", "eu-west-1", "--json",
            ]) as? S3Command.Copy)
        #expect(command.source == "dir" && command.destination == "s3://bucket/prefix/")
        #expect(command.recursive && command.quiet && command.concurrency == 2)
        #expect(command.contentType == "text/csv")
        #expect(command.options.json)
        #expect(
            command.options.configurationFlags == [
                "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_REGION": "eu-west-1",
            ])
    }

    @Test func listDefaultsToBuckets() throws {
        let command = try #require(try MLOps.parseAsRoot(["s3", "ls"]) as? S3Command.List)
        #expect(command.uri == nil && !command.recursive && !command.humanReadable && !command.summarize)
        let full = try #require(
            try MLOps.parseAsRoot(["s3", "ls", "s3://b0b/x", "--recursive", "--human-readable", "--summarize"])
                as? S3Command.List)
        #expect(full.uri == "s3://b0b/x" && full.recursive && full.humanReadable && full.summarize)
    }

    @Test func otherSubcommandsParse() throws {
        let remove = try #require(try MLOps.parseAsRoot(["s3", "rm", "s3://b0b/k", "--recursive"]) as? S3Command.Remove)
        #expect(remove.recursive)
        let make = try #require(try MLOps.parseAsRoot(["s3", "mb", "s3://b0b", "--ignore-existing"]) as? S3Command.MakeBucket)
        #expect(make.ignoreExisting)
        let removeBucket = try #require(try MLOps.parseAsRoot(["s3", "rb", "s3://b0b", "--force"]) as? S3Command.RemoveBucket)
        #expect(removeBucket.force)
        let presign = try #require(try MLOps.parseAsRoot(["s3", "presign", "s3://b0b/k"]) as? S3Command.Presign)
        #expect(presign.expiresIn == 3600 && !presign.put)
        let put = try #require(
            try MLOps.parseAsRoot(["s3", "presign", "s3://b0b/k", "--put", "--expires-in", "60"]) as? S3Command.Presign)
        #expect(put.expiresIn == 60 && put.put)
    }

    @Test(arguments: [
        ["s3", "cp", "a", "b"],
        ["s3", "cp", "s3://b0b/a", "s3://b0b/b", "--content-type", "text/plain"],
        ["s3", "cp", "a", "s3://b0b/a", "--concurrency", "0"],
        ["s3", "cp", "a"],
    ])
    func misusedCopiesAreUsageErrors(arguments: [String]) {
        do {
            _ = try MLOps.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            #expect(ErrorReporter.report(for: error).exitCode == .usage)
        }
    }

    @Test func locationsStartingWithS3ColonAreURIs() throws {
        #expect(try S3Location(argument: "s3://b0b/k") == .s3(try S3URI(parsing: "s3://b0b/k")))
        #expect(try S3Location(argument: "./s3:x") == .local("./s3:x"))
        #expect(try S3Location(argument: "data/file.csv") == .local("data/file.csv"))
        #expect(throws: S3URIError(input: "s3:/b0b/k", reason: "it does not start with s3://")) {
            _ = try S3Location(argument: "s3:/b0b/k")
        }
    }

    // MARK: Keys and local paths

    @Test(arguments: [
        ("data/a.txt", "data/", "a.txt"),
        ("data/with space/ü+x.txt", "data/", "with space/ü+x.txt"),
        ("a.txt", "", "a.txt"),
        ("data/..hidden/x", "data/", "..hidden/x"),
        ("data/x..", "data/", "x.."),
    ])
    func keysMapToRelativePaths(key: String, prefix: String, relative: String) throws {
        #expect(try S3TransferPaths.relativePath(forKey: key, under: prefix, bucket: "b0b") == relative)
    }

    @Test(arguments: ["data/", "data/sub/"])
    func directoryMarkersAreSkipped(key: String) throws {
        #expect(try S3TransferPaths.relativePath(forKey: key, under: "data/", bucket: "b0b") == nil)
    }

    @Test(arguments: [
        ("data/../evil", "'..' segment"),
        ("data/a/../../evil", "'..' segment"),
        ("data/..", "'..' segment"),
        ("data/./x", "'.' segment"),
        ("data//x", "empty path segment"),
        ("data/a\u{0}b", "NUL"),
        ("other/x", "not under the prefix"),
    ])
    func keysThatWouldLeaveTheDirectoryAreRefused(key: String, reason: String) {
        do {
            _ = try S3TransferPaths.relativePath(forKey: key, under: "data/", bucket: "b0b")
            Issue.record("\(key) was accepted")
        } catch {
            #expect(error.uri == "s3://b0b/\(key)")
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.exitCode == .validation)
            #expect(error.explanation.hasPrefix("refusing to download s3://b0b/\(key): "))
        }
    }

    @Test func singleDownloadsNameTheFileOrUseTheKeysLastComponent() throws {
        let uri = try S3URI(parsing: "s3://b0b/models/model v1.pkl")
        #expect(try S3TransferPaths.downloadPath(for: uri, to: "out.pkl", destinationIsDirectory: false) == "out.pkl")
        #expect(try S3TransferPaths.downloadPath(for: uri, to: "out", destinationIsDirectory: true) == "out/model v1.pkl")
        #expect(try S3TransferPaths.downloadPath(for: uri, to: "new/", destinationIsDirectory: false) == "new/model v1.pkl")
        #expect(throws: S3KeyPathError.self) {
            _ = try S3TransferPaths.downloadPath(
                for: try S3URI(parsing: "s3://b0b/a/.."), to: "out", destinationIsDirectory: true)
        }
    }

    @Test func uploadsAndCopiesIntoPrefixesKeepTheName() throws {
        let prefix = try S3URI(parsing: "s3://b0b/models/")
        #expect(try S3TransferPaths.uploadDestination(for: "dir/model.pkl", to: prefix).key == "models/model.pkl")
        #expect(try S3TransferPaths.uploadDestination(for: "model.pkl", to: try S3URI(parsing: "s3://b0b")).key == "model.pkl")
        #expect(
            try S3TransferPaths.uploadDestination(for: "model.pkl", to: try S3URI(parsing: "s3://b0b/named")).key == "named")
        let source = try S3URI(parsing: "s3://b0b/a/b/c.txt")
        #expect(try S3TransferPaths.copyDestination(for: source, to: try S3URI(parsing: "s3://other/x/")).description == "s3://other/x/c.txt")
        #expect(try S3TransferPaths.copyDestination(for: source, to: try S3URI(parsing: "s3://other/y")).description == "s3://other/y")
    }

    @Test func localPathHelpers() {
        #expect(S3TransferPaths.lastComponent(of: "/tmp/dir/") == "dir")
        #expect(S3TransferPaths.lastComponent(of: "file") == "file")
        #expect(S3TransferPaths.join("dir", "a") == "dir/a")
        #expect(S3TransferPaths.join("dir/", "a") == "dir/a")
        #expect(S3TransferPaths.join("", "a") == "a")
        #expect(S3TransferPaths.parent(of: "a/b/c") == "a/b")
        #expect(S3TransferPaths.parent(of: "/c") == "/")
        #expect(S3TransferPaths.parent(of: "c") == "")
    }

    @Test func localTreesAreListedWithRelativePathsAndSizes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-s3-tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a b/c"), withIntermediateDirectories: true)
        try Data("12345".utf8).write(to: root.appendingPathComponent("a b/c/ü.txt"))
        try Data("1".utf8).write(to: root.appendingPathComponent("top"))
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("link"), withDestinationURL: root.appendingPathComponent("top"))
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("loop"), withDestinationURL: root)
        let files = try S3TransferPaths.localFiles(in: root.path)
        #expect(files.map(\.path) == ["a b/c/ü.txt", "link", "top"])
        #expect(files.map(\.size) == [5, 1, 1])
        #expect(S3TransferPaths.kind(of: root.path) == .directory)
        #expect(S3TransferPaths.kind(of: root.appendingPathComponent("top").path) == .file(size: 1))
        #expect(S3TransferPaths.kind(of: root.appendingPathComponent("none").path) == .missing)
    }

    @Test func bucketRemovalDeletesDirectoriesDeepestFirst() {
        #expect(
            S3Command.RemoveBucket.directories(of: ["a/b/c.txt", "a/d.txt", "x/", "top", "m/n/o/", "m/p"])
                == ["m/n/o/", "a/b/", "m/n/", "a/", "m/", "x/"])
        #expect(S3Command.RemoveBucket.directories(of: ["top"]).isEmpty)
    }

    @Test func listingDatesAreUTC() {
        #expect(S3Command.List.listingDate(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14 22:13:20")
        #expect(S3Command.List.listingDate(nil) == String(repeating: " ", count: 19))
        #expect(S3Command.List.padded("12", 5) == "   12")
    }

    // MARK: Errors

    @Test(arguments: [
        (S3Error(code: .noSuchKey, message: "gone", httpStatus: 404, bucket: "b0b", key: "a b.txt"), "s3://b0b/a b.txt not found"),
        (S3Error(code: .notFound, message: "HTTP 404 Not Found", httpStatus: 404, bucket: "b0b", key: "k"), "s3://b0b/k not found"),
        (S3Error(code: .noSuchBucket, message: "none", httpStatus: 404, bucket: "b0b"), "bucket 'b0b' does not exist"),
        (S3Error(code: .notFound, message: "HTTP 404 Not Found", httpStatus: 404, bucket: "b0b"), "bucket 'b0b' does not exist"),
    ])
    func missingThingsExitWithStatusThree(error: S3Error, explanation: String) {
        #expect(error.exitCode == .notFound)
        #expect(error.explanation == explanation)
    }

    @Test func refusedCredentialsExitWithStatusSevenAndSayWhatToCheck() {
        let signature = S3Error(
            code: .signatureDoesNotMatch, message: "The request signature we calculated does not match.", httpStatus: 403,
            bucket: "b0b", key: "k", operation: "GetObject")
        #expect(signature.exitCode == .configuration)
        #expect(
            signature.explanation
                == "the S3 server refused the credentials for s3://b0b/k: SignatureDoesNotMatch (HTTP 403) from GetObject: "
                + "The request signature we calculated does not match.; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_REGION)")
        let head = S3Error(code: .forbidden, message: "HTTP 403 Forbidden", httpStatus: 403, bucket: "b0b", key: "k", operation: "HeadObject")
        #expect(head.exitCode == .configuration)
        #expect(
            head.explanation
                == "the S3 server denied access to s3://b0b/k: Forbidden (HTTP 403) from HeadObject; the credentials "
                + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) are wrong or lack permission")
        for code in [S3Error.Code.invalidAccessKeyId, .accessDenied, .expiredToken, .invalidToken, .authorizationHeaderMalformed] {
            #expect(S3Error(code: code, message: "no", httpStatus: 400, bucket: "b0b").exitCode == .configuration, "\(code)")
        }
        #expect(S3Error(code: .expiredToken, message: "old", bucket: "b0b").explanation.contains("AWS_SESSION_TOKEN"))
        let skew = S3Error(code: .requestTimeTooSkewed, message: "skewed", httpStatus: 403, bucket: "b0b")
        #expect(skew.exitCode == .serverError && skew.explanation.contains("clock"))
    }

    @Test func otherServerAnswersExitWithStatusFive() {
        let error = S3Error(
            code: .internalError, message: "We encountered an internal error.\nPlease try again.", httpStatus: 500,
            bucket: "b0b", key: "k", operation: "PutObject")
        #expect(error.exitCode == .serverError)
        #expect(
            error.explanation
                == "the S3 server answered s3://b0b/k with InternalError (HTTP 500) from PutObject: We encountered an internal error.")
        let notEmpty = S3Error(code: .bucketNotEmpty, message: "not empty", httpStatus: 409, bucket: "b0b")
        #expect(notEmpty.exitCode == .serverError && notEmpty.explanation.contains("--force"))
        let exists = S3Error(code: .bucketAlreadyOwnedByYou, message: "yours", httpStatus: 409, bucket: "b0b")
        #expect(exists.exitCode == .serverError && exists.explanation.contains("--ignore-existing"))
    }

    @Test func localAndTransferErrors() {
        let invalid = S3TransferError(code: .invalidArgument, detail: "the object key is empty")
        #expect(invalid.exitCode == .validation && invalid.explanation == "invalid argument: the object key is empty")
        #expect(S3TransferError(code: .cannotWrite, detail: "/x: Permission denied").exitCode == .failure)
        #expect(S3TransferError(code: .cannotRead, detail: "/x").exitCode == .failure)
        #expect(S3TransferError(code: .checksumMismatch, detail: "b/k").exitCode == .serverError)
        #expect(S3TransferError(code: .objectChanged, detail: "b/k").exitCode == .serverError)
        #expect(S3URIError(input: "s3:/x", reason: "r").exitCode == .validation)
        #expect(SigV4Error(code: .invalidExpiry, detail: "0 seconds").exitCode == .validation)
        #expect(CredentialError(code: .notFound).exitCode == .configuration)
        #expect(S3EndpointError(variable: "MLFLOW_S3_ENDPOINT_URL", value: "ftp://x", detail: "no").exitCode == .configuration)
        let report = ErrorReporter.report(for: S3URIError(input: "s3://", reason: "the bucket name is missing"))
        #expect(report == .init(message: "Error: invalid S3 URI 's3://': the bucket name is missing", exitCode: .validation))
    }
}
