import Logging
import MLOpsCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
}
