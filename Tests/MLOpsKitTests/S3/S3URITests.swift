import Testing

@testable import MLOpsKit
@testable import MLOpsS3
@testable import MLOpsMLflow

@Suite("S3URI: parsing s3://bucket/key")
struct S3URITests {
    @Test(arguments: [
        ("s3://mlflow", "mlflow", ""),
        ("s3://mlflow/", "mlflow", ""),
        ("s3://mlflow/model.pkl", "mlflow", "model.pkl"),
        ("s3://mlflow/1/abc/artifacts/", "mlflow", "1/abc/artifacts/"),
        ("S3://mlflow/a", "mlflow", "a"),
        ("s3://my.bucket-01/a//b", "my.bucket-01", "a//b"),
        ("s3://mlflow/with space+plus/ünï cødé?#&=%20", "mlflow", "with space+plus/ünï cødé?#&=%20"),
        ("s3://mlflow//leading", "mlflow", "/leading"),
        ("s3://Legacy_Bucket/x", "Legacy_Bucket", "x"),
    ])
    func parsesBucketAndKeyLiterally(text: String, bucket: String, key: String) throws {
        let uri = try S3URI(parsing: text)
        #expect(uri.bucket == bucket)
        #expect(uri.key == key)
        #expect(try S3URI(parsing: uri.description) == uri, "round trip of \(uri)")
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("mlflow/key", "it does not start with s3://"),
        ("s3:/mlflow/key", "it does not start with s3://"),
        ("s3:mlflow", "it does not start with s3://"),
        ("http://mlflow/key", "it does not start with s3://"),
        ("s3://", "the bucket name is missing"),
        ("s3:///key", "the bucket name is missing"),
        ("s3://my bucket/key", "the bucket name 'my bucket' may only contain letters, digits, '.', '-' and '_'"),
        ("s3://bücket", "the bucket name 'bücket' may only contain letters, digits, '.', '-' and '_'"),
        ("s3://ab", "the bucket name 'ab' is 2 characters long; bucket names have 3 to 255 (63 for new buckets)"),
        ("s3://-abc", "the bucket name '-abc' must start and end with a letter or a digit"),
        ("s3://abc./k", "the bucket name 'abc.' must start and end with a letter or a digit"),
        ("s3://host:9000/k", "the bucket name 'host:9000' may only contain letters, digits, '.', '-' and '_'"),
    ])
    func rejectsWhatIsNotAnS3URINamingTheInput(text: String, reason: String) {
        #expect(throws: S3URIError(input: text, reason: reason)) {
            _ = try S3URI(parsing: text)
        }
        #expect(S3URI(text) == nil)
    }

    @Test func errorDescriptionNamesTheInput() {
        let error = S3URIError(input: "s3:/b/k", reason: "it does not start with s3://")
        #expect(error.description == "invalid S3 URI 's3:/b/k': it does not start with s3://")
    }

    @Test func keysUpTo1024BytesAreAccepted() throws {
        let longest = String(repeating: "é", count: 512)  // 1,024 bytes
        #expect(try S3URI(parsing: "s3://bucket/\(longest)").key == longest)
        #expect(throws: S3URIError.self) { _ = try S3URI(parsing: "s3://bucket/\(longest)x") }
        #expect(throws: S3URIError.self) { _ = try S3URI(bucket: "bucket", key: longest + "x") }
    }

    @Test func memberwiseInitValidatesToo() throws {
        #expect(try S3URI(bucket: "mlflow", key: "a/b").description == "s3://mlflow/a/b")
        #expect(try S3URI(bucket: "mlflow").description == "s3://mlflow")
        #expect(throws: S3URIError(input: "s3://a", reason: "the bucket name 'a' is 1 characters long; bucket names have 3 to 255 (63 for new buckets)")) {
            _ = try S3URI(bucket: "a")
        }
    }

    @Test(arguments: [
        ("s3://b0b", "", true, true, "", ""),
        ("s3://b0b/model.pkl", "model.pkl", false, false, "model.pkl", "model.pkl/"),
        ("s3://b0b/a/b/model.pkl", "a/b/model.pkl", false, false, "model.pkl", "a/b/model.pkl/"),
        ("s3://b0b/a/b/", "a/b/", false, true, "b", "a/b/"),
        ("s3://b0b/data", "data", false, false, "data", "data/"),
    ])
    func keyHelpers(
        text: String, key: String, isBucket: Bool, isDirectoryLike: Bool, last: String, directoryPrefix: String
    ) throws {
        let uri = try S3URI(parsing: text)
        #expect(uri.key == key)
        #expect(uri.isBucket == isBucket)
        #expect(uri.isDirectoryLike == isDirectoryLike)
        #expect(uri.lastPathComponent == last)
        #expect(uri.directoryPrefix == directoryPrefix)
    }

    @Test func appendingJoinsWithOneSlash() throws {
        #expect(try S3URI(parsing: "s3://b0b").appending("x/y").description == "s3://b0b/x/y")
        #expect(try S3URI(parsing: "s3://b0b/data").appending("x").description == "s3://b0b/data/x")
        #expect(try S3URI(parsing: "s3://b0b/data/").appending("x").description == "s3://b0b/data/x")
    }

    @Test(arguments: ["s3://bucket", "S3://b", "s3:/b", "s3:", "S3:whatever"])
    func textStartingWithS3ColonIsMeantAsAURI(text: String) {
        #expect(S3URI.looksLikeS3URI(text))
    }

    @Test(arguments: ["./s3://x", "bucket/key", "s3", "/tmp/s3:x", ""])
    func otherTextIsALocalPath(text: String) {
        #expect(!S3URI.looksLikeS3URI(text))
    }

    @Test(arguments: ["mlflow", "my-bucket.data", "a1b", String(repeating: "a", count: 63), "192.168.1.1a"])
    func newBucketNamesFollowingS3sRules(name: String) throws {
        try S3URI.validateNewBucketName(name)
    }

    @Test(arguments: [
        ("My-Bucket", "a new bucket's name has only lower-case letters, digits, '.' and '-'"),
        ("my_bucket", "a new bucket's name has only lower-case letters, digits, '.' and '-'"),
        (String(repeating: "a", count: 64), "a new bucket's name is 3 to 63 characters long; this one has 64"),
        ("a..b", "the bucket name has two adjacent dots"),
        ("192.168.1.1", "the bucket name is shaped like an IP address"),
        ("xn--abc", "a bucket name may not start with 'xn--'"),
        ("data-s3alias", "a bucket name may not end with '-s3alias'"),
        ("ab", "the bucket name 'ab' is 2 characters long; bucket names have 3 to 255 (63 for new buckets)"),
    ])
    func newBucketNamesBreakingS3sRules(name: String, reason: String) {
        #expect(throws: S3URIError(input: "s3://\(name)", reason: reason)) {
            try S3URI.validateNewBucketName(name)
        }
    }
}
