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
// The MLflow piece of MLOpsKit alone: the MLflow client and the transport and configuration it uses,
// without S3 serving, Airflow, Docker or the agent's metrics.
import MLOpsMLflow

/// Logs a run to MLflow: gets (or creates) an experiment, starts a run, logs params and a metric curve
/// and ends the run. Tracking only, built against the `MLOpsMLflow` product.
@main
struct LogRun {
    static func main() async {
        do {
            let options = try LogRunOptions(arguments: Array(CommandLine.arguments.dropFirst()))
            try await run(options)
        } catch LogRunError.help {
            print(LogRunOptions.usage)
        } catch let error as LogRunError {
            printToStandardError("log-run: error: \(error)")
            exit(2)
        } catch {
            // MLflowError, HTTPTransportError, ConfigurationError: they name the request, never a credential.
            printToStandardError("log-run: error: \(error)")
            exit(1)
        }
    }

    static func run(_ options: LogRunOptions) async throws {
        let configuration = try ConfigurationLoader.load()
        let mlflow = configuration.makeMLflowClient()
        report("tracking", Redaction.redact(configuration.trackingURI.absoluteString))

        let experimentID = try await experiment(named: options.experiment, in: mlflow)
        report("experiment", "\(options.experiment) (id \(experimentID))")

        let run = try await mlflow.createRun(
            experimentID: experimentID, runName: options.runName,
            tags: [RunTag(key: "mlflow.source.name", value: "Examples/TrainAndRegister/log-run")])
        let runID = run.info.runID
        report("run", runID)

        do {
            try await mlflow.logParam(runID: runID, key: "steps", value: String(options.steps))
            try await mlflow.logParam(runID: runID, key: "learning_rate", value: "0.1")
            // One metric value per step, sent in as few log-batch requests as the server's limits allow.
            let start = MLflowClient.timestamp()
            let losses = (0..<options.steps).map { step in
                Metric(key: "loss", value: 1 / (1 + 0.1 * Double(step + 1)), timestamp: start, step: Int64(step))
            }
            try await mlflow.logBatch(runID: runID, metrics: losses)
            report("logged", "2 params, \(losses.count) values of loss")
            let info = try await mlflow.updateRun(id: runID, status: .finished, endTime: MLflowClient.timestamp())
            report("finished", "\(info.status)")
        } catch {
            // The run is marked FAILED, as MLflow's own clients do; the original error is the one reported.
            _ = try? await mlflow.updateRun(id: runID, status: .failed, endTime: MLflowClient.timestamp())
            throw error
        }
    }

    /// The ID of the experiment called `name`, created if missing (or read again if another process
    /// created it at the same moment).
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
