import Logging
import MLOpsCore

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

    /// An MLflow client for the configured tracking server.
    public func makeMLflowClient(transport: (any HTTPTransport)? = nil, logger: Logger = .disabled) -> MLflowClient {
        MLflowClient(
            configuration: MLflowClient.Configuration(
                trackingURI: trackingURI, credentials: mlflowCredentials, requestTimeout: httpTimeout),
            transport: transport ?? makeTransport(logger: logger),
            logger: logger)
    }
}
