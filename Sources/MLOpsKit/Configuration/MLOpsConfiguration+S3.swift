#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension MLOpsConfiguration {
    /// The S3 endpoint artifacts live at: ``s3EndpointURL`` with path-style addressing (MinIO and other
    /// S3-compatible servers), or AWS's regional endpoint when it is `nil`, signed for ``awsRegion``.
    ///
    /// - Throws: ``S3EndpointError`` naming `MLFLOW_S3_ENDPOINT_URL` when the URL has a query or fragment.
    public func makeS3Endpoint() throws(S3EndpointError) -> S3Endpoint {
        guard let url = s3EndpointURL else { return .aws(region: awsRegion) }
        return try S3Endpoint(
            url: url, region: awsRegion, addressingStyle: .path,
            variable: ConfigurationKey.s3EndpointURL.name)
    }

    /// Where S3 credentials come from: ``awsAccessKeyID``, ``awsSecretAccessKey`` and ``awsSessionToken``
    /// when set (from flags, the environment or a `.env` file), else the shared credentials file
    /// (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`, profile `AWS_PROFILE` or `default`).
    ///
    /// - Parameter environment: Where the shared credentials file's variables and `HOME` are read.
    public func makeS3CredentialProvider(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> any CredentialProvider {
        let keys = ConfigurationKey.self
        let values = [
            keys.awsAccessKeyID.name: awsAccessKeyID, keys.awsSecretAccessKey.name: awsSecretAccessKey,
            keys.awsSessionToken.name: awsSessionToken,
        ].compactMapValues { $0 }
        return CredentialProviderChain([
            EnvironmentCredentialProvider(environment: values, sourceName: "configuration"),
            SharedCredentialsFileProvider(environment: environment),
        ])
    }
}
