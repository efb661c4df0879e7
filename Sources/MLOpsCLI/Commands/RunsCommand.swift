import ArgumentParser
import MLOpsKit

/// `mlops runs …`: list, inspect, log to and delete runs.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, log to, delete and restore runs.",
        subcommands: [List.self, Show.self, Create.self, Log.self, Delete.self, Restore.self]
    )

    /// The latest metrics of a run as `key=value` pairs sorted by key.
    static func metricsSummary(_ run: Run) -> String {
        run.data.metrics.sorted { $0.key < $1.key }
            .map { "\($0.key)=\(Formatting.number($0.value))" }
            .joined(separator: ", ")
    }

    /// What `delete` and `restore` did, for `--json`.
    struct Change: Encodable, Equatable {
        var runID: String
        var lifecycleStage: LifecycleStage

        enum CodingKeys: String, CodingKey {
            case runID = "run_id"
            case lifecycleStage = "lifecycle_stage"
        }
    }
}

extension RunsCommand {
    // MARK: list

    /// `mlops runs list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List runs of one or more experiments, newest first.",
            discussion: """
                Without --experiment or --experiment-id, lists the runs of MLFLOW_EXPERIMENT_NAME. Runs are \
                fetched page by page and the listing stops after --max runs.
                With --json: {"runs": [<MLflow run>...]}.
                """
        )

        @Option(help: ArgumentHelp("An experiment, by name (repeatable).", valueName: "name"))
        var experiment: [String] = []

        @Option(
            name: .customLong("experiment-id"),
            help: ArgumentHelp("An experiment, by ID (repeatable).", valueName: "id"))
        var experimentID: [String] = []

        @Option(help: ArgumentHelp("An MLflow search filter, such as \"metrics.rmse < 0.3\".", valueName: "filter"))
        var filter: String?

        @Option(
            name: .customLong("order-by"),
            help: ArgumentHelp("A sort key such as \"metrics.accuracy DESC\" (repeatable).", valueName: "key"))
        var orderBy: [String] = []

        @Option(help: "Which runs: active, deleted or all.")
        var view: LifecycleView = .active

        @Option(help: ArgumentHelp("List at most this many.", valueName: "n"))
        var max = 50

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if max < 1 { throw ValidationError("--max must be at least 1.") }
        }

        func run() async throws {
            let (configuration, client) = try options.makeMLflowClient()
            var experimentIDs = experimentID
            let names = experiment.isEmpty && experimentID.isEmpty ? [configuration.experimentName] : experiment
            for name in names {
                do {
                    experimentIDs.append(try await client.getExperiment(name: name).experimentID)
                } catch let error as MLflowError where error.isNotFound {
                    throw CLIError.notFound("experiment '\(name)' not found")
                }
            }
            var runs: [Run] = []
            let pages = client.allRuns(
                experimentIDs: experimentIDs, filter: filter, orderBy: orderBy, viewType: view.viewType,
                pageSize: Swift.min(max, 1000))
            for try await run in pages {
                runs.append(run)
                if runs.count >= max { break }
            }
            if options.json { return try JSONOutput.print(["runs": runs]) }
            var table = TableRenderer(headers: ["RUN_ID", "NAME", "EXPERIMENT", "STATUS", "STARTED", "METRICS"])
            for run in runs {
                table.append([
                    run.info.runID, run.info.runName ?? "", run.info.experimentID, run.info.status.rawValue,
                    Formatting.timestamp(run.info.startTime), Formatting.excerpt(RunsCommand.metricsSummary(run)),
                ])
            }
            StandardOutput.write(table.render())
        }
    }

    // MARK: show

    /// `mlops runs show RUN_ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a run: its info, params, latest metrics and tags.",
            discussion: "With --json: the MLflow run object ({\"info\": {...}, \"data\": {...}})."
        )

        @Argument(help: ArgumentHelp("The run's ID.", valueName: "run-id"))
        var runID: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            let run = try await client.getRun(id: runID)
            if options.json { return try JSONOutput.print(run) }
            let info = run.info
            var details = DetailRenderer()
            details.append("Run ID", info.runID)
            details.append("Name", info.runName)
            details.append("Experiment ID", info.experimentID)
            details.append("Status", info.status.rawValue)
            details.append("Stage", info.lifecycleStage.rawValue)
            details.append("User", info.userID)
            details.append("Started", Formatting.timestamp(info.startTime))
            details.append("Ended", Formatting.timestamp(info.endTime))
            details.append("Duration", Formatting.duration(from: info.startTime, to: info.endTime))
            details.append("Artifact URI", info.artifactURI)
            StandardOutput.write(details.render())

            if !run.data.params.isEmpty {
                var params = TableRenderer(headers: ["PARAM", "VALUE"])
                for param in run.data.params.sorted(by: { $0.key < $1.key }) {
                    params.append([param.key, Formatting.excerpt(param.value)])
                }
                StandardOutput.section("Params")
                StandardOutput.write(params.render())
            }
            if !run.data.metrics.isEmpty {
                var metrics = TableRenderer(headers: ["METRIC", "VALUE", "STEP", "TIMESTAMP"])
                for metric in run.data.metrics.sorted(by: { $0.key < $1.key }) {
                    metrics.append([
                        metric.key, Formatting.number(metric.value), String(metric.step),
                        Formatting.timestamp(metric.timestamp),
                    ])
                }
                StandardOutput.section("Metrics (latest values)")
                StandardOutput.write(metrics.render())
            }
            if !run.data.tags.isEmpty {
                var tags = TableRenderer(headers: ["TAG", "VALUE"])
                for tag in run.data.tags.sorted(by: { $0.key < $1.key }) {
                    tags.append([tag.key, Formatting.excerpt(tag.value)])
                }
                StandardOutput.section("Tags")
                StandardOutput.write(tags.render())
            }
        }
    }

    // MARK: log

    /// `mlops runs log RUN_ID --metric k=v[@step] --param k=v --tag k=v`.
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log metrics, params and tags to a run in one batch.",
            discussion: """
                Every argument is checked before anything is sent: a malformed key=value, a key MLflow \
                would reject, or a param value over 6000 characters (tag value over 8000) ends the command \
                with exit status 6 and logs nothing. Metric values may be nan, inf or -inf; the step is 0 \
                unless given after '@'; the timestamp is now.
                With --json: {"run_id": "...", "metrics": N, "params": N, "tags": N}.
                """
        )

        @Argument(help: ArgumentHelp("The run's ID.", valueName: "run-id"))
        var runID: String

        @OptionGroup var data: RunDataOptions

        @OptionGroup var options: GlobalOptions

        /// What was logged, for `--json`.
        struct Output: Encodable, Equatable {
            var runID: String
            var metrics: Int
            var params: Int
            var tags: Int

            enum CodingKeys: String, CodingKey {
                case metrics, params, tags
                case runID = "run_id"
            }
        }

        func run() async throws {
            let timestamp = MLflowClient.timestamp()
            let (metrics, params, tags) = try data.parsed(timestamp: timestamp)
            guard !data.isEmpty else {
                throw CLIError.invalid("nothing to log: give at least one --metric, --param or --tag")
            }
            let (_, client) = try options.makeMLflowClient()
            try await client.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
            let output = Output(runID: runID, metrics: metrics.count, params: params.count, tags: tags.count)
            if options.json { return try JSONOutput.print(output) }
            StandardOutput.write(
                "logged \(counted(metrics.count, "metric")), \(counted(params.count, "param")) and "
                    + "\(counted(tags.count, "tag")) to run \(runID)\n")
        }

        private func counted(_ count: Int, _ noun: String) -> String {
            "\(count) \(noun)\(count == 1 ? "" : "s")"
        }
    }

    // MARK: delete / restore

    /// `mlops runs delete RUN_ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a run as deleted (restorable).",
            discussion: "With --json: {\"run_id\": \"...\", \"lifecycle_stage\": \"deleted\"}."
        )

        @Argument(help: ArgumentHelp("The run's ID.", valueName: "run-id"))
        var runID: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            try await client.deleteRun(id: runID)
            if options.json { return try JSONOutput.print(Change(runID: runID, lifecycleStage: .deleted)) }
            StandardOutput.write("deleted run \(runID)\n")
        }
    }

    /// `mlops runs restore RUN_ID`.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a deleted run.",
            discussion: "With --json: {\"run_id\": \"...\", \"lifecycle_stage\": \"active\"}."
        )

        @Argument(help: ArgumentHelp("The run's ID.", valueName: "run-id"))
        var runID: String

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (_, client) = try options.makeMLflowClient()
            try await client.restoreRun(id: runID)
            if options.json { return try JSONOutput.print(Change(runID: runID, lifecycleStage: .active)) }
            StandardOutput.write("restored run \(runID)\n")
        }
    }
}
