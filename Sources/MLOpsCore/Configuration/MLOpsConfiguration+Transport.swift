import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension MLOpsConfiguration {
    /// The MLflow credentials the configuration names: a token (`MLFLOW_TRACKING_TOKEN`) before a
    /// username and password (`MLFLOW_TRACKING_USERNAME`/`PASSWORD`), as MLflow's own client does.
    public var mlflowCredentials: MLflowCredentials {
        if let token = trackingToken, !token.isEmpty { return .bearer(token: token) }
        if let username = trackingUsername, !username.isEmpty {
            return .basic(username: username, password: trackingPassword ?? "")
        }
        return .none
    }

    /// libcurl transport settings from the TLS and timeout variables.
    public var transportConfiguration: CurlTransport.Configuration {
        var configuration = CurlTransport.Configuration()
        configuration.tls = .init(verifiesPeer: !insecureTLS, caBundlePath: caBundlePath)
        configuration.requestTimeout = httpTimeout
        return configuration
    }

    /// The retry policy from `MLOPS_HTTP_RETRIES` (the number of retries after the first attempt).
    public var retryPolicy: RetryPolicy {
        RetryPolicy(maximumAttempts: httpRetries + 1)
    }

    /// The transport every client of this configuration shares: libcurl with retries.
    public func makeTransport(logger: Logger = .disabled) -> any HTTPTransport {
        RetryingTransport(
            wrapping: CurlTransport(configuration: transportConfiguration, logger: logger),
            policy: retryPolicy, logger: logger)
    }

    /// The libcurl transport of this configuration without retries, for a process that retries at its
    /// own level (the agent resyncs) or wraps it in a ``RetryingTransport`` where that is wanted.
    public func makePlainTransport(logger: Logger = .disabled) -> CurlTransport {
        CurlTransport(configuration: transportConfiguration, logger: logger)
    }

    /// An MLflow client for the configured tracking server.
    public func makeMLflowClient(transport: (any HTTPTransport)? = nil, logger: Logger = .disabled) -> MLflowClient {
        MLflowClient(
            configuration: MLflowClient.Configuration(
                trackingURI: trackingURI, credentials: mlflowCredentials, requestTimeout: httpTimeout),
            transport: transport ?? makeTransport(logger: logger),
            logger: logger)
    }
}

extension MLOpsConfiguration {
    /// An Airflow client for ``airflowBaseURL`` signing in as ``airflowAdminUser`` with
    /// ``airflowAdminPassword`` (empty when unset), speaking whichever API version answers.
    public func makeAirflowClient(logger: Logger = .disabled) -> AirflowClient {
        AirflowClient(
            configuration: .init(
                baseURL: airflowBaseURL, username: airflowAdminUser ?? "", password: airflowAdminPassword ?? "",
                requestTimeout: max(httpTimeout, .seconds(30))),
            transport: CurlTransport(configuration: transportConfiguration, logger: logger))
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
