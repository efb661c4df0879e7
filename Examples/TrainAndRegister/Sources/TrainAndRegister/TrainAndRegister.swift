#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MLOpsKit

/// Logs a simulated training run to MLflow, uploads the model file it produces, registers a model
/// version from the run, points an alias at it and reads the alias back.
///
/// Configuration comes from MLOpsKit's layers, as for `mlops`: defaults, then `./.env`, then the
/// environment (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`, `MLFLOW_S3_ENDPOINT_URL`, …).
@main
struct TrainAndRegister {
    static func main() async {
        do {
            let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
            try await run(options)
        } catch ExampleError.help {
            print(Options.usage)
        } catch ExampleError.usage(let message) {
            printToStandardError("train-and-register: error: \(ExampleError.usage(message))")
            exit(2)
        } catch {
            // MLOpsKit's errors describe themselves without credentials.
            printToStandardError("train-and-register: error: \(error)")
            exit(1)
        }
    }

    static func run(_ options: Options) async throws {
        let configuration = try ConfigurationLoader.load()
        let transport = configuration.makeTransport()
        let mlflow = configuration.makeMLflowClient(transport: transport)
        report("tracking", Redaction.redact(configuration.trackingURI.absoluteString))

        // 1. The experiment: get it by name, or create it.
        let experimentID = try await experiment(named: options.experiment, in: mlflow)
        report("experiment", "\(options.experiment) (id \(experimentID))")

        // 2. A run, and a training loop that logs through the batching logger: `log` returns at once and
        //    batches leave in the background, in order, retried while the server is briefly away.
        let run = try await mlflow.createRun(
            experimentID: experimentID, runName: "train-and-register",
            tags: [RunTag(key: "mlflow.source.name", value: "Examples/TrainAndRegister")])
        let runID = run.info.runID
        report("run", runID)

        let training = SimulatedTraining(learningRate: 0.1)
        let logger = BatchingRunLogger(store: mlflow, runID: runID)
        try await logger.log(param: "learning_rate", value: String(training.learningRate))
        try await logger.log(param: "steps", value: String(options.steps))
        for step in 0..<options.steps {
            try await logger.log(metrics: training.metrics(atStep: step), step: Int64(step))
        }
        try await logger.flush()
        let stats = logger.statistics
        report("logged", "\(stats.entriesStored) entries in \(stats.requests) request\(stats.requests == 1 ? "" : "s")")

        // 3. An artifact: the file the training produced, into the run's artifact store (MLflow's proxy,
        //    S3 or a local directory, whichever the run's artifact URI names).
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("train-and-register-\(runID).json")
        try Data(training.modelDocument(steps: options.steps).utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        guard let artifactURI = run.info.artifactURI else { throw ExampleError.noArtifactURI(runID: runID) }
        let s3 = artifactURI.hasPrefix("s3://") ? try configuration.makeS3Client() : nil
        let store = try ArtifactStores.store(forArtifactURI: artifactURI, client: mlflow, s3Client: s3)
        try await store.upload(file: file, to: "model/model.json")
        let listed = try await store.list("model").map(\.path)
        report("artifact", "\(artifactURI)/model/model.json (listed: \(listed.joined(separator: ", ")))")

        // 4. Finish the run: flushes whatever is left, then marks it FINISHED.
        try await logger.finish(status: .finished)
        let finished = try await mlflow.getRun(id: runID)
        let accuracy = finished.data.metric("accuracy")?.value ?? .nan
        report("finished", "\(finished.info.status) (accuracy \(accuracy))")

        // 5. A model version from the run's artifacts, and an alias pointing at it.
        try await registeredModel(named: options.model, in: mlflow)
        let version = try await mlflow.createModelVersion(
            name: options.model, source: "\(artifactURI)/model", runID: runID,
            description: "trained by Examples/TrainAndRegister")
        report("version", "\(options.model) version \(version.version)")
        try await mlflow.setRegisteredModelAlias(name: options.model, alias: options.alias, version: version.version)
        report("alias", "\(options.alias) -> version \(version.version)")

        // 6. Read the alias back, as a serving process would resolve models:/<model>@<alias>.
        let aliased = try await mlflow.getModelVersion(name: options.model, alias: options.alias)
        guard aliased.version == version.version else {
            throw ExampleError.aliasMismatch(alias: options.alias, expected: version.version, found: aliased.version)
        }
        report("read back", "models:/\(options.model)@\(options.alias) = version \(aliased.version) (run \(aliased.runID ?? "-"))")
    }

    /// The ID of the experiment called `name`, created if missing (or if another process creates it
    /// at the same moment, read again).
    static func experiment(named name: String, in mlflow: MLflowClient) async throws -> String {
        do {
            return try await mlflow.getExperiment(name: name).experimentID
        } catch let error as MLflowError where error.isNotFound {
            do {
                return try await mlflow.createExperiment(name: name)
            } catch let error as MLflowError where error.code == .resourceAlreadyExists {
                return try await mlflow.getExperiment(name: name).experimentID
            }
        }
    }

    /// Makes sure the registered model `name` exists.
    static func registeredModel(named name: String, in mlflow: MLflowClient) async throws {
        do {
            try await mlflow.createRegisteredModel(name: name, description: "versions from Examples/TrainAndRegister")
        } catch let error as MLflowError where error.code == .resourceAlreadyExists {
            // Already there: new versions are added to it.
        }
    }

    /// One line of the report: a label padded to a column, then the value.
    static func report(_ label: String, _ value: String) {
        print(label + String(repeating: " ", count: max(1, 11 - label.count)) + value)
    }

    /// Writes a line to standard error, unbuffered.
    static func printToStandardError(_ line: String) {
        var bytes = Array("\(line)\n".utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
