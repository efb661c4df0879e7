import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing

@Suite("Configuration: the S3 endpoint and where it came from")
struct ConfigurationS3EndpointTests {
    private func dotEnv(_ text: String) throws -> DotEnvFile {
        try DotEnvFile(parsing: text, path: "/stack/.env", environment: [:])
    }

    @Test func withNothingSetItIsTheLocalDefault() throws {
        let configuration = try ConfigurationLoader.load(environment: [:], dotEnv: nil)
        #expect(configuration.s3EndpointURL?.absoluteString == "http://127.0.0.1:9000")
        #expect(configuration.s3EndpointVariable == "MLFLOW_S3_ENDPOINT_URL")
        #expect(try configuration.makeS3Endpoint() == S3Endpoint(url: URL(string: "http://127.0.0.1:9000")!))
        #expect(MLOpsConfiguration().s3EndpointVariable == "MLFLOW_S3_ENDPOINT_URL")
    }

    @Test(
        "in one layer the most specific variable wins",
        arguments: [
            (["AWS_ENDPOINT_URL": "http://global:1"], "http://global:1", "AWS_ENDPOINT_URL"),
            (["AWS_ENDPOINT_URL_S3": "http://s3:2"], "http://s3:2", "AWS_ENDPOINT_URL_S3"),
            (
                ["AWS_ENDPOINT_URL_S3": "http://s3:2", "AWS_ENDPOINT_URL": "http://global:1"], "http://s3:2",
                "AWS_ENDPOINT_URL_S3"
            ),
            (
                ["MLFLOW_S3_ENDPOINT_URL": "http://minio:9000", "AWS_ENDPOINT_URL": "http://global:1"],
                "http://minio:9000", "MLFLOW_S3_ENDPOINT_URL"
            ),
            (
                [
                    "MLFLOW_S3_ENDPOINT_URL": "http://minio:9000", "AWS_ENDPOINT_URL_S3": "http://s3:2",
                    "AWS_ENDPOINT_URL": "http://global:1",
                ],
                "http://minio:9000", "MLFLOW_S3_ENDPOINT_URL"
            ),
            (
                ["MLFLOW_S3_ENDPOINT_URL": "", "AWS_ENDPOINT_URL": "http://global:1"], "http://global:1",
                "AWS_ENDPOINT_URL"
            ),
        ])
    func precedenceWithinALayer(environment: [String: String], url: String, variable: String) throws {
        let configuration = try ConfigurationLoader.load(environment: environment, dotEnv: nil)
        #expect(configuration.s3EndpointURL?.absoluteString == url)
        #expect(configuration.s3EndpointVariable == variable)
        let endpoint = try configuration.makeS3Endpoint()
        #expect(endpoint.baseURL.absoluteString == url)
        #expect(endpoint.addressingStyle == .path)
    }

    @Test func aHigherLayerBeatsAMoreSpecificVariable() throws {
        // The stack's .env names MinIO inside the compose network; an AWS SDK variable exported in the shell
        // points at the published port, and wins as any environment value beats the .env file.
        let file = try dotEnv("MLFLOW_S3_ENDPOINT_URL=http://minio:9000\n")
        let overridden = try ConfigurationLoader.load(
            environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9100"], dotEnv: file)
        #expect(overridden.s3EndpointURL?.absoluteString == "http://127.0.0.1:9100")
        #expect(overridden.s3EndpointVariable == "AWS_ENDPOINT_URL_S3")

        let fromFile = try ConfigurationLoader.load(
            environment: [:], dotEnv: try dotEnv("AWS_ENDPOINT_URL=http://garage:3900\n"))
        #expect(fromFile.s3EndpointURL?.absoluteString == "http://garage:3900")
        #expect(fromFile.s3EndpointVariable == "AWS_ENDPOINT_URL")
    }

    @Test(arguments: ["aws", "AWS", " Aws "])
    func awsSelectsAWSS3(value: String) throws {
        let configuration = try ConfigurationLoader.load(
            environment: [
                "MLFLOW_S3_ENDPOINT_URL": value, "AWS_ENDPOINT_URL": "http://global:1", "AWS_REGION": "eu-west-1",
            ],
            dotEnv: nil)
        #expect(configuration.s3EndpointURL == nil)
        #expect(configuration.s3EndpointVariable == "MLFLOW_S3_ENDPOINT_URL")
        let endpoint = try configuration.makeS3Endpoint()
        #expect(endpoint == .aws(region: "eu-west-1"))
        #expect(endpoint.baseURL.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(endpoint.addressingStyle == .virtualHosted)
    }

    @Test(arguments: ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"])
    func onlyMLflowsVariableTakesAWS(variable: String) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(environment: [variable: "aws"], dotEnv: nil)
        }
        #expect(error?.code == .invalidURL)
        #expect(error?.key == variable)
        #expect(error?.description.contains("or aws") == false)
    }

    @Test(
        "a value that is not an http URL fails loading, naming its variable",
        arguments: [
            ("MLFLOW_S3_ENDPOINT_URL", "ftp://minio:21"), ("AWS_ENDPOINT_URL_S3", "minio:9000"),
            ("AWS_ENDPOINT_URL", "http://"),
        ])
    func invalidURLNamesItsVariable(variable: String, value: String) throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(environment: [variable: value], dotEnv: nil)
        }
        #expect(error?.code == .invalidURL)
        #expect(error?.key == variable)
        #expect(error?.source == .environment)
        let expected = variable == "MLFLOW_S3_ENDPOINT_URL" ? "with a host, or aws for AWS S3" : "with a host"
        #expect(error?.description.hasSuffix(expected) == true)
    }

    @Test(
        "an endpoint S3 cannot use is an S3EndpointError naming the variable that supplied it",
        arguments: [
            ("MLFLOW_S3_ENDPOINT_URL", "http://minio:9000/?x=1"), ("AWS_ENDPOINT_URL_S3", "http://s3:2/#top"),
            ("AWS_ENDPOINT_URL", "http://global:1/?versioning"),
        ])
    func endpointErrorNamesTheSupplyingVariable(variable: String, value: String) throws {
        // A more specific variable from a lower layer does not take the blame.
        let file = try dotEnv("MLFLOW_S3_ENDPOINT_URL=http://minio:9000\n")
        let configuration = try ConfigurationLoader.load(environment: [variable: value], dotEnv: file)
        #expect(configuration.s3EndpointVariable == variable)
        let error = #expect(throws: S3EndpointError.self) { try configuration.makeS3Endpoint() }
        #expect(error?.variable == variable)
        #expect(error?.description.hasPrefix("invalid S3 endpoint for \(variable): ") == true)
    }

    @Test func unusedVariablesAreNotChecked() throws {
        let configuration = try ConfigurationLoader.load(
            environment: ["MLFLOW_S3_ENDPOINT_URL": "http://minio:9000", "AWS_ENDPOINT_URL": "not a url"], dotEnv: nil)
        #expect(configuration.s3EndpointURL?.absoluteString == "http://minio:9000")
    }

    @Test func aURLSetInCodeIsNotBlamedOnAVariable() throws {
        var configuration = try ConfigurationLoader.load(
            environment: ["AWS_ENDPOINT_URL": "http://global:1"], dotEnv: nil)
        configuration.s3EndpointURL = URL(string: "http://minio:9000/?x=1")
        #expect(configuration.s3EndpointVariable == nil)
        let error = #expect(throws: S3EndpointError.self) { try configuration.makeS3Endpoint() }
        #expect(error?.variable == nil)
        #expect(error?.description.hasPrefix("invalid S3 endpoint: 'http://minio:9000/?x=1'") == true)

        configuration.s3EndpointURL = nil
        configuration.awsRegion = "eu-west-1"
        #expect(try configuration.makeS3Endpoint() == .aws(region: "eu-west-1"))
    }

    @Test func theReportShowsEveryEndpointVariableAndItsSource() throws {
        let configuration = try ConfigurationLoader.load(
            environment: ["AWS_ENDPOINT_URL_S3": "http://user:pw@s3:2"], dotEnv: nil)
        let byKey = Dictionary(uniqueKeysWithValues: configuration.report().map { ($0.key, $0) })
        #expect(byKey["MLFLOW_S3_ENDPOINT_URL"]?.source == .default)
        #expect(byKey["AWS_ENDPOINT_URL_S3"]?.source == .environment)
        #expect(byKey["AWS_ENDPOINT_URL_S3"]?.displayValue == "http://user:***@s3:2")
        #expect(byKey["AWS_ENDPOINT_URL"]?.displayValue == nil)
        #expect(!configuration.description.contains("pw@"))
    }
}
