#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Opens the serving runtime the agent settings ask for (`MLFLOW_SERVE_RUNTIME`, `MLFLOW_SERVE_STATE_DIR`,
/// `MLFLOW_SERVE_PROCESS_COMMAND`, `MLFLOW_SERVE_PROCESS_LOG_MAX_MIB`, `DOCKER_HOST`): the one place both `autoserve-agent` and
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
    ///   ``ProcessServingRuntimeError`` when the state directory cannot be used.
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
            let runtime = DockerServingRuntime(
                client: engine, configuration: DockerServingConfiguration(configuration),
                modelFiles: RegistryModelFiles(client: client, s3Client: try? configuration.makeS3Client(transport: transport)),
                logger: logger)
            return Opened(runtime: runtime, close: {})
        }
    }
}
