import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsKit

/// `mlops serve …`: what the autoserve agent serves, predictions from it, and its model servers' logs.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Show what is served, send predictions to a served model, read a model server's logs.",
        discussion: """
            The autoserve agent is asked first (GET /status at --agent, MLFLOW_SERVE_LISTEN, or \
            127.0.0.1:MLFLOW_EXPORTER_PORT); when no agent answers, the serving runtime is read \
            directly (MLFLOW_SERVE_RUNTIME: docker, process or auto; MLFLOW_SERVE_STATE_DIR for the \
            process runtime), finding instances by their labels mlflow_model and mlflow_alias.
            """,
        subcommands: [Status.self, Predict.self, Logs.self]
    )

    /// `MODEL@ALIAS` or `models:/MODEL@ALIAS`.
    ///
    /// - Throws: ``CLIError`` (exit status 6) naming the argument.
    static func key(_ argument: String) throws(CLIError) -> ServingKey {
        let text = argument.lowercased().hasPrefix("models:") ? argument : "models:/\(argument)"
        guard case .registeredModelAlias(let name, let alias)? = try? ModelURI(parsing: text) else {
            throw .invalid("'\(argument)' is not MODEL@ALIAS (such as iris@Production)")
        }
        return ServingKey(model: name, alias: alias)
    }
}

/// The options every `mlops serve` command takes to find the agent.
struct ServeAgentOptions: ParsableArguments {
    @Option(
        name: .customLong("agent"),
        help: ArgumentHelp(
            "The autoserve agent's URL (default: http://MLFLOW_SERVE_LISTEN, else http://127.0.0.1:MLFLOW_EXPORTER_PORT).",
            valueName: "url"))
    var agentURL: String?

    @Flag(name: .customLong("no-agent"), help: "Do not ask the agent; read the registry and the serving runtime directly.")
    var noAgent = false

    @Option(
        name: .customLong("agent-timeout"),
        help: ArgumentHelp("Seconds the agent may take to answer.", valueName: "seconds"))
    var agentTimeout: Double = 5

    func validate() throws {
        guard agentTimeout > 0, agentTimeout <= 300 else { throw ValidationError("--agent-timeout must be between 0 and 300 seconds.") }
        if noAgent, agentURL != nil { throw ValidationError("--agent and --no-agent exclude each other.") }
    }
}
