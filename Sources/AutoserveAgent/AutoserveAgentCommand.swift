import ArgumentParser
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Logging
import MLOpsKit
import Prometheus
import ServiceLifecycle

/// `autoserve-agent`: keeps one model server per (model, alias) serving the version the alias points
/// to, and serves the registry exporter's metrics, its own, Prometheus service discovery and status.
///
/// A composition only: configuration, runtime, reconciler, observers and HTTP routes all come from
/// MLOpsKit; this wires them together and runs them as services until SIGTERM or SIGINT.
@main
struct AutoserveAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autoserve-agent",
        abstract: "Serve every MLflow model alias, and export registry metrics, service discovery and status.",
        discussion: """
            Replaces the original stack's autoserve watcher, registry exporter and alias status service. \
            Configuration comes from built-in defaults, a .env file, the environment, then these flags; \
            later ones win. See docs/AGENT.md.

            Exit statuses: 0 success (with --once: every key is Ready), 1 failure (with --once: some key \
            is not Ready), 2 usage error, 4 MLflow unreachable, 7 configuration error. SIGTERM and SIGINT \
            stop reconciling and close the HTTP server; serving instances keep running.
            """)

    @OptionGroup var options: AgentOptions

    @Flag(help: "Reconcile once, wait for the rollouts, print the status document and exit (0 when every key is Ready).")
    var once = false

    @Flag(name: .customLong("dry-run"), help: "Print what a resync would do, change nothing, and exit.")
    var dryRun = false

    func validate() throws {
        if once && dryRun { throw ValidationError("--once and --dry-run exclude each other.") }
    }

    func run() async throws {
        let configuration: MLOpsConfiguration
        let settings: AutoserveAgentSettings
        do {
            let resolved = try ConfigurationLoader.resolve(
                environment: ProcessInfo.processInfo.environment, dotEnvPath: options.envFile,
                flags: options.configurationFlags, flagNames: options.configurationFlagNames)
            configuration = try MLOpsConfiguration(resolved: resolved)
            settings = try AutoserveAgentSettings(resolved: resolved, exporterPort: configuration.exporterPort)
        } catch {
            Self.printError("configuration error: \(error)")
            throw ExitCode(AutoserveAgentExit.configuration)
        }
        let logging = AgentLogging(settings: settings)
        let logger = logging.logger("autoserve")
        do {
            try await Agent(configuration: configuration, settings: settings, logging: logging)
                .run(mode: once ? .once : dryRun ? .dryRun : .serve)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            logger.critical("autoserve-agent stopped: \(error)", metadata: ["event": "fatal"])
            throw ExitCode(AutoserveAgentExit.status(for: error))
        }
    }

    static func printError(_ text: String) {
        FileDescriptorLogOutput.standardError.write(line: text + "\n")
    }
}
