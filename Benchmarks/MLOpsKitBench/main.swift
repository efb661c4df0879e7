// The Swift side of the benchmark harness (scripts/bench). Each mode does one measured job against the
// MLflow server named by MLFLOW_TRACKING_URI and prints one JSON object on stdout.
//
//   MLOpsKitBench log-metrics COUNT      log COUNT values through BatchingRunLogger, verify on the server
import Foundation
import MLOpsKit

@main
struct MLOpsKitBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let mode = arguments.first else {
            FileHandle.standardError.write(Data("usage: MLOpsKitBench log-metrics COUNT\n".utf8))
            exit(2)
        }
        let configuration = try ConfigurationLoader.load()
        let client = configuration.makeMLflowClient()
        switch mode {
        case "log-metrics":
            let count = Int(arguments.dropFirst().first ?? "") ?? 100_000
            try await logMetrics(count: count, client: client)
        default:
            FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
            exit(2)
        }
    }

    static func logMetrics(count: Int, client: MLflowClient) async throws {
        let experimentName = "bench-swift-logger"
        let experimentID: String
        do {
            experimentID = try await client.getExperiment(name: experimentName).experimentID
        } catch let error as MLflowError where error.isNotFound {
            experimentID = try await client.createExperiment(name: experimentName, artifactLocation: nil, tags: [])
        }
        let run = try await client.createRun(experimentID: experimentID, runName: "swift-\(count)")
        let clock = ContinuousClock()
        let started = clock.now
        let logger = BatchingRunLogger(store: client, runID: run.info.runID)
        for step in 0..<count {
            try await logger.log(metric: "loss", value: 1 / Double(step + 1), step: Int64(step))
        }
        try await logger.finish()
        let elapsed = clock.now - started
        var stored = 0
        for try await _ in client.metricHistory(runID: run.info.runID, key: "loss") { stored += 1 }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let result: [String: Any] = [
            "points": count, "stored": stored, "seconds": seconds, "requests": logger.statistics.requests,
            "run_id": run.info.runID,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
