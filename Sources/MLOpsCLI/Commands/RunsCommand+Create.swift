import ArgumentParser
import MLOpsKit

extension RunsCommand {
    /// `mlops runs create --experiment NAME [--name N] [--metric …] [--param …] [--tag …] [--finish]`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a run, optionally log to it and finish it, and print its ID.",
            discussion: """
                The experiment is created when it does not exist yet. Prints only the new run's ID, so that \
                scripts can capture it: RUN=$(mlops runs create --experiment iris). Metrics, params and tags \
                are checked before anything is sent (exit status 6). With --finish the run is marked \
                FINISHED after logging.
                With --json: the MLflow run object.
                """
        )

        @Option(help: ArgumentHelp("The experiment, by name (default: MLFLOW_EXPERIMENT_NAME).", valueName: "name"))
        var experiment: String?

        @Option(help: ArgumentHelp("The run's name.", valueName: "name"))
        var name: String?

        @OptionGroup var data: RunDataOptions

        @Flag(help: "Mark the run FINISHED after logging.")
        var finish = false

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let timestamp = MLflowClient.timestamp()
            let (metrics, params, tags) = try data.parsed(timestamp: timestamp)
            let (configuration, client) = try options.makeMLflowClient()
            let experimentName = experiment ?? configuration.experimentName
            let experimentID: String
            do {
                experimentID = try await client.getExperiment(name: experimentName).experimentID
            } catch let error as MLflowError where error.isNotFound {
                experimentID = try await client.createExperiment(name: experimentName, artifactLocation: nil, tags: [])
            }
            let created = try await client.createRun(experimentID: experimentID, runName: name)
            let runID = created.info.runID
            if !data.isEmpty {
                try await client.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
            }
            if finish {
                _ = try await client.updateRun(
                    id: runID, status: .finished, endTime: MLflowClient.timestamp(), runName: nil)
            }
            if options.json { return try JSONOutput.print(try await client.getRun(id: runID)) }
            StandardOutput.write("\(runID)\n")
        }
    }
}
