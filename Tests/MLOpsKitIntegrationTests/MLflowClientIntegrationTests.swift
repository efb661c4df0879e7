import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflowClient against a real mlflow server", .enabled(if: IntegrationEnvironment.mlflowEnabled))
struct MLflowClientIntegrationTests {
    @Test func experimentLifecycleAndPaging() async throws {
        let client = try IntegrationEnvironment.mlflowClient()
        let prefix = IntegrationEnvironment.uniqueName("exp")
        var ids: [String] = []
        for index in 0..<5 {
            ids.append(try await client.createExperiment(
                name: "\(prefix)-\(index)", artifactLocation: nil, tags: [ExperimentTag(key: "team", value: "swift")]))
        }
        let byName = try await client.getExperiment(name: "\(prefix)-3")
        #expect(byName.experimentID == ids[3])
        #expect(byName.tags.contains(ExperimentTag(key: "team", value: "swift")))

        // Two per page: three requests, every experiment once, in order.
        var names: [String] = []
        for try await experiment in client.allExperiments(filter: "name LIKE '\(prefix)-%'", orderBy: ["name ASC"], pageSize: 2) {
            names.append(experiment.name)
        }
        #expect(names == (0..<5).map { "\(prefix)-\($0)" })

        try await client.deleteExperiment(id: ids[0])
        #expect(try await client.getExperiment(id: ids[0]).lifecycleStage == .deleted)
        try await client.restoreExperiment(id: ids[0])
        #expect(try await client.getExperiment(id: ids[0]).lifecycleStage == .active)

        let duplicate = await #expect(throws: MLflowError.self) {
            _ = try await client.createExperiment(name: "\(prefix)-1", artifactLocation: nil, tags: [])
        }
        #expect(duplicate?.code == .resourceAlreadyExists)
        let missing = await #expect(throws: MLflowError.self) {
            _ = try await client.getExperiment(name: "\(prefix)-absent")
        }
        #expect(missing?.isNotFound == true)
        #expect(missing?.httpStatus == 404)
    }

    @Test func runLoggingSearchAndHistory() async throws {
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(
            name: IntegrationEnvironment.uniqueName("runs"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID, runName: "swift-run", tags: [RunTag(key: "env", value: "ci")])
        let runID = run.info.runID
        #expect(run.info.status == .running)

        try await client.logParam(runID: runID, key: "alpha", value: "0.5")
        try await client.logMetric(runID: runID, key: "loss", value: 0.25, timestamp: 1_700_000_000_000, step: 1)
        try await client.logMetric(runID: runID, key: "nan", value: .nan, timestamp: 1_700_000_000_000, step: 0)
        let metrics = (0..<2_500).map { Metric(key: "curve", value: Double($0) / 10, timestamp: 1_700_000_000_000 + Int64($0), step: Int64($0)) }
        let params = (0..<150).map { Param(key: "p\($0)", value: "v\($0)") }
        try await client.logBatch(runID: runID, metrics: metrics, params: params, tags: [RunTag(key: "batched", value: "yes")])

        var history: [Metric] = []
        for try await metric in client.metricHistory(runID: runID, key: "curve", pageSize: 1000) { history.append(metric) }
        #expect(history.count == 2_500)
        #expect(Set(history.map(\.step)) == Set((0..<2_500).map(Int64.init)))

        let fetched = try await client.getRun(id: runID)
        #expect(fetched.data.params.count == 151)
        #expect(fetched.data.metrics.first { $0.key == "nan" }?.value.isNaN == true)
        #expect(fetched.data.tags.contains(RunTag(key: "batched", value: "yes")))

        let updated = try await client.updateRun(id: runID, status: .finished, endTime: 1_700_000_100_000, runName: "renamed")
        #expect(updated.status == .finished)
        #expect(updated.runName == "renamed")

        let found = try await client.searchRuns(
            experimentIDs: [experimentID], filter: "metrics.loss < 0.3 and params.alpha = '0.5'",
            orderBy: ["attributes.start_time DESC"], viewType: .activeOnly, maxResults: 10, pageToken: nil)
        #expect(found.items.map(\.info.runID) == [runID])

        try await client.deleteRun(id: runID)
        #expect(try await client.getRun(id: runID).info.lifecycleStage == .deleted)
        try await client.restoreRun(id: runID)
    }

    @Test func registryVersionsAndAliases() async throws {
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("reg"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID)
        let name = IntegrationEnvironment.uniqueName("model")
        _ = try await client.createRegisteredModel(name: name, description: "iris", tags: [RegisteredModelTag(key: "owner", value: "swift")])
        let source = "\(run.info.artifactURI ?? "")/model"
        let v1 = try await client.createModelVersion(name: name, source: source, runID: run.info.runID, description: nil, tags: [], modelID: nil)
        let v2 = try await client.createModelVersion(name: name, source: source, runID: run.info.runID, description: nil, tags: [], modelID: nil)
        #expect(v1.version == "1" && v2.version == "2")

        try await client.setRegisteredModelAlias(name: name, alias: "Production", version: "1")
        try await client.setRegisteredModelAlias(name: name, alias: "Test", version: "2")
        #expect(try await client.getModelVersion(name: name, alias: "Production").version == "1")

        let page = try await client.searchRegisteredModels(filter: "name = '\(name)'", orderBy: [], maxResults: 10, pageToken: nil)
        let model = try #require(page.items.first)
        #expect(Set(model.aliases.map { "\($0.alias)=\($0.version)" }) == ["Production=1", "Test=2"])

        let missingAlias = await #expect(throws: MLflowError.self) {
            _ = try await client.getModelVersion(name: name, alias: "Staging")
        }
        #expect(missingAlias?.isNotFound == true)
        #expect(missingAlias?.isAliasNotFound == true)
        #expect(missingAlias?.description.contains("Staging") == true)

        let missingModel = await #expect(throws: MLflowError.self) {
            _ = try await client.getModelVersion(name: "\(name)-absent", alias: "Production")
        }
        #expect(missingModel?.isNotFound == true)
        #expect(missingModel?.isAliasNotFound == false)

        try await client.deleteRegisteredModelAlias(name: name, alias: "Test")
        #expect(try await client.getRegisteredModel(name: name).aliases.map(\.alias) == ["Production"])
        #expect(try await client.getModelVersionDownloadURI(name: name, version: "1").hasSuffix("/model"))

        let uri = try ModelURI(parsing: "models:/\(name)@Production")
        let resolved = try await uri.resolve(using: client)
        #expect(resolved.hasSuffix("/model"))
    }

    @Test func unreachableServerIsATypedErrorWithMaskedCredentials() async throws {
        let client = MLflowClient(
            configuration: MLflowClient.Configuration(trackingURI: URL(string: "http://admin:topsecret@127.0.0.1:9/")!),
            transport: RetryingTransport(wrapping: CurlTransport(), policy: RetryPolicy(maximumAttempts: 2, initialBackoff: .milliseconds(10))))
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await client.getRegisteredModel(name: "x")
        }
        #expect(error?.code == .couldNotConnect)
        #expect(error?.attempts == 2)
        #expect(error.map { "\($0)" }?.contains("topsecret") == false)
    }

    @Test func batchingLoggerStoresEveryPoint() async throws {
        let client = try IntegrationEnvironment.mlflowClient()
        let experimentID = try await client.createExperiment(name: IntegrationEnvironment.uniqueName("logger"), artifactLocation: nil, tags: [])
        let run = try await client.createRun(experimentID: experimentID)
        let logger = BatchingRunLogger(store: client, runID: run.info.runID)
        try await logger.log(param: "optimizer", value: "adam")
        for step in 0..<10_000 {
            try await logger.log(metrics: ["loss": 1 / Double(step + 1), "accuracy": Double(step) / 10_000], step: Int64(step))
        }
        try await logger.finish(status: .finished)
        var count = 0
        for try await _ in client.metricHistory(runID: run.info.runID, key: "loss") { count += 1 }
        #expect(count == 10_000)
        let stored = try await client.getRun(id: run.info.runID)
        #expect(stored.info.status == .finished)
        #expect(stored.data.params == [Param(key: "optimizer", value: "adam")])
    }
}
