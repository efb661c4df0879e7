#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MLOpsKit

/// What every `mlops serve` command works with: the configuration, one HTTP transport, the agent
/// client (unless `--no-agent`) and the way to open the serving runtime.
struct ServeContext: Sendable {
    let configuration: MLOpsConfiguration
    let transport: CurlTransport
    let agent: AutoserveAgentClient?
    let logger: Logger

    init(options: GlobalOptions, agentOptions: ServeAgentOptions) throws {
        configuration = try options.loadConfiguration()
        logger = options.makeLogger(label: "mlops.serve")
        transport = CurlTransport(configuration: configuration.transportConfiguration, logger: logger)
        if agentOptions.noAgent {
            agent = nil
        } else {
            let url = try agentOptions.agentURL.map(Self.agentURL(argument:)) ?? Self.defaultAgentURL(configuration)
            agent = AutoserveAgentClient(
                baseURL: url, transport: transport, timeout: .milliseconds(Int64(agentOptions.agentTimeout * 1000)))
        }
    }

    /// `--agent`: a URL, or `HOST:PORT` meaning `http://HOST:PORT`.
    static func agentURL(argument: String) throws(CLIError) -> URL {
        let text = argument.contains("://") ? argument : "http://\(argument)"
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host?.isEmpty == false
        else { throw .invalid("--agent '\(argument)' is not an http(s) URL or HOST:PORT") }
        return url
    }

    /// The agent's own listen address (`MLFLOW_SERVE_LISTEN`), else 127.0.0.1 on `MLFLOW_EXPORTER_PORT`.
    static func defaultAgentURL(_ configuration: MLOpsConfiguration) throws -> URL {
        let settings = try AutoserveAgentSettings(resolved: configuration.resolved, exporterPort: configuration.exporterPort)
        guard let url = AutoserveAgentClient.baseURL(listenHost: settings.listenHost, port: settings.listenPort) else {
            throw CLIError(.configuration, "MLFLOW_SERVE_LISTEN gives no usable agent URL")
        }
        return url
    }

    /// Opens the serving runtime the configuration names (`MLFLOW_SERVE_RUNTIME`), for reading: the
    /// process runtime's state directory is not locked, so a running agent keeps it.
    func openRuntime() async throws -> any ServingRuntime {
        let settings = try AutoserveAgentSettings(resolved: configuration.resolved, exporterPort: configuration.exporterPort)
        let environment = ProcessInfo.processInfo.environment
        let choice = AutoserveRuntimeSelection.resolve(settings.runtime, environment: environment)
        return try await ServingRuntimeFactory.open(
            choice, settings: settings, configuration: configuration,
            client: configuration.makeMLflowClient(logger: logger), environment: environment, logger: logger,
            locksStateDirectory: false
        ).runtime
    }

    /// Finds endpoints: the agent first, the runtime when no agent answers.
    var resolver: ServingEndpointResolver {
        ServingEndpointResolver(agent: agent) { [self] in try await openRuntime() }
    }
}
