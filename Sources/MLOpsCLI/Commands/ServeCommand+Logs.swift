import ArgumentParser
import MLOpsKit

extension ServeCommand {
    /// `mlops serve logs MODEL@ALIAS [--tail N]`.
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the logs of the model server serving MODEL@ALIAS.",
            discussion: """
                Finds the serving instance (the agent's status, else the serving runtime) and prints \
                what its model server wrote, stdout and stderr together, from the runtime: the \
                container's logs (Docker) or the instance's log file (process runtime).

                Exit statuses: 3 when nothing serves MODEL@ALIAS, 4 when the agent and the runtime \
                cannot be reached.
                """
        )

        @Argument(help: ArgumentHelp("The served model alias, such as iris@Production.", valueName: "model@alias"))
        var target: String

        @Option(name: .customLong("tail"), help: ArgumentHelp("Print only the last N lines.", valueName: "n"))
        var tail: Int?

        @OptionGroup var agentOptions: ServeAgentOptions
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if let tail, tail < 0 { throw ValidationError("--tail must be 0 or more.") }
        }

        func run() async throws {
            let key = try ServeCommand.key(target)
            let context = try ServeContext(options: options, agentOptions: agentOptions)
            let runtime = try await context.openRuntime()
            // The runtime read directly, without the agent, needs no second opening.
            let resolver = ServingEndpointResolver(agent: context.agent) { runtime }
            let endpoint = try await resolver.resolve(key)
            guard let id = endpoint.instanceID else {
                throw CLIError.notFound("\(endpoint.source) names no serving instance for \(key)")
            }
            var text = try await runtime.logs(id, tail: tail)
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            StandardOutput.write(text)
        }
    }
}
