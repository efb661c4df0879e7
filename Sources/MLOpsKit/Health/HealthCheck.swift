import MLOpsCore
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One service to check and how to read its answer.
///
/// Each ``Probe`` knows the real readiness signal of one kind of service in the stack: a 200 alone
/// is not always health (Airflow answers 200 with an unhealthy scheduler in the body).
public struct HealthCheck: Sendable, Hashable {
    /// How a service tells that it is ready.
    public enum Probe: String, Sendable, Hashable, CaseIterable {
        /// MLflow: `GET /health` answers 200.
        case mlflow
        /// Airflow 3 (`GET /api/v2/monitor/health`) or, where that path does not exist, Airflow 2
        /// (`GET /health`): the JSON must say the metadatabase and the scheduler are healthy.
        case airflow
        /// MinIO's `GET /minio/health/live` answers 200; another S3 server counts as up when its root
        /// answers anything an S3 server answers (such as 403 to an anonymous request).
        case s3
        /// Prometheus: `GET /-/healthy` answers 200.
        case prometheus
        /// Loki: `GET /ready` answers 200.
        case loki
        /// Grafana: `GET /api/health` answers 200 and its JSON says the database is `ok`.
        case grafana
        /// A model server (`mlflow models serve`): `GET /ping` answers 200.
        case modelServer = "model-server"
        /// Any 2xx from the URL as given.
        case http
    }

    /// The name shown in reports, such as `MLflow`.
    public var name: String
    /// The service's base URL (the probe adds its path).
    public var baseURL: URL
    public var probe: Probe
    /// Whether the service being down makes the whole check fail.
    public var isRequired: Bool
    /// How long one attempt may take.
    public var timeout: Duration

    /// A check of the service at `baseURL`.
    public init(name: String, baseURL: URL, probe: Probe, isRequired: Bool = true, timeout: Duration = .seconds(3)) {
        self.name = name
        self.baseURL = baseURL
        self.probe = probe
        self.isRequired = isRequired
        self.timeout = timeout
    }

    /// The URL the probe asks first.
    public var url: URL { Self.url(baseURL, path: probe.path) }

    static func url(_ base: URL, path: String) -> URL {
        guard !path.isEmpty else { return base }
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text + path) ?? base
    }
}

extension HealthCheck.Probe {
    /// The path asked first.
    var path: String {
        switch self {
        case .mlflow: "/health"
        case .airflow: "/api/v2/monitor/health"
        case .s3: "/minio/health/live"
        case .prometheus: "/-/healthy"
        case .loki: "/ready"
        case .grafana: "/api/health"
        case .modelServer: "/ping"
        case .http: ""
        }
    }
}
