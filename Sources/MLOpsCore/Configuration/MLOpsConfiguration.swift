#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything MLOpsKit and its tools read from the environment, as typed values.
///
/// ``init()`` gives the built-in defaults; ``ConfigurationLoader/load(environment:dotEnvPath:flags:flagNames:)``
/// layers a `.env` file, the environment and flags over them. Each property names the variable it comes
/// from; ``ConfigurationKey`` has their help texts.
///
/// ``resolved`` remembers the raw values the loader found and where each came from; ``report()`` lists
/// them with secrets masked. Changing a property afterwards does not change ``resolved``.
///
/// Printing or dumping a configuration never shows a secret: ``description``, ``debugDescription`` and
/// ``customMirror`` mask them.
public struct MLOpsConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// How the serve agent builds model servers (`MLFLOW_SERVE_MODE`).
    public enum ServeMode: String, Sendable, Hashable, CaseIterable {
        /// An image per model version, built from `models:/<model>/<version>` (`docker-image`).
        case dockerImage = "docker-image"
        /// The shared `MLFLOW_SERVE_IMAGE` running `mlflow models serve -m models:/<model>@<alias>`.
        case genericImage = "generic"

        /// The mode for a `MLFLOW_SERVE_MODE` value: `docker-image` (in any case), and any other value
        /// means the generic image, as in the original stack.
        public init(configurationValue: String) {
            let normalized = configurationValue.trimmingWhitespace().lowercased()
            self = normalized == ServeMode.dockerImage.rawValue ? .dockerImage : .genericImage
        }
    }

    // MARK: MLflow tracking server

    /// `MLFLOW_TRACKING_URI`: an `http` or `https` URL.
    public var trackingURI: URL = URL(string: "http://127.0.0.1:5000")!
    /// `MLFLOW_TRACKING_USERNAME`.
    public var trackingUsername: String?
    /// `MLFLOW_TRACKING_PASSWORD`.
    public var trackingPassword: String?
    /// `MLFLOW_TRACKING_TOKEN`.
    public var trackingToken: String?
    /// `MLFLOW_TRACKING_INSECURE_TLS`: whether TLS certificate verification is off.
    public var insecureTLS: Bool = false
    /// `MLFLOW_TRACKING_SERVER_CERT_PATH`: a PEM bundle of certificate authorities to trust.
    public var caBundlePath: String?
    /// `MLFLOW_EXPERIMENT_NAME`.
    public var experimentName: String = "iris-classification"
    /// `MLFLOW_MODEL_NAME`.
    public var modelName: String = "iris_classifier"
    /// `MLFLOW_MODEL_ALIAS`, or `MODEL_ALIAS` when that one comes from a higher layer.
    public var modelAlias: String = "Production"

    // MARK: Artifact store

    /// The S3 endpoint: an `http` or `https` URL, or `nil` for AWS S3's own regional endpoints.
    ///
    /// It comes from `MLFLOW_S3_ENDPOINT_URL`, `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`: the one set in
    /// the highest layer, and on a tie the first of them, so a set `MLFLOW_S3_ENDPOINT_URL` wins as in
    /// MLflow. When none is set it is `MLFLOW_S3_ENDPOINT_URL`'s default, `http://127.0.0.1:9000` (a
    /// local MinIO). `MLFLOW_S3_ENDPOINT_URL=aws` selects AWS S3 (`nil`). ``s3EndpointVariable`` says which
    /// variable it came from.
    public var s3EndpointURL: URL? = URL(string: "http://127.0.0.1:9000")! {
        didSet { s3EndpointVariable = nil }
    }
    /// The variable ``s3EndpointURL`` came from, which errors about the endpoint name; `nil` once
    /// ``s3EndpointURL`` has been set in code.
    public private(set) var s3EndpointVariable: String? = ConfigurationKey.s3EndpointURL.name

    /// The keys that can name the S3 endpoint, most specific first: MLflow's own, then the AWS SDKs'
    /// S3-specific and global overrides. ``s3EndpointURL`` comes from the one set in the highest layer.
    static let s3EndpointKeys = [
        ConfigurationKey.s3EndpointURL, ConfigurationKey.awsEndpointURLS3, ConfigurationKey.awsEndpointURL,
    ]

    /// `AWS_ACCESS_KEY_ID`.
    public var awsAccessKeyID: String?
    /// `AWS_SECRET_ACCESS_KEY`.
    public var awsSecretAccessKey: String?
    /// `AWS_SESSION_TOKEN`.
    public var awsSessionToken: String?
    /// `AWS_REGION`, or `AWS_DEFAULT_REGION` when that one comes from a higher layer.
    public var awsRegion: String = "us-east-1"
    /// `AWS_PROFILE`: the shared credentials file's profile (`default` when `nil`).
    public var awsProfile: String?
    /// `AWS_SHARED_CREDENTIALS_FILE`: the shared credentials file (`~/.aws/credentials` when `nil`).
    public var awsSharedCredentialsFile: String?
    /// `S3_ARTIFACT_BUCKET`.
    public var artifactBucket: String = "mlflow"
    /// `ARTIFACT_ROOT`: a URL with a scheme, such as `s3://mlflow/`.
    public var artifactRoot: URL = URL(string: "s3://mlflow/")!
    /// `MINIO_ROOT_USER`.
    public var minioRootUser: String?
    /// `MINIO_ROOT_PASSWORD`.
    public var minioRootPassword: String?

    // MARK: Airflow

    /// `AIRFLOW_BASE_URL`: an `http` or `https` URL.
    public var airflowBaseURL: URL = URL(string: "http://127.0.0.1:8080")!
    /// `AIRFLOW_ADMIN_USER`.
    public var airflowAdminUser: String?
    /// `AIRFLOW_ADMIN_PASSWORD`.
    public var airflowAdminPassword: String?

    // MARK: Autoserve

    /// `MLFLOW_SERVE_ALIASES`, split at commas, trimmed, empty items dropped.
    public var serveAliases: [String] = ["Production"]
    /// `MLFLOW_SERVE_IMAGE`.
    public var serveImage: String = "mlops-mlflow"
    /// `MLFLOW_SERVE_NETWORK`.
    public var serveNetwork: String = "mlops_default"
    /// `MLFLOW_SERVE_PORT`: 1–65535.
    public var servePort: Int = 5000
    /// `MLFLOW_SERVE_POLL_SECONDS`: at least 1.
    public var servePollSeconds: Int = 30
    /// `MLFLOW_SERVE_MODE`.
    public var serveMode: ServeMode = .dockerImage
    /// `MLFLOW_SERVE_ENV_MANAGER`.
    public var serveEnvManager: String = "virtualenv"

    // MARK: Registry exporter

    /// `MLFLOW_EXPORTER_PORT`: 1–65535.
    public var exporterPort: Int = 9101
    /// `MLFLOW_EXPORTER_POLL_SECONDS`: at least 1.
    public var exporterPollSeconds: Int = 30
    /// `MLFLOW_EXPORTER_ALIASES`, split at commas, trimmed, empty items dropped.
    public var exporterAliases: [String] = ["Production"]

    // MARK: Bootstrap and UI ports

    /// `BOOTSTRAP_RESET_MLFLOW`.
    public var bootstrapResetMLflow: Bool = false
    /// `MLFLOW_PORT`.
    public var mlflowPort: Int = 5000
    /// `AIRFLOW_WEB_PORT`.
    public var airflowWebPort: Int = 8080
    /// `MINIO_CONSOLE_PORT`.
    public var minioConsolePort: Int = 9001
    /// `GRAFANA_PORT`.
    public var grafanaPort: Int = 3000
    /// `PROMETHEUS_PORT`.
    public var prometheusPort: Int = 9090
    /// `LOKI_PORT`.
    public var lokiPort: Int = 3100
    /// `PROMETHEUS_URL`; `nil` means `http://127.0.0.1:<prometheusPort>`.
    public var prometheusURL: URL?
    /// `LOKI_URL`; `nil` means `http://127.0.0.1:<lokiPort>`.
    public var lokiURL: URL?
    /// `GRAFANA_URL`; `nil` means `http://127.0.0.1:<grafanaPort>`.
    public var grafanaURL: URL?

    // MARK: HTTP client

    /// `MLOPS_HTTP_TIMEOUT_SECONDS`: the total time one request may take; more than zero.
    public var httpTimeout: Duration = .seconds(60)
    /// `MLOPS_HTTP_RETRIES`: how many times a request that failed in a retryable way is repeated; at least 0.
    public var httpRetries: Int = 4

    // MARK: Provenance

    /// The raw values this configuration was built from and where each came from.
    public private(set) var resolved: ResolvedConfiguration

    /// The built-in defaults.
    public init() {
        resolved = ConfigurationLoader.resolve(environment: [:], dotEnv: nil)
    }

    /// Converts raw values to typed ones. Keys `resolved` does not set keep their defaults.
    ///
    /// URLs must parse and have a scheme (and, for `http`/`https` servers, a host); integers are decimal;
    /// booleans are `true`, `false`, `1`, `0`, `yes` or `no` in any case; lists are comma-separated.
    ///
    /// - Throws: ``ConfigurationError`` naming the first key that does not convert.
    public init(resolved: ResolvedConfiguration) throws(ConfigurationError) {
        self.init()
        self.resolved = resolved
        let keys = ConfigurationKey.self

        if let value = resolved[keys.trackingURI] { trackingURI = try value.httpURL() }
        trackingUsername = resolved[keys.trackingUsername]?.value
        trackingPassword = resolved[keys.trackingPassword]?.value
        trackingToken = resolved[keys.trackingToken]?.value
        if let value = resolved[keys.trackingInsecureTLS] { insecureTLS = try value.boolean() }
        caBundlePath = resolved[keys.trackingServerCertPath]?.value
        if let value = resolved[keys.experimentName] { experimentName = value.value }
        if let value = resolved[keys.modelName] { modelName = value.value }
        if let value = resolved.preferred(keys.modelAlias, over: keys.modelAliasShort) { modelAlias = value.value }

        if let value = resolved.preferred(Self.s3EndpointKeys) {
            s3EndpointURL = try value.s3EndpointURL(allowingAWS: value.key == keys.s3EndpointURL)
            s3EndpointVariable = value.key.name
        }
        awsAccessKeyID = resolved[keys.awsAccessKeyID]?.value
        awsSecretAccessKey = resolved[keys.awsSecretAccessKey]?.value
        awsSessionToken = resolved[keys.awsSessionToken]?.value
        if let value = resolved.preferred(keys.awsRegion, over: keys.awsDefaultRegion) { awsRegion = value.value }
        awsProfile = resolved[keys.awsProfile]?.value
        awsSharedCredentialsFile = resolved[keys.awsSharedCredentialsFile]?.value
        if let value = resolved[keys.artifactBucket] { artifactBucket = value.value }
        if let value = resolved[keys.artifactRoot] { artifactRoot = try value.url() }
        minioRootUser = resolved[keys.minioRootUser]?.value
        minioRootPassword = resolved[keys.minioRootPassword]?.value

        if let value = resolved[keys.airflowBaseURL] { airflowBaseURL = try value.httpURL() }
        airflowAdminUser = resolved[keys.airflowAdminUser]?.value
        airflowAdminPassword = resolved[keys.airflowAdminPassword]?.value

        if let value = resolved[keys.serveAliases] { serveAliases = value.list() }
        if let value = resolved[keys.serveImage] { serveImage = value.value }
        if let value = resolved[keys.serveNetwork] { serveNetwork = value.value }
        if let value = resolved[keys.servePort] { servePort = try value.port() }
        if let value = resolved[keys.servePollSeconds] { servePollSeconds = try value.integer(in: 1...) }
        if let value = resolved[keys.serveMode] { serveMode = ServeMode(configurationValue: value.value) }
        if let value = resolved[keys.serveEnvManager] { serveEnvManager = value.value }

        if let value = resolved[keys.exporterPort] { exporterPort = try value.port() }
        if let value = resolved[keys.exporterPollSeconds] { exporterPollSeconds = try value.integer(in: 1...) }
        if let value = resolved[keys.exporterAliases] { exporterAliases = value.list() }

        if let value = resolved[keys.bootstrapResetMLflow] { bootstrapResetMLflow = try value.boolean() }
        if let value = resolved[keys.mlflowPort] { mlflowPort = try value.port() }
        if let value = resolved[keys.airflowWebPort] { airflowWebPort = try value.port() }
        if let value = resolved[keys.minioConsolePort] { minioConsolePort = try value.port() }
        if let value = resolved[keys.grafanaPort] { grafanaPort = try value.port() }
        if let value = resolved[keys.prometheusPort] { prometheusPort = try value.port() }
        if let value = resolved[keys.lokiPort] { lokiPort = try value.port() }
        if let value = resolved[keys.prometheusURL], !value.value.isEmpty { prometheusURL = try value.httpURL() }
        if let value = resolved[keys.lokiURL], !value.value.isEmpty { lokiURL = try value.httpURL() }
        if let value = resolved[keys.grafanaURL], !value.value.isEmpty { grafanaURL = try value.httpURL() }

        if let value = resolved[keys.httpTimeoutSeconds] { httpTimeout = try value.positiveSeconds() }
        if let value = resolved[keys.httpRetries] { httpRetries = try value.integer(in: 0...) }
    }

    /// One line per key, secrets masked, with where each value came from. Describes the values as
    /// loaded (``resolved``).
    public func report() -> [ConfigurationReportEntry] {
        resolved.report()
    }

    // MARK: Safe printing

    /// Every property with what may be shown of its value.
    private var displayFields: KeyValuePairs<String, String> {
        func secret(_ value: String?) -> String { value == nil ? "nil" : Redaction.mask }
        func plain(_ value: String?) -> String { value ?? "nil" }
        func partial(_ value: String?) -> String {
            value.map(ConfigurationKey.awsAccessKeyID.displayValue(for:)) ?? "nil"
        }
        func url(_ value: URL?) -> String { value.map(Redaction.redact) ?? "nil" }
        func list(_ value: [String]) -> String { value.joined(separator: ",") }
        return [
            "trackingURI": url(trackingURI),
            "trackingUsername": plain(trackingUsername),
            "trackingPassword": secret(trackingPassword),
            "trackingToken": secret(trackingToken),
            "insecureTLS": "\(insecureTLS)",
            "caBundlePath": plain(caBundlePath),
            "experimentName": experimentName,
            "modelName": modelName,
            "modelAlias": modelAlias,
            "s3EndpointURL": url(s3EndpointURL),
            "s3EndpointVariable": plain(s3EndpointVariable),
            "awsAccessKeyID": partial(awsAccessKeyID),
            "awsSecretAccessKey": secret(awsSecretAccessKey),
            "awsSessionToken": secret(awsSessionToken),
            "awsRegion": awsRegion,
            "awsProfile": plain(awsProfile),
            "awsSharedCredentialsFile": plain(awsSharedCredentialsFile),
            "artifactBucket": artifactBucket,
            "artifactRoot": url(artifactRoot),
            "minioRootUser": partial(minioRootUser),
            "minioRootPassword": secret(minioRootPassword),
            "airflowBaseURL": url(airflowBaseURL),
            "airflowAdminUser": plain(airflowAdminUser),
            "airflowAdminPassword": secret(airflowAdminPassword),
            "serveAliases": list(serveAliases),
            "serveImage": serveImage,
            "serveNetwork": serveNetwork,
            "servePort": "\(servePort)",
            "servePollSeconds": "\(servePollSeconds)",
            "serveMode": serveMode.rawValue,
            "serveEnvManager": serveEnvManager,
            "exporterPort": "\(exporterPort)",
            "exporterPollSeconds": "\(exporterPollSeconds)",
            "exporterAliases": list(exporterAliases),
            "bootstrapResetMLflow": "\(bootstrapResetMLflow)",
            "mlflowPort": "\(mlflowPort)",
            "airflowWebPort": "\(airflowWebPort)",
            "minioConsolePort": "\(minioConsolePort)",
            "grafanaPort": "\(grafanaPort)",
            "prometheusPort": "\(prometheusPort)",
            "lokiPort": "\(lokiPort)",
            "prometheusURL": url(prometheusURL),
            "lokiURL": url(lokiURL),
            "grafanaURL": url(grafanaURL),
            "httpTimeout": "\(httpTimeout)",
            "httpRetries": "\(httpRetries)",
        ]
    }

    /// All properties, secrets masked.
    public var description: String {
        "MLOpsConfiguration(" + displayFields.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: displayFields.map { (label: Optional($0.key), value: $0.value as Any) })
    }
}
