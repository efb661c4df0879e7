extension ConfigurationKey {
    // MARK: MLflow tracking server

    /// `MLFLOW_TRACKING_URI`. Defaults to `http://127.0.0.1:5000`, what a command run on the machine that
    /// publishes the stack's ports expects; inside the compose network the stack sets `http://mlflow:5000`.
    public static let trackingURI = ConfigurationKey(
        "MLFLOW_TRACKING_URI", default: "http://127.0.0.1:5000", sensitivity: .url,
        help: "MLflow tracking server URL (the compose stack uses http://mlflow:5000)")
    /// `MLFLOW_TRACKING_USERNAME`, for MLflow's basic-auth app.
    public static let trackingUsername = ConfigurationKey(
        "MLFLOW_TRACKING_USERNAME", help: "user name for HTTP basic authentication to MLflow")
    /// `MLFLOW_TRACKING_PASSWORD`, for MLflow's basic-auth app. Secret.
    public static let trackingPassword = ConfigurationKey(
        "MLFLOW_TRACKING_PASSWORD", sensitivity: .secret, help: "password for HTTP basic authentication to MLflow")
    /// `MLFLOW_TRACKING_TOKEN`, a bearer token. Secret.
    public static let trackingToken = ConfigurationKey(
        "MLFLOW_TRACKING_TOKEN", sensitivity: .secret,
        help: "bearer token for MLflow (used when no user name is set)")
    /// `MLFLOW_TRACKING_INSECURE_TLS`: `true` turns off TLS certificate verification.
    public static let trackingInsecureTLS = ConfigurationKey(
        "MLFLOW_TRACKING_INSECURE_TLS", default: "false",
        help: "true to skip TLS certificate verification (unsafe; for testing only)")
    /// `MLFLOW_TRACKING_SERVER_CERT_PATH`: a PEM bundle of certificate authorities to trust.
    public static let trackingServerCertPath = ConfigurationKey(
        "MLFLOW_TRACKING_SERVER_CERT_PATH", help: "PEM CA bundle to verify the servers' TLS certificates with")
    /// `MLFLOW_EXPERIMENT_NAME`.
    public static let experimentName = ConfigurationKey(
        "MLFLOW_EXPERIMENT_NAME", default: "iris-classification",
        help: "experiment name prefix the training flow uses (<name>_<dataset>)")
    /// `MLFLOW_MODEL_NAME`.
    public static let modelName = ConfigurationKey(
        "MLFLOW_MODEL_NAME", default: "iris_classifier",
        help: "registered model name prefix (<name>_<dataset>)")
    /// `MLFLOW_MODEL_ALIAS`: the alias served and monitored. Preferred over ``modelAliasShort``.
    public static let modelAlias = ConfigurationKey(
        "MLFLOW_MODEL_ALIAS", default: "Production", help: "model alias to serve and monitor")
    /// `MODEL_ALIAS`: the older spelling of ``modelAlias``, used by some of the stack's services.
    public static let modelAliasShort = ConfigurationKey(
        "MODEL_ALIAS", default: "Production", help: "older name of MLFLOW_MODEL_ALIAS")

    // MARK: Artifact store (S3 / MinIO)

    /// `MLFLOW_S3_ENDPOINT_URL`: the S3 endpoint, or `aws` for AWS S3's regional endpoint. Set, it wins
    /// over ``awsEndpointURLS3`` and ``awsEndpointURL`` from the same or a lower layer. Its default,
    /// `http://127.0.0.1:9000`, applies only when none of the three is set; inside the compose network the
    /// stack sets `http://minio:9000`. See ``MLOpsConfiguration/s3EndpointURL``.
    public static let s3EndpointURL = ConfigurationKey(
        "MLFLOW_S3_ENDPOINT_URL", default: "http://127.0.0.1:9000", sensitivity: .url,
        help: "S3 endpoint for artifacts, or aws for AWS S3 (the compose stack uses http://minio:9000)")
    /// `AWS_ENDPOINT_URL_S3`: the AWS SDKs' S3 endpoint override, used when ``s3EndpointURL`` is not set
    /// in the same or a higher layer.
    public static let awsEndpointURLS3 = ConfigurationKey(
        "AWS_ENDPOINT_URL_S3", sensitivity: .url,
        help: "S3 endpoint when MLFLOW_S3_ENDPOINT_URL is not set (the AWS SDKs' variable)")
    /// `AWS_ENDPOINT_URL`: the AWS SDKs' endpoint override for every service, used for S3 when neither
    /// ``s3EndpointURL`` nor ``awsEndpointURLS3`` is set in the same or a higher layer.
    public static let awsEndpointURL = ConfigurationKey(
        "AWS_ENDPOINT_URL", sensitivity: .url,
        help: "S3 endpoint when neither MLFLOW_S3_ENDPOINT_URL nor AWS_ENDPOINT_URL_S3 is set")
    /// `AWS_ACCESS_KEY_ID`. Not a secret, but shown only partially.
    public static let awsAccessKeyID = ConfigurationKey(
        "AWS_ACCESS_KEY_ID", sensitivity: .partiallyMasked, help: "S3 access key id")
    /// `AWS_SECRET_ACCESS_KEY`. Secret.
    public static let awsSecretAccessKey = ConfigurationKey(
        "AWS_SECRET_ACCESS_KEY", sensitivity: .secret, help: "S3 secret access key")
    /// `AWS_SESSION_TOKEN`, for temporary credentials. Secret.
    public static let awsSessionToken = ConfigurationKey(
        "AWS_SESSION_TOKEN", sensitivity: .secret, help: "S3 session token for temporary credentials")
    /// `AWS_REGION`. Preferred over ``awsDefaultRegion``; `us-east-1` (MinIO's region) by default.
    public static let awsRegion = ConfigurationKey(
        "AWS_REGION", default: "us-east-1", help: "S3 signing region (MinIO uses us-east-1)")
    /// `AWS_DEFAULT_REGION`: used when ``awsRegion`` is not set by a higher layer.
    public static let awsDefaultRegion = ConfigurationKey(
        "AWS_DEFAULT_REGION", help: "S3 signing region when AWS_REGION is not set")
    /// `AWS_PROFILE`: the profile of the shared credentials file, when no access key is configured.
    public static let awsProfile = ConfigurationKey(
        "AWS_PROFILE", help: "profile in the shared credentials file (default: default)")
    /// `AWS_SHARED_CREDENTIALS_FILE`: the shared credentials file, when no access key is configured. A
    /// leading `~/` means `HOME`.
    public static let awsSharedCredentialsFile = ConfigurationKey(
        "AWS_SHARED_CREDENTIALS_FILE", help: "AWS shared credentials file (default: ~/.aws/credentials)")
    /// `S3_ARTIFACT_BUCKET`.
    public static let artifactBucket = ConfigurationKey(
        "S3_ARTIFACT_BUCKET", default: "mlflow", help: "bucket holding MLflow artifacts")
    /// `ARTIFACT_ROOT`.
    public static let artifactRoot = ConfigurationKey(
        "ARTIFACT_ROOT", default: "s3://mlflow/", sensitivity: .url,
        help: "MLflow server's default artifact root")
    /// `MINIO_ROOT_USER`: MinIO's administrator, which the stack also uses as its S3 access key id.
    public static let minioRootUser = ConfigurationKey(
        "MINIO_ROOT_USER", sensitivity: .partiallyMasked, help: "MinIO root user (the stack's S3 access key id)")
    /// `MINIO_ROOT_PASSWORD`. Secret.
    public static let minioRootPassword = ConfigurationKey(
        "MINIO_ROOT_PASSWORD", sensitivity: .secret, help: "MinIO root password (the stack's S3 secret key)")

    // MARK: Airflow

    /// `AIRFLOW_BASE_URL`: not a variable of the original stack, which only reaches Airflow inside the
    /// compose network at `http://airflow-webserver:8080`. Defaults to `http://127.0.0.1:8080`.
    public static let airflowBaseURL = ConfigurationKey(
        "AIRFLOW_BASE_URL", default: "http://127.0.0.1:8080", sensitivity: .url,
        help: "Airflow web server URL (the compose stack uses http://airflow-webserver:8080)")
    /// `AIRFLOW_ADMIN_USER`.
    public static let airflowAdminUser = ConfigurationKey(
        "AIRFLOW_ADMIN_USER", help: "Airflow user for its REST API")
    /// `AIRFLOW_ADMIN_PASSWORD`. Secret.
    public static let airflowAdminPassword = ConfigurationKey(
        "AIRFLOW_ADMIN_PASSWORD", sensitivity: .secret, help: "password of AIRFLOW_ADMIN_USER")

    // MARK: Autoserve

    /// `MLFLOW_SERVE_ALIASES`: a comma-separated list.
    public static let serveAliases = ConfigurationKey(
        "MLFLOW_SERVE_ALIASES", default: "Production", help: "comma-separated aliases to serve a container for")
    /// `MLFLOW_SERVE_IMAGE`.
    public static let serveImage = ConfigurationKey(
        "MLFLOW_SERVE_IMAGE", default: "mlops-mlflow", help: "image with MLflow, to build or run model servers from")
    /// `MLFLOW_SERVE_NETWORK`.
    public static let serveNetwork = ConfigurationKey(
        "MLFLOW_SERVE_NETWORK", default: "mlops_default", help: "Docker network serving containers join")
    /// `MLFLOW_SERVE_PORT`.
    public static let servePort = ConfigurationKey(
        "MLFLOW_SERVE_PORT", default: "5000", help: "port model servers listen on in generic mode")
    /// `MLFLOW_SERVE_POLL_SECONDS`.
    public static let servePollSeconds = ConfigurationKey(
        "MLFLOW_SERVE_POLL_SECONDS", default: "30", help: "seconds between two registry polls of the serve agent")
    /// `MLFLOW_SERVE_MODE`: `docker-image`, or anything else for the generic image.
    public static let serveMode = ConfigurationKey(
        "MLFLOW_SERVE_MODE", default: "docker-image",
        help: "docker-image (an image per model version) or anything else (generic image)")
    /// `MLFLOW_SERVE_ENV_MANAGER`.
    public static let serveEnvManager = ConfigurationKey(
        "MLFLOW_SERVE_ENV_MANAGER", default: "virtualenv", help: "--env-manager for mlflow models serve (generic mode)")

    /// `MLFLOW_SERVE_RUNTIME`: MLOpsKit's own; where the agent runs model servers.
    public static let serveRuntime = ConfigurationKey(
        "MLFLOW_SERVE_RUNTIME", default: "auto",
        help: "docker, process, or auto (docker when DOCKER_HOST or /var/run/docker.sock answers, else process)")
    /// `MLFLOW_SERVE_STATE_DIR`: MLOpsKit's own; the process runtime's state directory.
    public static let serveStateDir = ConfigurationKey(
        "MLFLOW_SERVE_STATE_DIR",
        help: "process runtime state directory (unset: $XDG_STATE_HOME/mlopskit/serving or ~/.local/state/mlopskit/serving)")
    /// `MLFLOW_SERVE_MODEL_CACHE_DIR`: MLOpsKit's own; where per-version images' model files are
    /// downloaded (a private directory: mode 0700, owned by the agent's user).
    public static let serveModelCacheDir = ConfigurationKey(
        "MLFLOW_SERVE_MODEL_CACHE_DIR",
        help: "Docker per-version images: model file cache, a private directory (unset: $XDG_STATE_HOME/mlopskit/model-files or ~/.local/state/mlopskit/model-files)")
    /// `MLFLOW_SERVE_PROCESS_LOG_MAX_MIB`: MLOpsKit's own; the process runtime's log rotation size.
    public static let serveProcessLogMaxMiB = ConfigurationKey(
        "MLFLOW_SERVE_PROCESS_LOG_MAX_MIB", default: "16",
        help: "process runtime: a model server's log is rotated to <log>.1 past this many MiB (0: never)")
    /// `MLFLOW_SERVE_VERIFY_REQUESTS`: MLOpsKit's own; with the gateway, how many answers of a new version
    /// decide whether it keeps the traffic (0: no verification).
    public static let serveVerifyRequests = ConfigurationKey(
        "MLFLOW_SERVE_VERIFY_REQUESTS", default: "20",
        help: "with the gateway: answers of a new version that decide whether it keeps the traffic; the previous version stays warm meanwhile (0: off)")
    /// `MLFLOW_SERVE_VERIFY_SECONDS`: MLOpsKit's own; the verification's time bound.
    public static let serveVerifySeconds = ConfigurationKey(
        "MLFLOW_SERVE_VERIFY_SECONDS", default: "60",
        help: "with the gateway: the longest the previous version stays warm for a verification (fewer answers by then pass)")
    /// `MLFLOW_SERVE_VERIFY_MAX_5XX_RATIO`: MLOpsKit's own; the share of 5xx answers that sends traffic back.
    public static let serveVerifyMax5xxRatio = ConfigurationKey(
        "MLFLOW_SERVE_VERIFY_MAX_5XX_RATIO", default: "0.1",
        help: "with the gateway: above this share of 5xx answers in the verification, traffic goes back to the previous version")
    /// `MLFLOW_SERVE_PROCESS_COMMAND`: MLOpsKit's own; the process runtime's model server command line.
    public static let serveProcessCommand = ConfigurationKey(
        "MLFLOW_SERVE_PROCESS_COMMAND",
        help: "process runtime's model server command, split at spaces; placeholders {model_uri} {port} {model} {alias} {version} {env_manager} {name} (unset: mlflow models serve on 127.0.0.1)")
    /// `MLFLOW_SERVE_LISTEN`: MLOpsKit's own; the agent's HTTP address.
    public static let serveListen = ConfigurationKey(
        "MLFLOW_SERVE_LISTEN",
        help: "HOST:PORT of the agent's HTTP server (unset: 127.0.0.1:MLFLOW_EXPORTER_PORT)")
    /// `MLFLOW_SERVE_GATEWAY_LISTEN`: MLOpsKit's own; the serving gateway's address, or `off`. The gateway
    /// gives each served alias a stable route (`/models/{model}/{alias}/invocations`) in front of its
    /// instance. Unset: 127.0.0.1 on the port after ``exporterPort`` (9102).
    public static let serveGatewayListen = ConfigurationKey(
        "MLFLOW_SERVE_GATEWAY_LISTEN",
        help: "HOST:PORT of the serving gateway (a stable route per alias), or off (unset: 127.0.0.1:MLFLOW_EXPORTER_PORT+1)")
    /// `MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES`: MLOpsKit's own; the largest request body the gateway passes
    /// on (bodies stream: a policy, not a memory bound).
    public static let serveGatewayMaxBodyBytes = ConfigurationKey(
        "MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES", default: "268435456",
        help: "largest request body the serving gateway passes on, in bytes (larger ones get 413)")
    /// `MLFLOW_SERVE_GATEWAY_THREADS`: MLOpsKit's own; the gateway's event loop threads.
    public static let serveGatewayThreads = ConfigurationKey(
        "MLFLOW_SERVE_GATEWAY_THREADS", default: "0", help: "event loop threads of the serving gateway (0: one per core)")
    /// `MLFLOW_SERVE_CANARY`: MLOpsKit's own; canary splits of the gateway, `ALIAS=ALIAS:PERCENT`
    /// comma-separated (`Production=Challenger:10`: 10 % of the requests for a model's Production go to
    /// its Challenger, for every model with both served).
    public static let serveCanary = ConfigurationKey(
        "MLFLOW_SERVE_CANARY",
        help: "gateway canary splits, such as Production=Challenger:10 (10 % of Production's requests to Challenger), comma-separated")
    /// `MLFLOW_SERVE_SHADOW`: MLOpsKit's own; shadows of the gateway, `ALIAS=ALIAS` comma-separated
    /// (`Production=Test`: a copy of each request for a model's Production goes to its Test, whose
    /// answer is compared and dropped).
    public static let serveShadow = ConfigurationKey(
        "MLFLOW_SERVE_SHADOW",
        help: "gateway shadows, such as Production=Test (a copy of Production's invocations to Test, answer compared and dropped), comma-separated")
    /// `MLFLOW_SERVE_WEBHOOK_SECRET`: MLOpsKit's own; the MLflow webhook secret. Secret.
    public static let serveWebhookSecret = ConfigurationKey(
        "MLFLOW_SERVE_WEBHOOK_SECRET", sensitivity: .secret,
        help: "MLflow webhook secret; set (or a secret file), it turns the webhook receiver on")
    /// `MLFLOW_SERVE_WEBHOOK_SECRET_FILE`: MLOpsKit's own; a file holding the webhook secret.
    public static let serveWebhookSecretFile = ConfigurationKey(
        "MLFLOW_SERVE_WEBHOOK_SECRET_FILE",
        help: "file holding the MLflow webhook secret (wins over MLFLOW_SERVE_WEBHOOK_SECRET)")
    /// `MLFLOW_SERVE_MODEL_FILTER`: MLOpsKit's own; an MLflow search filter for the models served.
    public static let serveModelFilter = ConfigurationKey(
        "MLFLOW_SERVE_MODEL_FILTER", help: "MLflow filter limiting the models served, such as name LIKE 'iris%' (unset: all)")
    /// `MLFLOW_SERVE_LOG_FORMAT`: MLOpsKit's own; `json` or `text`.
    public static let serveLogFormat = ConfigurationKey(
        "MLFLOW_SERVE_LOG_FORMAT", help: "json or text (unset: text when standard error is a terminal, else json)")
    /// `MLFLOW_SERVE_LOG_LEVEL`: MLOpsKit's own; the agent's log level.
    public static let serveLogLevel = ConfigurationKey(
        "MLFLOW_SERVE_LOG_LEVEL", default: "info", help: "trace, debug, info, notice, warning, error or critical")

    // MARK: Registry exporter

    /// `MLFLOW_EXPORTER_PORT`.
    public static let exporterPort = ConfigurationKey(
        "MLFLOW_EXPORTER_PORT", default: "9101", help: "port of the registry exporter's /metrics")
    /// `MLFLOW_EXPORTER_POLL_SECONDS`.
    public static let exporterPollSeconds = ConfigurationKey(
        "MLFLOW_EXPORTER_POLL_SECONDS", default: "30", help: "seconds between two registry polls of the exporter")
    /// `MLFLOW_EXPORTER_ALIASES`: a comma-separated list.
    public static let exporterAliases = ConfigurationKey(
        "MLFLOW_EXPORTER_ALIASES", default: "Production", help: "comma-separated aliases the exporter reports")

    // MARK: Bootstrap and UI ports

    /// `BOOTSTRAP_RESET_MLFLOW`.
    public static let bootstrapResetMLflow = ConfigurationKey(
        "BOOTSTRAP_RESET_MLFLOW", default: "false",
        help: "true to delete every experiment but Default at bootstrap")
    /// `MLFLOW_PORT`: the MLflow UI's published port.
    public static let mlflowPort = ConfigurationKey(
        "MLFLOW_PORT", default: "5000", help: "published port of the MLflow UI")
    /// `AIRFLOW_WEB_PORT`: the Airflow UI's published port.
    public static let airflowWebPort = ConfigurationKey(
        "AIRFLOW_WEB_PORT", default: "8080", help: "published port of the Airflow UI")
    /// `MINIO_CONSOLE_PORT`: the MinIO console's published port.
    public static let minioConsolePort = ConfigurationKey(
        "MINIO_CONSOLE_PORT", default: "9001", help: "published port of the MinIO console")
    /// `GRAFANA_PORT`: Grafana's published port.
    public static let grafanaPort = ConfigurationKey(
        "GRAFANA_PORT", default: "3000", help: "published port of Grafana")
    /// `PROMETHEUS_PORT`: Prometheus' published port.
    public static let prometheusPort = ConfigurationKey(
        "PROMETHEUS_PORT", default: "9090", help: "published port of Prometheus")
    /// `LOKI_PORT`: Loki's published port.
    public static let lokiPort = ConfigurationKey(
        "LOKI_PORT", default: "3100", help: "published port of Loki")
    /// `PROMETHEUS_URL`: MLOpsKit's own; where health checks reach Prometheus. Unset: `http://127.0.0.1`
    /// on ``prometheusPort``.
    public static let prometheusURL = ConfigurationKey(
        "PROMETHEUS_URL", sensitivity: .url,
        help: "Prometheus URL for health checks (unset: http://127.0.0.1:PROMETHEUS_PORT)")
    /// `LOKI_URL`: MLOpsKit's own; where health checks reach Loki. Unset: `http://127.0.0.1` on ``lokiPort``.
    public static let lokiURL = ConfigurationKey(
        "LOKI_URL", sensitivity: .url, help: "Loki URL for health checks (unset: http://127.0.0.1:LOKI_PORT)")
    /// `GRAFANA_URL`: MLOpsKit's own; where health checks reach Grafana. Unset: `http://127.0.0.1` on
    /// ``grafanaPort``.
    public static let grafanaURL = ConfigurationKey(
        "GRAFANA_URL", sensitivity: .url, help: "Grafana URL for health checks (unset: http://127.0.0.1:GRAFANA_PORT)")

    // MARK: HTTP client

    /// `MLOPS_HTTP_TIMEOUT_SECONDS`: MLOpsKit's own; seconds, fractions allowed.
    public static let httpTimeoutSeconds = ConfigurationKey(
        "MLOPS_HTTP_TIMEOUT_SECONDS", default: "60", help: "seconds one HTTP request may take in total")
    /// `MLOPS_HTTP_RETRIES`: MLOpsKit's own; retries after the first attempt.
    public static let httpRetries = ConfigurationKey(
        "MLOPS_HTTP_RETRIES", default: "4", help: "retries of a request that failed in a retryable way (0 = none)")

    /// Every key, grouped by area, in the order reports list them.
    public static let all: [ConfigurationKey] = [
        trackingURI, trackingUsername, trackingPassword, trackingToken, trackingInsecureTLS,
        trackingServerCertPath, experimentName, modelName, modelAlias, modelAliasShort,
        s3EndpointURL, awsEndpointURLS3, awsEndpointURL, awsAccessKeyID, awsSecretAccessKey, awsSessionToken,
        awsRegion, awsDefaultRegion, awsProfile, awsSharedCredentialsFile, artifactBucket, artifactRoot, minioRootUser, minioRootPassword,
        airflowBaseURL, airflowAdminUser, airflowAdminPassword,
        serveAliases, serveImage, serveNetwork, servePort, servePollSeconds, serveMode, serveEnvManager,
        serveRuntime, serveStateDir, serveModelCacheDir, serveProcessCommand, serveProcessLogMaxMiB, serveVerifyRequests, serveVerifySeconds,
        serveVerifyMax5xxRatio, serveListen,
        serveGatewayListen, serveGatewayMaxBodyBytes, serveGatewayThreads, serveWebhookSecret, serveWebhookSecretFile, serveModelFilter,
        serveLogFormat, serveLogLevel,
        serveCanary, serveShadow,
        exporterPort, exporterPollSeconds, exporterAliases,
        bootstrapResetMLflow, mlflowPort, airflowWebPort, minioConsolePort, grafanaPort, prometheusPort, lokiPort,
        prometheusURL, lokiURL, grafanaURL,
        httpTimeoutSeconds, httpRetries,
    ]

    /// The key in ``all`` called `name`, if any.
    public static func named(_ name: String) -> ConfigurationKey? {
        all.first { $0.name == name }
    }
}
