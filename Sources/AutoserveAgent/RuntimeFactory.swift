import Foundation
import Logging
import MLOpsKit

/// Opens the serving runtime the settings ask for.
enum RuntimeFactory {
    /// What was opened, and how to let it go when the agent exits (instances keep running).
    struct Opened: Sendable {
        var runtime: any ServingRuntime
        var close: @Sendable () async -> Void
    }

    static func open(
        _ choice: AutoserveAgentSettings.RuntimeChoice, settings: AutoserveAgentSettings,
        configuration: MLOpsConfiguration, client: MLflowClient, environment: [String: String], logger: Logger
    ) async throws -> Opened {
        switch choice {
        case .process, .auto:
            var processConfiguration = ProcessServingConfiguration()
            if let directory = settings.stateDirectory { processConfiguration.stateDirectory = directory }
            if let command = settings.processCommand { processConfiguration.command = command }
            // The process runtime loads models in the environment that holds mlflow (`local`) unless an
            // environment manager was set explicitly: MLFLOW_SERVE_ENV_MANAGER's default, virtualenv,
            // is the generic image's.
            if configuration.resolved[ConfigurationKey.serveEnvManager]?.source != .default {
                processConfiguration.envManager = configuration.serveEnvManager
            }
            let runtime = try ProcessServingRuntime(configuration: processConfiguration, logger: logger)
            return Opened(runtime: runtime, close: { await runtime.close() })
        case .docker:
            let engineConfiguration: DockerEngineClient.Configuration
            do {
                engineConfiguration = try .fromEnvironment(environment)
            } catch {
                throw AutoserveAgentError.runtimeUnavailable("DOCKER_HOST is unusable: \(error)")
            }
            let engine = DockerEngineClient(configuration: engineConfiguration)
            do {
                try await engine.ping()
            } catch {
                throw AutoserveAgentError.runtimeUnavailable("the Docker Engine at \(engine.host) does not answer: \(error)")
            }
            let runtime = DockerServingRuntime(
                client: engine, configuration: DockerServingConfiguration(configuration),
                modelFiles: RegistryModelFiles(client: client, s3Client: try? configuration.makeS3Client()),
                logger: logger)
            return Opened(runtime: runtime, close: {})
        }
    }
}
