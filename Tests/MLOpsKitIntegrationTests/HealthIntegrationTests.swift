import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The configuration's health checks against the real services of the test stack: MLflow and both S3
/// servers are UP, the services the test stack does not run are DOWN at once, not waited for.
@Suite(.enabled(if: IntegrationEnvironment.mlflowEnabled && S3TestServers.enabled))
struct HealthIntegrationTests {
    @Test(arguments: S3TestServers.names)
    func theStacksServicesAreCheckedAtTheirConfiguredURLs(serverName: String) async throws {
        let s3 = try S3TestServers.server(named: serverName)
        var configuration = MLOpsConfiguration()
        configuration.trackingURI = try IntegrationEnvironment.mlflowURI()
        configuration.s3EndpointURL = s3.endpointURL
        // Nothing listens on port 1: the services the test stack does not run.
        configuration.airflowBaseURL = URL(string: "http://127.0.0.1:1")!
        configuration.prometheusURL = URL(string: "http://127.0.0.1:1")!
        configuration.lokiURL = URL(string: "http://127.0.0.1:1")!
        configuration.grafanaURL = URL(string: "http://127.0.0.1:1")!

        let checks = try configuration.healthChecks(required: ["mlflow", "minio"])
        #expect(checks.map(\.name) == ["MLflow", "Airflow", "MinIO", "Prometheus", "Loki", "Grafana"])
        let report = await HealthChecker().check(checks)
        let byName = Dictionary(uniqueKeysWithValues: report.results.map { ($0.name, $0) })
        #expect(byName["MLflow"]?.isUp == true)
        #expect(byName["MLflow"]?.detail == "OK")
        #expect(byName["MinIO"]?.isUp == true, "\(String(describing: byName["MinIO"]))")
        for name in ["Airflow", "Prometheus", "Loki", "Grafana"] {
            #expect(byName[name]?.isUp == false)
            // Refused at once: no answer, no timeout waited out.
            #expect(byName[name]?.detail == "connection refused")
            #expect(byName[name]?.latencySeconds == nil)
        }
        #expect(report.requiredServicesAreUp)
    }
}
