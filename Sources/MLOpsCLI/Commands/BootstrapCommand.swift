#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import ArgumentParser
import MLOpsKit

/// `mlops bootstrap`: the original stack's start-up script, dependable and idempotent.
struct BootstrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Wait for the stack, optionally reset MLflow, run the DAGs, and report.",
        discussion: """
            Waits (up to --services-timeout) for the required services (MLflow and Airflow by default), \
            soft-deletes every MLflow experiment but Default when BOOTSTRAP_RESET_MLFLOW=true or \
            --reset-mlflow (restorable with 'mlops experiments restore'), unpauses and triggers the DAGs \
            in order, waiting for each run to succeed before the next unless --no-wait, then prints \
            every service's health, the UI links (from the *_PORT variables) and a summary. Exits 0 when \
            every step succeeded, 4 when the required services did not come up, 1 when another step \
            failed (a failed run names its run ID and failed tasks). Suitable as a one-shot container \
            command: it never waits without a deadline.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("dags"), help: ArgumentHelp("The DAGs to run, in order, comma-separated.", valueName: "ids"))
    var dags: String = "dag_data_predictions,dag_training"

    @Option(name: .customLong("conf"), help: ArgumentHelp("Each run's conf, a JSON object.", valueName: "json"))
    var conf: String?

    @Flag(name: .customLong("reset-mlflow"), help: "Soft-delete every experiment but Default first (as BOOTSTRAP_RESET_MLFLOW=true).")
    var resetMLflow = false

    @Flag(name: .customLong("no-wait"), help: "Trigger the DAGs without waiting for their runs.")
    var noWait = false

    @Option(name: .customLong("require"), help: ArgumentHelp("The services to wait for, comma-separated.", valueName: "names"))
    var required: String = "mlflow,airflow"

    @Option(name: .customLong("services-timeout"), help: ArgumentHelp("Seconds to wait for the services.", valueName: "seconds"))
    var servicesTimeout: Double = 300

    @Option(name: .customLong("run-timeout"), help: ArgumentHelp("Seconds each DAG run may take.", valueName: "seconds"))
    var runTimeout: Double = 600

    func validate() throws {
        guard servicesTimeout > 0, runTimeout > 0 else { throw ValidationError("timeouts must be positive.") }
    }

    func run() async throws {
        let configuration = try options.loadConfiguration()
        var plan = Bootstrap.Plan()
        plan.dags = try ArgumentParsing.list(dags, flag: "--dags")
        plan.conf = try DagsCommand.parseConf(conf)
        plan.resetMLflow = resetMLflow || configuration.bootstrapResetMLflow
        plan.waitsForRuns = !noWait
        plan.servicesTimeout = .milliseconds(Int64(servicesTimeout * 1000))
        plan.runTimeout = .milliseconds(Int64(runTimeout * 1000))
        let requiredNames = Set(try ArgumentParsing.list(required, flag: "--require").map { $0.lowercased() })
        let bootstrap = Bootstrap(
            tracking: configuration.makeMLflowClient(logger: options.makeLogger(label: "mlops.mlflow")),
            orchestrator: configuration.makeAirflowClient(logger: options.makeLogger(label: "mlops.airflow")),
            checks: try configuration.healthChecks(required: requiredNames),
            healthChecker: HealthChecker(transport: CurlTransport(configuration: configuration.transportConfiguration)))
        let quiet = options.json
        let report = await bootstrap.run(plan) { step in
            if !quiet { StandardError.write("\(step.outcome == .ok ? "OK  " : step.outcome == .failed ? "FAIL" : "SKIP") \(step.name): \(step.detail)\n") }
        }
        if options.json {
            try JSONOutput.print(
                Output(
                    steps: report.steps, services: report.health.results,
                    links: Dictionary(uniqueKeysWithValues: Self.links(configuration)), succeeded: report.succeeded))
        } else {
            StandardOutput.write(HealthCommand.table(report.health))
            StandardOutput.write("\n")
            for (name, url) in Self.links(configuration) { StandardOutput.write("\(name): \(url)\n") }
            let failed = report.steps.filter { $0.outcome != .ok }
            StandardOutput.write(
                failed.isEmpty
                    ? "\nbootstrap complete: \(report.steps.count) steps OK\n"
                    : "\nbootstrap failed: " + failed.map { "\($0.name) \($0.outcome.rawValue)" }.joined(separator: ", ") + "\n")
        }
        guard report.succeeded else {
            let first = report.steps.first { $0.outcome == .failed }
            let code: CLIExitCode = report.steps.first?.outcome == .failed ? .unreachable : .failure
            throw CLIError(code, first.map { "\($0.name): \($0.detail)" } ?? "a step did not run")
        }
    }

    struct Output: Encodable {
        var steps: [BootstrapStep]
        var services: [HealthResult]
        var links: [String: String]
        var succeeded: Bool
    }

    /// The UI links of the original script, from the published ports.
    static func links(_ configuration: MLOpsConfiguration) -> [(String, String)] {
        [
            ("MLflow", "http://localhost:\(configuration.mlflowPort)"),
            ("Airflow", "http://localhost:\(configuration.airflowWebPort)"),
            ("MinIO console", "http://localhost:\(configuration.minioConsolePort)"),
            ("Grafana", "http://localhost:\(configuration.grafanaPort)"),
            ("Prometheus", "http://localhost:\(configuration.prometheusPort)"),
            ("Loki", "http://localhost:\(configuration.lokiPort)"),
        ]
    }
}
