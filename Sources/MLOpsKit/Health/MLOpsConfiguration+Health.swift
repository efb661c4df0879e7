import MLOpsCore
import MLOpsS3
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension MLOpsConfiguration {
    /// The services of the stack, as the "Service Health" dashboard and the original bootstrap list
    /// them, at the URLs this configuration names: MLflow (``trackingURI``), Airflow
    /// (``airflowBaseURL``), MinIO (the S3 endpoint), Prometheus, Loki and Grafana (their `*_URL`, else
    /// `http://127.0.0.1:<*_PORT>`).
    ///
    /// - Parameters:
    ///   - required: The names (any case) of the services whose being down fails the check; the others
    ///     are reported only. MLflow by default.
    ///   - timeout: Each probe's time limit.
    /// - Throws: ``S3EndpointError`` when the S3 endpoint variable is set but unusable: reported rather
    ///   than replaced by `http://127.0.0.1:9000`, which would probe a server nobody configured.
    public func healthChecks(
        required: Set<String> = ["mlflow"], timeout: Duration = .seconds(3)
    ) throws(S3EndpointError) -> [HealthCheck] {
        let required = Set(required.map { $0.lowercased() })
        func local(_ port: Int) -> URL { URL(string: "http://127.0.0.1:\(port)")! }
        let s3URL = try makeS3Endpoint().baseURL
        let services: [(String, URL, HealthCheck.Probe)] = [
            ("MLflow", trackingURI, .mlflow),
            ("Airflow", airflowBaseURL, .airflow),
            ("MinIO", s3URL, .s3),
            ("Prometheus", prometheusURL ?? local(prometheusPort), .prometheus),
            ("Loki", lokiURL ?? local(lokiPort), .loki),
            ("Grafana", grafanaURL ?? local(grafanaPort), .grafana),
        ]
        return services.map { name, url, probe in
            HealthCheck(
                name: name, baseURL: url, probe: probe, isRequired: required.contains(name.lowercased()), timeout: timeout)
        }
    }
}
