import Logging
import MLOpsCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension MLOpsConfiguration {
    /// The S3 endpoint artifacts live at: ``s3EndpointURL`` with path-style addressing (MinIO and other
    /// S3-compatible servers), or AWS's regional endpoint with virtual-hosted addressing when it is `nil`
    /// (`MLFLOW_S3_ENDPOINT_URL=aws`), signed for ``awsRegion``.
    ///
    /// Which variable supplies the URL: `MLFLOW_S3_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL`, whichever is set in the highest layer (flags, environment, `.env` file), the
    /// first of them on a tie; when none is set, `http://127.0.0.1:9000`.
    ///
    /// - Throws: ``S3EndpointError`` naming that variable (``s3EndpointVariable``) when the URL has a
    ///   query or fragment.
    public func makeS3Endpoint() throws(S3EndpointError) -> S3Endpoint {
        guard let url = s3EndpointURL else { return .aws(region: awsRegion) }
        return try S3Endpoint(url: url, region: awsRegion, addressingStyle: .path, variable: s3EndpointVariable)
    }

    /// Where S3 credentials come from: ``awsAccessKeyID``, ``awsSecretAccessKey`` and ``awsSessionToken``
    /// when set (from flags, the environment or a `.env` file), else the shared credentials file
    /// ``awsSharedCredentialsFile`` (or `~/.aws/credentials`), profile ``awsProfile`` (or `default`).
    ///
    /// - Parameter environment: Where `HOME` is read, and `AWS_SHARED_CREDENTIALS_FILE` and `AWS_PROFILE`
    ///   when the configuration does not set them.
    public func makeS3CredentialProvider(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> any CredentialProvider {
        let keys = ConfigurationKey.self
        let values = [
            keys.awsAccessKeyID.name: awsAccessKeyID, keys.awsSecretAccessKey.name: awsSecretAccessKey,
            keys.awsSessionToken.name: awsSessionToken,
        ].compactMapValues { $0 }
        var fileEnvironment = environment
        if let awsProfile { fileEnvironment[SharedCredentialsFileProvider.profileVariable] = awsProfile }
        if let awsSharedCredentialsFile {
            fileEnvironment[SharedCredentialsFileProvider.fileVariable] = awsSharedCredentialsFile
        }
        return CredentialProviderChain([
            EnvironmentCredentialProvider(environment: values, sourceName: "configuration"),
            SharedCredentialsFileProvider(environment: fileEnvironment),
        ])
    }

    /// An S3 client for the configured endpoint (``makeS3Endpoint()``) and credentials
    /// (``makeS3CredentialProvider(environment:)``), retrying as `MLOPS_HTTP_RETRIES` says.
    ///
    /// The client gets a plain libcurl transport unless `transport` is given (one that does not retry:
    /// the client retries on its own, signing each attempt anew).
    ///
    /// - Throws: ``S3EndpointError`` when the endpoint URL is not usable.
    public func makeS3Client(
        environment: [String: String] = ProcessInfo.processInfo.environment, transport: (any HTTPTransport)? = nil,
        logger: Logger = .disabled
    ) throws(S3EndpointError) -> S3Client {
        var configuration = S3Client.Configuration()
        configuration.retryPolicy = retryPolicy
        return S3Client(
            endpoint: try makeS3Endpoint(),
            credentials: makeS3CredentialProvider(environment: environment),
            transport: transport ?? CurlTransport(configuration: transportConfiguration, logger: logger),
            configuration: configuration,
            logger: logger)
    }
}
