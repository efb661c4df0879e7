import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MLOpsKit

/// Options every `mlops s3` command takes: the common ones (``GlobalOptions``) plus the S3 endpoint
/// and region, spelled as in the AWS CLI.
///
/// The endpoint, region and credentials come from the same configuration as every other command:
/// `MLFLOW_S3_ENDPOINT_URL`, `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, from the environment or the `.env` file, else the
/// shared credentials file; `--endpoint-url` and `--region` form the top layer.
struct S3Options: ParsableArguments {
    @Option(
        name: .customLong("endpoint-url"),
        help: ArgumentHelp("S3 endpoint URL (overrides MLFLOW_S3_ENDPOINT_URL).", valueName: "url"))
    var endpointURL: String?

    @Option(
        name: .customLong("region"),
        help: ArgumentHelp("Region requests are signed for (overrides AWS_REGION).", valueName: "region"))
    var region: String?

    @OptionGroup var global: GlobalOptions

    /// The S3 configuration flags as the loader's top layer: values by variable name.
    var configurationFlags: [String: String] {
        var flags: [String: String] = [:]
        if let endpointURL { flags[ConfigurationKey.s3EndpointURL.name] = endpointURL }
        if let region { flags[ConfigurationKey.awsRegion.name] = region }
        return flags
    }

    /// How each flag in ``configurationFlags`` is spelled, for reporting where a value came from.
    static let configurationFlagNames: [String: String] = [
        ConfigurationKey.s3EndpointURL.name: "--endpoint-url",
        ConfigurationKey.awsRegion.name: "--region",
    ]

    /// Whether to print JSON.
    var json: Bool { global.json }

    /// An S3 client of the configured endpoint, with the configured credentials, TLS settings, timeout
    /// and retries. With `--debug` it logs each request (method, URL, status, duration) and each retry
    /// to standard error; never a credential or a signature.
    ///
    /// - Throws: `ConfigurationError`, `DotEnvError` or `S3EndpointError`.
    func makeClient(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Client {
        let configuration = try global.loadConfiguration(
            environment: environment, additionalFlags: configurationFlags,
            additionalFlagNames: Self.configurationFlagNames)
        let logger = global.makeLogger(label: "mlops.s3")
        var clientConfiguration = S3Client.Configuration()
        clientConfiguration.retryPolicy.maximumAttempts = configuration.httpRetries + 1
        return S3Client(
            endpoint: try configuration.makeS3Endpoint(),
            credentials: configuration.makeS3CredentialProvider(environment: environment),
            // The client retries by itself; it takes a plain transport.
            transport: CurlTransport(configuration: configuration.transportConfiguration, logger: logger),
            configuration: clientConfiguration,
            logger: logger)
    }
}
