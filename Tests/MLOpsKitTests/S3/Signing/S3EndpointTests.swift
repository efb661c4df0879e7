import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing

@Suite("S3Endpoint: resolution from the environment")
struct S3EndpointResolutionTests {
    @Test func defaultsToAWSInUSEast1() throws {
        let endpoint = try S3Endpoint(environment: [:])
        #expect(endpoint.baseURL.absoluteString == "https://s3.us-east-1.amazonaws.com")
        #expect(endpoint.region == "us-east-1")
        #expect(endpoint.addressingStyle == .virtualHosted)
    }

    @Test(arguments: [
        (
            [
                "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000", "AWS_ENDPOINT_URL_S3": "http://b:1",
                "AWS_ENDPOINT_URL": "http://c:2",
            ],
            "http://minio:9000"
        ),
        (["AWS_ENDPOINT_URL_S3": "http://b:1", "AWS_ENDPOINT_URL": "http://c:2"], "http://b:1"),
        (["AWS_ENDPOINT_URL": "https://c.example:2/"], "https://c.example:2"),
        (["MLFLOW_S3_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "  ", "AWS_ENDPOINT_URL": "http://c:2"], "http://c:2"),
        (["MLFLOW_S3_ENDPOINT_URL": " http://127.0.0.1:9000 "], "http://127.0.0.1:9000"),
        (["MLFLOW_S3_ENDPOINT_URL": "http://proxy.example/s3/"], "http://proxy.example/s3"),
        (["MLFLOW_S3_ENDPOINT_URL": "http://user:pw@minio:9000"], "http://minio:9000"),
    ])
    func endpointPrecedence(environment: [String: String], expected: String) throws {
        let endpoint = try S3Endpoint(environment: environment)
        #expect(endpoint.baseURL.absoluteString == expected)
        #expect(endpoint.addressingStyle == .path)
    }

    @Test(arguments: [
        (["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"], "eu-west-1"),
        (["AWS_DEFAULT_REGION": "ap-south-1"], "ap-south-1"),
        (["AWS_REGION": "", "AWS_DEFAULT_REGION": "ap-south-1"], "ap-south-1"),
        ([:], "us-east-1"),
    ])
    func regionPrecedence(environment: [String: String], expected: String) throws {
        #expect(try S3Endpoint(environment: environment).region == expected)
        var custom = environment
        custom["MLFLOW_S3_ENDPOINT_URL"] = "http://minio:9000"
        #expect(try S3Endpoint(environment: custom).region == expected)
    }

    @Test func awsEndpointFollowsTheRegion() throws {
        #expect(
            try S3Endpoint(environment: ["AWS_REGION": "eu-central-1"]).baseURL.absoluteString
                == "https://s3.eu-central-1.amazonaws.com")
        #expect(S3Endpoint.aws(region: "cn-north-1").baseURL.absoluteString == "https://s3.cn-north-1.amazonaws.com.cn")
    }

    @Test func awsRegionsMustBePlainNamesButCustomEndpointsTakeAny() throws {
        let error = #expect(throws: S3EndpointError.self) {
            try S3Endpoint(environment: ["AWS_DEFAULT_REGION": "us east/1"])
        }
        #expect(error?.description
            == "invalid S3 endpoint for AWS_DEFAULT_REGION: 'us east/1' (expected a region name such as us-east-1)")
        let custom = try S3Endpoint(environment: ["AWS_REGION": "my region", "AWS_ENDPOINT_URL": "http://garage:3900"])
        #expect(custom.region == "my region")
        let sanitised = S3Endpoint.aws(region: "EU West/1")
        #expect(sanitised.baseURL.absoluteString == "https://s3.euwest1.amazonaws.com")
        #expect(sanitised.region == "EU West/1")
        #expect(S3Endpoint.aws(region: "").baseURL.absoluteString == "https://s3.amazonaws.com")
    }

    @Test(arguments: [
        ("MLFLOW_S3_ENDPOINT_URL", "ftp://minio:21"),
        ("AWS_ENDPOINT_URL_S3", "minio:9000"),
        ("AWS_ENDPOINT_URL", "http://"),
        ("MLFLOW_S3_ENDPOINT_URL", "not a url"),
        ("MLFLOW_S3_ENDPOINT_URL", "http://minio:9000/?x=1"),
        ("MLFLOW_S3_ENDPOINT_URL", "http://minio:9000/#top"),
    ])
    func invalidEndpointsNameTheirVariable(variable: String, value: String) {
        let error = #expect(throws: S3EndpointError.self) { try S3Endpoint(environment: [variable: value]) }
        #expect(error?.variable == variable)
        #expect(error?.description.hasPrefix("invalid S3 endpoint for \(variable): '") == true)
    }

    @Test func invalidEndpointErrorsMaskPasswords() {
        let error = #expect(throws: S3EndpointError.self) {
            try S3Endpoint(environment: ["AWS_ENDPOINT_URL": "ftp://admin:hunter2@minio:9000"])
        }
        #expect(error?.description.contains("hunter2") == false)
        #expect(error?.description.contains("admin") == true)
    }

    @Test func descriptionNeverShowsUserInfo() throws {
        let endpoint = try S3Endpoint(url: URL(string: "http://user:pw@minio:9000")!)
        #expect(endpoint.description == "S3Endpoint(http://minio:9000, region: us-east-1, path)")
    }

    @Test func configurationMakesTheEndpoint() throws {
        var configuration = MLOpsConfiguration()
        let local = try configuration.makeS3Endpoint()
        #expect(local.baseURL.absoluteString == "http://127.0.0.1:9000")
        #expect(local.addressingStyle == .path)
        #expect(local.region == "us-east-1")

        configuration.s3EndpointURL = nil
        configuration.awsRegion = "eu-west-1"
        let aws = try configuration.makeS3Endpoint()
        #expect(aws == .aws(region: "eu-west-1"))

        let loaded = try ConfigurationLoader.load(
            environment: ["MLFLOW_S3_ENDPOINT_URL": "http://minio:9000", "AWS_DEFAULT_REGION": "garage"], dotEnv: nil)
        #expect(try loaded.makeS3Endpoint() == S3Endpoint(url: URL(string: "http://minio:9000")!, region: "garage"))

        let withQuery = try ConfigurationLoader.load(
            environment: ["MLFLOW_S3_ENDPOINT_URL": "http://minio:9000/?x=1"], dotEnv: nil)
        let error = #expect(throws: S3EndpointError.self) { try withQuery.makeS3Endpoint() }
        #expect(error?.variable == "MLFLOW_S3_ENDPOINT_URL")
    }
}

@Suite("S3Endpoint: URLs")
struct S3EndpointURLTests {
    let minio = try! S3Endpoint(url: URL(string: "http://127.0.0.1:9000")!)
    let aws = S3Endpoint.aws(region: "eu-west-1")

    @Test(arguments: [
        ("model.pkl", "http://127.0.0.1:9000/mlflow/model.pkl"),
        ("1/abc/artifacts/model/MLmodel", "http://127.0.0.1:9000/mlflow/1/abc/artifacts/model/MLmodel"),
        ("reports/Q1 summary.pdf", "http://127.0.0.1:9000/mlflow/reports/Q1%20summary.pdf"),
        ("dir/a b+cü.txt", "http://127.0.0.1:9000/mlflow/dir/a%20b%2Bc%C3%BC.txt"),
        ("k=v&x?y", "http://127.0.0.1:9000/mlflow/k%3Dv%26x%3Fy"),
        ("100%/done", "http://127.0.0.1:9000/mlflow/100%25/done"),
        ("a%20b", "http://127.0.0.1:9000/mlflow/a%2520b"),
        ("~user/-._", "http://127.0.0.1:9000/mlflow/~user/-._"),
        ("a//b", "http://127.0.0.1:9000/mlflow/a//b"),
        ("/leading", "http://127.0.0.1:9000/mlflow//leading"),
        ("trailing/", "http://127.0.0.1:9000/mlflow/trailing/"),
        ("#hash;semi:colon@at", "http://127.0.0.1:9000/mlflow/%23hash%3Bsemi%3Acolon%40at"),
        ("日本/🙂", "http://127.0.0.1:9000/mlflow/%E6%97%A5%E6%9C%AC/%F0%9F%99%82"),
        ("$!'()*,", "http://127.0.0.1:9000/mlflow/%24%21%27%28%29%2A%2C"),
        ("", "http://127.0.0.1:9000/mlflow"),
    ])
    func pathStyleKeys(key: String, expected: String) {
        let url = minio.url(bucket: "mlflow", key: key)
        #expect(url.absoluteString == expected)
        // Already canonical: the signer signs the path exactly as it is sent.
        #expect(
            SigV4Signer(credentials: SigV4TestSupport.s3DocumentationCredentials, region: "us-east-1")
                .canonicalURI(for: url)
                == (url.path(percentEncoded: true).isEmpty ? "/" : url.path(percentEncoded: true)))
    }

    @Test func queryParametersKeepTheirOrderAndEncodeStrictly() {
        let url = minio.url(
            bucket: "mlflow",
            query: [
                ("list-type", "2"), ("prefix", "runs/1 2+3"), ("delimiter", "/"), ("continuation-token", "a=b&c"),
                ("uploads", ""), ("ü", "~"),
            ])
        #expect(
            url.absoluteString == """
                http://127.0.0.1:9000/mlflow?list-type=2&prefix=runs%2F1%202%2B3&delimiter=%2F\
                &continuation-token=a%3Db%26c&uploads=&%C3%BC=~
                """)
        #expect(
            minio.url(bucket: "b", key: "k", query: [("partNumber", "7"), ("uploadId", "2~abc/def=")]).absoluteString
                == "http://127.0.0.1:9000/b/k?partNumber=7&uploadId=2~abc%2Fdef%3D")
    }

    @Test func virtualHostedOnAWS() {
        #expect(
            aws.url(bucket: "mlflow", key: "a b/c").absoluteString
                == "https://mlflow.s3.eu-west-1.amazonaws.com/a%20b/c")
        #expect(aws.url(bucket: "mlflow").absoluteString == "https://mlflow.s3.eu-west-1.amazonaws.com/")
        #expect(
            aws.url(bucket: "mlflow", query: [("list-type", "2")]).absoluteString
                == "https://mlflow.s3.eu-west-1.amazonaws.com/?list-type=2")
    }

    @Test(arguments: [
        ("my.dotted.bucket", S3Endpoint.AddressingStyle.path),
        ("Upper", .path), ("under_score", .path), ("ab", .path), ("-dash", .path), ("dash-", .path),
        (String(repeating: "a", count: 64), .path),
        ("abc", .virtualHosted), ("mlops-artifacts-2026", .virtualHosted),
        (String(repeating: "a", count: 63), .virtualHosted),
    ])
    func bucketsThatCannotBeHostnamesFallBackToPathStyle(bucket: String, style: S3Endpoint.AddressingStyle) {
        #expect(aws.addressingStyle(for: bucket) == style)
        #expect(minio.addressingStyle(for: bucket) == .path)
        if style == .path {
            #expect(
                aws.url(bucket: bucket, key: "k").absoluteString == "https://s3.eu-west-1.amazonaws.com/\(bucket)/k")
        }
    }

    @Test func pathPrefixesPortsAndIPv6() throws {
        let prefixed = try S3Endpoint(url: URL(string: "https://gateway.example:8443/storage/s3/")!)
        #expect(prefixed.url(bucket: "b", key: "k").absoluteString == "https://gateway.example:8443/storage/s3/b/k")
        let hostedWithPrefix = try S3Endpoint(
            url: URL(string: "https://s3.example.com/v1")!, addressingStyle: .virtualHosted)
        #expect(hostedWithPrefix.url(bucket: "bkt", key: "k").absoluteString == "https://bkt.s3.example.com/v1/k")
        let ipv6 = try S3Endpoint(url: URL(string: "http://[::1]:9000")!)
        #expect(ipv6.url(bucket: "b", key: "a b").absoluteString == "http://[::1]:9000/b/a%20b")
        #expect(SigV4Signer.hostHeader(for: ipv6.url(bucket: "b")) == "[::1]:9000")
    }

    /// 2,000 random keys: the URL's path decodes back to exactly the key, and is already canonical.
    @Test func randomKeysRoundTrip() {
        var generator = SeededGenerator(seed: 31)
        let pieces =
            "aZ09-._~ /+=&?%#$!'()*,;:@[]{}|\\^`\"<>\t".map { String($0) }
            + ["ü", "日", "🙂", "e\u{301}", "%41"]
        let signer = SigV4Signer(credentials: SigV4TestSupport.s3DocumentationCredentials, region: "us-east-1")
        for _ in 0..<2_000 {
            let key = (0..<Int.random(in: 1...24, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }
            .joined()
            let url = minio.url(bucket: "bucket", key: key)
            let path = url.path(percentEncoded: true)
            guard path.hasPrefix("/bucket/"), String(path.dropFirst("/bucket/".count)).removingPercentEncoding == key,
                signer.canonicalURI(for: url) == path
            else {
                Issue.record("key \(key.debugDescription) -> \(url.absoluteString)")
                return
            }
        }
    }
}
