import ArgumentParser
import MLOpsKit

/// The command-line flags that set configuration variables: the top layer above the environment and the
/// `.env` file. Every `MLFLOW_SERVE_*` variable has one, except the webhook secret itself (a secret on a
/// command line shows in `ps`): use `--webhook-secret-file` or the environment.
struct AgentOptions: ParsableArguments {
    @Option(name: .customLong("tracking-uri"), help: ArgumentHelp("MLflow tracking server URL (MLFLOW_TRACKING_URI).", valueName: "url"))
    var trackingURI: String?

    @Option(name: .customLong("env-file"), help: ArgumentHelp("The .env file to read (default: ./.env if it exists).", valueName: "path"))
    var envFile: String?

    @Option(help: ArgumentHelp("Comma-separated aliases to serve (MLFLOW_SERVE_ALIASES).", valueName: "list"))
    var aliases: String?

    @Option(help: ArgumentHelp("Image with MLflow for serving containers (MLFLOW_SERVE_IMAGE).", valueName: "image"))
    var image: String?

    @Option(help: ArgumentHelp("Docker network serving containers join (MLFLOW_SERVE_NETWORK).", valueName: "name"))
    var network: String?

    @Option(help: ArgumentHelp("Port model servers listen on in generic mode (MLFLOW_SERVE_PORT).", valueName: "port"))
    var port: Int?

    @Option(name: .customLong("poll-seconds"), help: ArgumentHelp("Seconds between two full resyncs (MLFLOW_SERVE_POLL_SECONDS).", valueName: "seconds"))
    var pollSeconds: Int?

    @Option(help: ArgumentHelp("docker-image or generic (MLFLOW_SERVE_MODE).", valueName: "mode"))
    var mode: String?

    @Option(name: .customLong("env-manager"), help: ArgumentHelp("--env-manager for mlflow models serve (MLFLOW_SERVE_ENV_MANAGER).", valueName: "name"))
    var envManager: String?

    @Option(help: ArgumentHelp("docker, process or auto (MLFLOW_SERVE_RUNTIME).", valueName: "runtime"))
    var runtime: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Process runtime state directory (MLFLOW_SERVE_STATE_DIR).", valueName: "path"))
    var stateDir: String?

    @Option(name: .customLong("process-command"), help: ArgumentHelp("Process runtime model server command (MLFLOW_SERVE_PROCESS_COMMAND).", valueName: "command"))
    var processCommand: String?

    @Option(help: ArgumentHelp("HOST:PORT of the HTTP server (MLFLOW_SERVE_LISTEN; default 127.0.0.1:MLFLOW_EXPORTER_PORT).", valueName: "host:port"))
    var listen: String?

    @Option(name: .customLong("gateway-listen"), help: ArgumentHelp("HOST:PORT of the serving gateway, or off (MLFLOW_SERVE_GATEWAY_LISTEN; default 127.0.0.1:MLFLOW_EXPORTER_PORT+1).", valueName: "host:port|off"))
    var gatewayListen: String?

    @Option(name: .customLong("gateway-max-body-bytes"), help: ArgumentHelp("Largest request body the gateway passes on (MLFLOW_SERVE_GATEWAY_MAX_BODY_BYTES; default 268435456).", valueName: "bytes"))
    var gatewayMaxBodyBytes: String?

    @Option(name: .customLong("gateway-threads"), help: ArgumentHelp("Event loop threads of the gateway, 0 for one per core (MLFLOW_SERVE_GATEWAY_THREADS).", valueName: "threads"))
    var gatewayThreads: String?

    @Option(help: ArgumentHelp("Gateway canary splits such as Production=Challenger:10, comma-separated (MLFLOW_SERVE_CANARY).", valueName: "list"))
    var canary: String?

    @Option(help: ArgumentHelp("Gateway shadows such as Production=Test, comma-separated (MLFLOW_SERVE_SHADOW).", valueName: "list"))
    var shadow: String?

    @Option(name: .customLong("verify-requests"), help: ArgumentHelp("Answers of a new version that decide whether it keeps the traffic, 0 for none (MLFLOW_SERVE_VERIFY_REQUESTS).", valueName: "count"))
    var verifyRequests: String?

    @Option(name: .customLong("verify-seconds"), help: ArgumentHelp("Longest verification of a new version on live traffic (MLFLOW_SERVE_VERIFY_SECONDS).", valueName: "seconds"))
    var verifySeconds: String?

    @Option(name: .customLong("verify-max-5xx-ratio"), help: ArgumentHelp("Share of 5xx answers that sends traffic back (MLFLOW_SERVE_VERIFY_MAX_5XX_RATIO).", valueName: "ratio"))
    var verifyMax5xxRatio: String?

    @Option(name: .customLong("webhook-secret-file"), help: ArgumentHelp("File holding the MLflow webhook secret (MLFLOW_SERVE_WEBHOOK_SECRET_FILE).", valueName: "path"))
    var webhookSecretFile: String?

    @Option(name: .customLong("model-filter"), help: ArgumentHelp("MLflow filter limiting the models served (MLFLOW_SERVE_MODEL_FILTER).", valueName: "filter"))
    var modelFilter: String?

    @Option(name: .customLong("exporter-aliases"), help: ArgumentHelp("Comma-separated aliases in mlflow_model_alias_version (MLFLOW_EXPORTER_ALIASES).", valueName: "list"))
    var exporterAliases: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("json or text (MLFLOW_SERVE_LOG_FORMAT; default: text on a terminal, else json).", valueName: "format"))
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (MLFLOW_SERVE_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    /// Each flag given, as (variable, value, spelling).
    private var settings: [(ConfigurationKey, String?, String)] {
        [
            (.trackingURI, trackingURI, "--tracking-uri"), (.serveAliases, aliases, "--aliases"),
            (.serveImage, image, "--image"), (.serveNetwork, network, "--network"),
            (.servePort, port.map(String.init), "--port"), (.servePollSeconds, pollSeconds.map(String.init), "--poll-seconds"),
            (.serveMode, mode, "--mode"), (.serveEnvManager, envManager, "--env-manager"), (.serveRuntime, runtime, "--runtime"),
            (.serveStateDir, stateDir, "--state-dir"), (.serveProcessCommand, processCommand, "--process-command"),
            (.serveListen, listen, "--listen"), (.serveGatewayListen, gatewayListen, "--gateway-listen"),
            (.serveGatewayMaxBodyBytes, gatewayMaxBodyBytes, "--gateway-max-body-bytes"),
            (.serveGatewayThreads, gatewayThreads, "--gateway-threads"), (.serveVerifyRequests, verifyRequests, "--verify-requests"),
            (.serveVerifySeconds, verifySeconds, "--verify-seconds"), (.serveVerifyMax5xxRatio, verifyMax5xxRatio, "--verify-max-5xx-ratio"), (.serveWebhookSecretFile, webhookSecretFile, "--webhook-secret-file"),
            (.serveModelFilter, modelFilter, "--model-filter"), (.exporterAliases, exporterAliases, "--exporter-aliases"),
            (.serveLogFormat, logFormat, "--log-format"), (.serveLogLevel, logLevel, "--log-level"),
            (.serveCanary, canary, "--canary"), (.serveShadow, shadow, "--shadow"),
        ]
    }

    /// The flags as the configuration loader's top layer.
    var configurationFlags: [String: String] {
        var flags: [String: String] = [:]
        for (key, value, _) in settings { if let value { flags[key.name] = value } }
        return flags
    }

    /// How each flag is spelled, for reporting where a value came from.
    var configurationFlagNames: [String: String] {
        Dictionary(settings.map { ($0.0.name, $0.2) }) { first, _ in first }
    }
}
