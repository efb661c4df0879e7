import ArgumentParser
import MLOpsKit

/// The `mlops` command: MLflow registry, runs and artifacts from the terminal, configured like the
/// original stack (same environment variables, same `.env` file).
@main
struct MLOps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlops",
        abstract: "Work with an MLflow-centred MLOps stack: configuration, models, aliases, runs, artifacts, S3 and served models.",
        discussion: """
            Configuration comes from built-in defaults, then a .env file (./.env or --env-file), then the \
            environment, then command-line flags; later ones win. See 'mlops config show'.

            'mlops --version' prints the version.

            Exit statuses: 0 success, 1 failure, 2 usage error, 3 not found, 4 server unreachable, \
            5 server error or invalid response, 6 input rejected before sending, 7 configuration error.
            """,
        subcommands: [
            ConfigCommand.self,
            AliasCommand.self,
            ExperimentsCommand.self,
            RunsCommand.self,
            ModelsCommand.self,
            ArtifactsCommand.self,
            S3Command.self,
            HealthCommand.self,
            ServeCommand.self,
            DagsCommand.self,
            BootstrapCommand.self,
        ]
    )

    /// The arguments that ask for the version instead of running a command.
    static let versionArguments: [String] = ["--version"]

    /// Parses the command line, runs the command, and exits with the status ``ErrorReporter`` gives any
    /// error, so that every command reports errors the same way.
    static func main() async {
        // `mlops --version` is answered here rather than through `CommandConfiguration.version`, which
        // would add a second `--version` to every subcommand's help, next to `alias set --version <v>`;
        // and rather than through a flag of this command, which would take `alias set`'s `--version`.
        if Array(CommandLine.arguments.dropFirst()) == versionArguments {
            print(MLOpsKitVersion.current)
            return
        }
        let exitCode: CLIExitCode
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exitCode = .success
        } catch {
            exitCode = ErrorReporter.print(error)
        }
        Self.exit(withError: exitCode == .success ? nil : exitCode.exitCode)
    }
}
