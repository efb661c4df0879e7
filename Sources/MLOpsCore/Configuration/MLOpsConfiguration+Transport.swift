import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension MLOpsConfiguration {
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
}
