import Foundation
import MLOpsKitTestSupport
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing

@Suite("BatchingRunLogger across a server restart", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct RunLoggerRestartTests {
    @Test func serverRestartMidRunLosesNothing() async throws {
        let server = try MLflowServerProcess()
        try await server.start()
        let client = try IntegrationEnvironment.mlflowClient(uri: server.url)
        let experimentID = try await client.createExperiment(name: "restart", artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID)
        var configuration = BatchingRunLogger.Configuration()
        configuration.maximumDelay = .milliseconds(100)
        let logger = BatchingRunLogger(store: client, runID: run.info.runID, configuration: configuration)

        for step in 0..<3_000 { try await logger.log(metric: "loss", value: Double(step), step: Int64(step)) }
        try await logger.flush()

        server.stop()
        // Logged while the server is down: buffered and retried, never dropped.
        for step in 3_000..<6_000 { try await logger.log(metric: "loss", value: Double(step), step: Int64(step)) }
        try await Task.sleep(for: .milliseconds(500))
        try await server.start()

        try await logger.finish(status: .finished)
        var steps = Set<Int64>()
        var count = 0
        for try await metric in client.metricHistory(runID: run.info.runID, key: "loss") {
            steps.insert(metric.step)
            count += 1
        }
        #expect(count == 6_000)
        #expect(steps == Set((0..<6_000).map(Int64.init)))
    }
}
