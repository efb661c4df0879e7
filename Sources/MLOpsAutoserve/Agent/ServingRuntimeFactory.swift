import MLOpsCore
import MLOpsMLflow
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Opens the serving runtime the agent settings ask for (`MLFLOW_SERVE_RUNTIME`, `MLFLOW_SERVE_STATE_DIR`,
/// `MLFLOW_SERVE_PROCESS_COMMAND`, `MLFLOW_SERVE_PROCESS_LOG_MAX_MIB`, `MLFLOW_SERVE_MODEL_CACHE_DIR`,
/// `DOCKER_HOST`): the one place both `autoserve-agent` and
/// `mlops serve` build it, so they always look at the same instances.
public enum ServingRuntimeFactory {
    /// What was opened, and how to let it go (instances keep running).
    public struct Opened: Sendable {
        public var runtime: any ServingRuntime
        public var close: @Sendable () async -> Void

        public init(runtime: any ServingRuntime, close: @escaping @Sendable () async -> Void) {
            self.runtime = runtime
            self.close = close
        }
    }

    /// Opens the runtime `choice` names (resolve ``AutoserveAgentSettings/RuntimeChoice/auto`` with
    /// ``AutoserveRuntimeSelection/resolve(_:environment:dockerSocket:)`` first; `auto` left as is
    /// means the process runtime).
    ///
    /// - Parameters:
    ///   - client: The registry the Docker runtime reads model files from for per-version images.
    ///   - transport: What the Docker runtime talks to the Engine and the S3 store through (libcurl
    ///     when `nil`).
    ///   - locksStateDirectory: Whether the process runtime takes its state directory's lock, as the
    ///     agent that owns the instances does. A reader such as `mlops serve`, which only lists
    ///     instances and reads logs beside a running agent, passes `false`.
    /// - Throws: ``AutoserveAgentError/runtimeUnavailable(_:)`` when Docker does not answer;
    ///   ``ProcessServingRuntimeError`` when the state directory cannot be used; for per-version
    ///   images, ``S3EndpointError`` when the S3 endpoint is misconfigured and ``PrivateDirectoryError``
    ///   when the model file cache is unusable.
    public static func open(
        _ choice: AutoserveAgentSettings.RuntimeChoice, settings: AutoserveAgentSettings,
        configuration: MLOpsConfiguration, client: MLflowClient, environment: [String: String], logger: Logger,
        transport: (any StreamingHTTPTransport)? = nil, locksStateDirectory: Bool = true
    ) async throws -> Opened {
        switch choice {
        case .process, .auto:
            var processConfiguration = ProcessServingConfiguration()
            if let directory = settings.stateDirectory { processConfiguration.stateDirectory = directory }
            if let command = settings.processCommand { processConfiguration.command = command }
            processConfiguration.logMaxBytes = settings.processLogMaxBytes
            // The process runtime loads models in the environment that holds mlflow (`local`) unless an
            // environment manager was set explicitly: MLFLOW_SERVE_ENV_MANAGER's default, virtualenv,
            // is the generic image's.
            if configuration.resolved[ConfigurationKey.serveEnvManager]?.source != .default {
                processConfiguration.envManager = configuration.serveEnvManager
            }
            processConfiguration.lockStateDirectory = locksStateDirectory
            let runtime = try ProcessServingRuntime(configuration: processConfiguration, logger: logger)
            return Opened(runtime: runtime, close: { await runtime.close() })
        case .docker:
            let engineConfiguration: DockerEngineClient.Configuration
            do {
                engineConfiguration = try .fromEnvironment(environment)
            } catch {
                throw AutoserveAgentError.runtimeUnavailable("DOCKER_HOST is unusable: \(error)")
            }
            let engine = transport.map { DockerEngineClient(configuration: engineConfiguration, transport: $0) }
                ?? DockerEngineClient(configuration: engineConfiguration)
            do {
                try await engine.ping()
            } catch {
                throw AutoserveAgentError.runtimeUnavailable("the Docker Engine at \(engine.host) does not answer: \(error)")
            }
            let dockerConfiguration = DockerServingConfiguration(configuration)
            let modelFiles: RegistryModelFiles?
            if case .perVersionImage = dockerConfiguration.mode {
                modelFiles = try makeModelFiles(
                    settings: settings, configuration: configuration, client: client, environment: environment,
                    transport: transport)
            } else {
                modelFiles = nil  // the generic image loads models itself
            }
            let runtime = DockerServingRuntime(
                client: engine, configuration: dockerConfiguration, modelFiles: modelFiles, logger: logger)
            return Opened(runtime: runtime, close: {})
        }
    }

    /// The registry's model files for per-version images, in the configured cache directory
    /// (``AutoserveAgentSettings/modelCacheDirectory``), through S3 directly when the artifacts are there.
    ///
    /// - Throws: ``S3EndpointError`` when the S3 endpoint variable is set but unusable (it is reported,
    ///   not dropped: without it `s3://` artifacts would fail later, at the first image build, with a
    ///   less telling error); ``PrivateDirectoryError`` when the cache directory cannot be created or is
    ///   not this user's alone.
    static func makeModelFiles(
        settings: AutoserveAgentSettings, configuration: MLOpsConfiguration, client: MLflowClient,
        environment: [String: String], transport: (any StreamingHTTPTransport)?
    ) throws -> RegistryModelFiles {
        let s3Client = try configuration.makeS3Client(environment: environment, transport: transport)
        let modelFiles = RegistryModelFiles(
            client: client, s3Client: s3Client,
            directory: settings.modelCacheDirectory.map { URL(fileURLWithPath: $0) })
        try modelFiles.prepareDirectory()
        return modelFiles
    }
}
