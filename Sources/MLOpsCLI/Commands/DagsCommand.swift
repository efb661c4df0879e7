#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import ArgumentParser
import Synchronization
import MLOpsKit

/// `mlops dags …`: Airflow DAGs and their runs (Airflow 3's API v2 or Airflow 2's v1, found by probing).
struct DagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dags",
        abstract: "List, pause, trigger and follow Airflow DAGs.",
        discussion: """
            Airflow is AIRFLOW_BASE_URL, signed in as AIRFLOW_ADMIN_USER with AIRFLOW_ADMIN_PASSWORD. \
            Exit statuses: 3 unknown DAG, run or task; 4 Airflow unreachable; 7 credentials refused; \
            1 a run that failed or did not finish in time (trigger --wait, wait).
            """,
        subcommands: [List.self, Pause.self, Unpause.self, Trigger.self, Runs.self, Wait.self, Logs.self]
    )

    /// The configured Airflow client.
    static func client(_ options: GlobalOptions) throws -> AirflowClient {
        try options.loadConfiguration().makeAirflowClient(logger: options.makeLogger(label: "mlops.airflow"))
    }

    /// Follows a run to its end, printing each task's state as it changes, and fails (exit 1) naming the
    /// failed tasks when the run failed.
    static func follow(
        _ client: AirflowClient, dagID: String, runID: String, timeout: Double, quiet: Bool
    ) async throws -> DAGRun {
        let printer = TaskStatePrinter(enabled: !quiet)
        let run = try await client.waitForRun(
            dagID, runID: runID, timeout: .milliseconds(Int64(timeout * 1000)), interval: .seconds(1)
        ) { run, tasks in printer.report(run, tasks) }
        guard run.state == .success else {
            let names = try await client.failedTaskSummary(dagID, runID: runID).summary
            throw CLIError(.failure, "run \(runID) of \(dagID) \(run.state)\(names.isEmpty ? "" : ": \(names)")")
        }
        return run
    }
}

/// Prints a line each time a task's state changes while a run is followed.
final class TaskStatePrinter: Sendable {
    private let enabled: Bool
    private let seen = Mutex<[String: String]>([:])

    init(enabled: Bool) { self.enabled = enabled }

    func report(_ run: DAGRun, _ tasks: [TaskInstance]) {
        guard enabled else { return }
        for task in tasks {
            let state = task.state ?? "none"
            let changed = seen.withLock { seen in
                defer { seen[task.taskID] = state }
                return seen[task.taskID] != state
            }
            if changed { StandardError.write("\(run.dagID) \(task.taskID): \(state)\n") }
        }
    }
}

extension DagsCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the DAGs.", aliases: ["ls"])
        @OptionGroup var options: GlobalOptions
        @Option(name: .customLong("pattern"), help: ArgumentHelp("Only DAG IDs matching this SQL LIKE pattern, such as %training%.", valueName: "pattern"))
        var pattern: String?

        func run() async throws {
            let dags = try await DagsCommand.client(options).listDAGs(dagIDPattern: pattern).collect()
            if options.json { return try JSONOutput.print(["dags": dags]) }
            var table = TableRenderer(headers: ["DAG", "PAUSED", "TAGS", "DESCRIPTION"])
            for dag in dags {
                table.append([dag.dagID, dag.isPaused ? "yes" : "no", dag.tags.joined(separator: ","), dag.description ?? ""])
            }
            StandardOutput.write(table.render())
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause DAGs.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The DAG IDs.") var dagIDs: [String]

        func run() async throws {
            let client = try DagsCommand.client(options)
            for dagID in dagIDs { try await client.setPaused(dagID, true) }
            if !options.json { StandardOutput.write("paused \(dagIDs.joined(separator: ", "))\n") }
        }
    }

    struct Unpause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause DAGs.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The DAG IDs.") var dagIDs: [String]

        func run() async throws {
            let client = try DagsCommand.client(options)
            for dagID in dagIDs { try await client.setPaused(dagID, false) }
            if !options.json { StandardOutput.write("unpaused \(dagIDs.joined(separator: ", "))\n") }
        }
    }

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trigger", abstract: "Start a run of a DAG, and with --wait follow it to its end.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The DAG ID.") var dagID: String
        @Option(name: .customLong("conf"), help: ArgumentHelp("The run's conf, a JSON object.", valueName: "json"))
        var conf: String?
        @Option(name: .customLong("run-id"), help: "The run's ID (Airflow chooses one by default).")
        var runID: String?
        @Flag(name: .customLong("wait"), help: "Follow the run, printing task states, and exit with its outcome.")
        var wait = false
        @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Seconds --wait may take.", valueName: "seconds"))
        var waitTimeout: Double = 600

        func run() async throws {
            let conf = try DagsCommand.parseConf(conf)
            let client = try DagsCommand.client(options)
            var run = try await client.trigger(dagID, conf: conf, runID: runID, logicalDate: nil)
            if !options.json { StandardOutput.write("\(run.runID)\n") }
            if wait {
                run = try await DagsCommand.follow(client, dagID: dagID, runID: run.runID, timeout: waitTimeout, quiet: options.json)
            }
            if options.json { try JSONOutput.print(run) }
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "runs", abstract: "List a DAG's recent runs, newest first.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The DAG ID.") var dagID: String
        @Option(name: .customLong("limit"), help: "How many runs.") var limit: Int = 10

        func run() async throws {
            let runs = try await DagsCommand.client(options).dagRuns(dagID, limit: limit)
            if options.json { return try JSONOutput.print(["dag_runs": runs]) }
            var table = TableRenderer(headers: ["RUN ID", "STATE", "STARTED", "ENDED"])
            for run in runs {
                table.append([
                    run.runID, run.state.rawValue, run.startDate.map { $0.formatted(.iso8601) } ?? "-",
                    run.endDate.map { $0.formatted(.iso8601) } ?? "-",
                ])
            }
            StandardOutput.write(table.render())
        }
    }

    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "wait", abstract: "Follow a run to its end and exit with its outcome.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The DAG ID.") var dagID: String
        @Argument(help: "The run ID.") var runID: String
        @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Seconds to wait.", valueName: "seconds"))
        var waitTimeout: Double = 600

        func run() async throws {
            let client = try DagsCommand.client(options)
            let run = try await DagsCommand.follow(client, dagID: dagID, runID: runID, timeout: waitTimeout, quiet: options.json)
            if options.json { try JSONOutput.print(run) } else { StandardOutput.write("\(run.runID) \(run.state)\n") }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a task's log for one try.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The DAG ID.") var dagID: String
        @Argument(help: "The run ID.") var runID: String
        @Argument(help: "The task ID.") var taskID: String
        @Option(name: .customLong("try"), help: "The try, from 1.") var tryNumber: Int = 1

        func run() async throws {
            let lines = try await DagsCommand.client(options).taskLog(dagID, runID: runID, taskID: taskID, tryNumber: tryNumber)
            if options.json { return try JSONOutput.print(["lines": lines]) }
            StandardOutput.write(lines.joined(separator: "\n") + "\n")
        }
    }

    /// `--conf` as a JSON object.
    static func parseConf(_ text: String?) throws(CLIError) -> [String: JSONValue] {
        guard let text else { return [:] }
        guard let conf = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) else {
            throw CLIError.invalid("--conf '\(text)' is not a JSON object such as {\"fail\": true}")
        }
        return conf
    }
}
