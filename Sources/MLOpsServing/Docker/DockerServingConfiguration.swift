import MLOpsCore

/// How ``DockerServingRuntime`` turns a ``ServingSpec`` into a container. The defaults are the original
/// autoserve watcher's.
public struct DockerServingConfiguration: Sendable, Hashable {
    /// Where the model server comes from.
    public enum Mode: Sendable, Hashable {
        /// The original's generic mode: every instance runs this shared image (`MLFLOW_SERVE_IMAGE`,
        /// default `mlops-mlflow`) with `mlflow models serve -m models:/<model>/<version> -h 0.0.0.0
        /// -p <port> --env-manager <envManager>`.
        ///
        /// The original served `models:/<model>@<alias>`; an instance here loads the exact version it
        /// was created for (``ServingSpec/versionModelURI``), so an alias that moves while the server
        /// starts cannot change what it loads, and the `mlflow_version` label is always true.
        case image(String)
        /// The original's `docker-image` mode (`MLFLOW_SERVE_MODE=docker-image`): an image per model
        /// version, `mlflow-model-<model>-v<version>` (``ServingNames/image(model:version:)``), built
        /// through the Engine when absent from a Dockerfile `FROM baseImage` plus the model's files
        /// (from the runtime's ``ModelFilesProvider``) at `/opt/ml/model`. It runs `mlflow models serve
        /// -m /opt/ml/model -h 0.0.0.0 -p 8080 --env-manager local`, container port 8080.
        case perVersionImage(baseImage: String)
    }

    /// A host directory mounted read-only into every serving container.
    public struct ReadOnlyMount: Sendable, Hashable {
        public var hostPath: String
        public var containerPath: String

        public init(hostPath: String, containerPath: String) {
            self.hostPath = hostPath
            self.containerPath = containerPath
        }

        var bind: String { "\(hostPath):\(containerPath):ro" }
    }

    public var mode: Mode = .image("mlops-mlflow")
    /// The network serving containers join (`MLFLOW_SERVE_NETWORK`): a user-defined network such as
    /// the compose network `mlops_default`, or `host`. On the host network each instance gets a free
    /// port of 127.0.0.1 of its own and its server binds 127.0.0.1 only.
    public var network: String = "mlops_default"
    /// The port model servers listen on in ``Mode/image(_:)`` mode on a user-defined network
    /// (`MLFLOW_SERVE_PORT`). ``Mode/perVersionImage(baseImage:)`` mode uses 8080 as the original did.
    public var port: Int = 5000
    /// `--env-manager` of `mlflow models serve` in ``Mode/image(_:)`` mode (`MLFLOW_SERVE_ENV_MANAGER`).
    public var envManager: String = "virtualenv"
    /// The Engine's restart policy for serving containers; `always` as in the original.
    public var restartPolicy: DockerRestartPolicy = .always
    /// Directories mounted read-only into every container.
    public var mounts: [ReadOnlyMount] = []
    /// Environment for every container, under the spec's own (which wins on a clash). Never logged.
    public var environment: [String: String] = [:]
    /// Replaces the model server command. Each argument may hold `{model_uri}`, `{host}`, `{port}`,
    /// `{env_manager}`, `{model}`, `{alias}` and `{version}`, replaced per instance.
    public var commandTemplate: [String]?
    /// A memory limit per container, in bytes.
    public var memoryLimit: Int64?
    /// How long ``DockerServingRuntime/remove(_:)`` lets a running server stop before it is killed.
    public var removeGrace: Duration = .seconds(5)

    public init(mode: Mode = .image("mlops-mlflow"), network: String = "mlops_default") {
        self.mode = mode
        self.network = network
    }

    /// The port inside the container on a user-defined network: ``port`` in image mode, 8080 for
    /// per-version images.
    public var containerPort: Int {
        if case .perVersionImage = mode { return 8080 }
        return port
    }

    /// Whether containers share the host's network.
    public var usesHostNetwork: Bool { network == "host" }
}

extension DockerServingConfiguration {
    /// The configuration the original's variables describe: `MLFLOW_SERVE_MODE` (`docker-image` builds
    /// per-version images from `MLFLOW_SERVE_IMAGE`, anything else runs `MLFLOW_SERVE_IMAGE`),
    /// `MLFLOW_SERVE_NETWORK`, `MLFLOW_SERVE_PORT` and `MLFLOW_SERVE_ENV_MANAGER`.
    public init(_ configuration: MLOpsConfiguration) {
        switch configuration.serveMode {
        case .dockerImage: self.init(mode: .perVersionImage(baseImage: configuration.serveImage), network: configuration.serveNetwork)
        case .genericImage: self.init(mode: .image(configuration.serveImage), network: configuration.serveNetwork)
        }
        port = configuration.servePort
        envManager = configuration.serveEnvManager
    }
}
