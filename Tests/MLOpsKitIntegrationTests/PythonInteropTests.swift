import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// What MLOpsKit writes, the Python `mlflow` client reads identically, and the reverse.
@Suite("Interoperability with the Python mlflow client", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct PythonInteropTests {
    struct PythonRun: Decodable {
        struct Point: Decodable, Equatable {
            var value: Value
            var step: Int64
            var timestamp: Int64
        }
        enum Value: Decodable, Equatable {
            case number(Double)
            case text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
            }
        }
        var run_id: String
        var run_name: String
        var status: String
        var params: [String: String]
        var tags: [String: String]
        var metrics: [String: [Point]]
    }

    @Test func pythonReadsWhatSwiftWrote() async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("interop-swift"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID, runName: "swift-writer", tags: [RunTag(key: "origin", value: "swift")])
        let logger = BatchingRunLogger(store: client, runID: run.info.runID)
        try await logger.log(param: "alpha", value: "0.5")
        try await logger.log(param: "unicode", value: "λ → ✓")
        try await logger.set(tag: "team", value: "ml platform")
        for step in 0..<5 {
            try await logger.log(metric: "loss", value: 1 / Double(step + 1), step: Int64(step),
                                 timestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(step)))
        }
        try await logger.log(metric: "weird", value: .nan, step: 0, timestamp: Date(timeIntervalSince1970: 1_700_000_000.1))
        try await logger.finish(status: .finished)

        let seen = try JSONDecoder().decode(
            PythonRun.self, from: try await IntegrationEnvironment.python(["read-run", run.info.runID], trackingURI: uri))
        #expect(seen.run_name == "swift-writer")
        #expect(seen.status == "FINISHED")
        #expect(seen.params == ["alpha": "0.5", "unicode": "λ → ✓"])
        #expect(seen.tags == ["origin": "swift", "team": "ml platform"])
        let expectedLoss: [PythonRun.Point] = (0..<5).map { (step: Int) -> PythonRun.Point in
            let value = 1 / Double(step + 1)
            let timestamp = Int64(1_700_000_000_000) + Int64(step) * 1000
            return PythonRun.Point(value: .number(value), step: Int64(step), timestamp: timestamp)
        }
        #expect(seen.metrics["loss"] == expectedLoss)
        #expect(seen.metrics["weird"] == [PythonRun.Point(value: .text("NaN"), step: 0, timestamp: 1_700_000_000_100)])
    }

    @Test func swiftReadsWhatPythonWrote() async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let written = try JSONDecoder().decode(
            PythonRun.self,
            from: try await IntegrationEnvironment.python(["write-run", IntegrationEnvironment.uniqueName("interop-python")], trackingURI: uri))
        let run = try await client.getRun(id: written.run_id)
        #expect(run.info.runName == written.run_name)
        #expect(run.info.status == .finished)
        #expect(Dictionary(uniqueKeysWithValues: run.data.params.map { ($0.key, $0.value) }) == written.params)
        let tags = Dictionary(uniqueKeysWithValues: run.data.tags.filter { !$0.key.hasPrefix("mlflow.") }.map { ($0.key, $0.value) })
        #expect(tags == written.tags)
        var loss: [PythonRun.Point] = []
        for try await metric in client.metricHistory(runID: written.run_id, key: "loss") {
            loss.append(PythonRun.Point(value: .number(metric.value), step: metric.step, timestamp: metric.timestamp))
        }
        #expect(loss == written.metrics["loss"])
        let weird = try await client.getRun(id: written.run_id).data.metrics.first { $0.key == "weird" }
        #expect(weird?.value.isNaN == true)
    }

    @Test func aliasesAgreeBothWays() async throws {
        let uri = try IntegrationEnvironment.mlflowURI()
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("interop-alias"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID)
        let model = IntegrationEnvironment.uniqueName("interop_model")

        // Python registers and aliases; Swift reads.
        _ = try await IntegrationEnvironment.python(["register", model, run.info.runID, "Production"], trackingURI: uri)
        let viaSwift = try await client.getModelVersion(name: model, alias: "Production")
        #expect(viaSwift.version == "1")
        #expect(viaSwift.runID == run.info.runID)

        // Swift moves the alias; Python reads.
        _ = try await client.createModelVersion(name: model, source: viaSwift.source ?? "", runID: run.info.runID, description: nil, tags: [], modelID: nil)
        try await client.setRegisteredModelAlias(name: model, alias: "Production", version: "2")
        struct Alias: Decodable { var version: String; var run_id: String; var aliases: [String] }
        let viaPython = try JSONDecoder().decode(
            Alias.self, from: try await IntegrationEnvironment.python(["read-alias", model, "Production"], trackingURI: uri))
        #expect(viaPython.version == "2")
        #expect(viaPython.run_id == run.info.runID)
        #expect(viaPython.aliases == ["Production"])
    }
}
