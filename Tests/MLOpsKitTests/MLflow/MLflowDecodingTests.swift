import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflow response decoding")
struct MLflowDecodingTests {
    typealias Support = MLflowTestSupport

    @Test("a run decodes with NaN given as a string, the SQL store's stand-in for infinity and extra fields")
    func runWithNaNMetric() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.getRunJSON)

        let run = try await client.getRun(id: Support.runID)

        #expect(run.info.runID == Support.runID)
        #expect(run.info.experimentID == "1")
        #expect(run.info.runName == "rest-run-1b")
        #expect(run.info.status == .finished)
        #expect(run.info.endTime == 1_700_000_100_000)
        #expect(run.info.artifactURI == "mlflow-artifacts:/1/\(Support.runID)/artifacts")
        #expect(run.info.lifecycleStage == .active)
        #expect(run.data.metric("loss") == Metric(key: "loss", value: 0.5, timestamp: 1_700_000_001_000, step: 1))
        let bad = try #require(run.data.metric("bad"))
        #expect(bad.value.isNaN)
        #expect(run.data.metric("big")?.value == .greatestFiniteMagnitude)
        #expect(run.data.param("lr") == "0.01")
        #expect(run.data.tag("mlflow.runName") == "rest-run-1b")
    }

    @Test(
        "metric values decode from numbers and from the NaN / Infinity spellings",
        arguments: [
            (#""NaN""#, Double.nan),
            (#""Infinity""#, Double.infinity),
            (#""-Infinity""#, -Double.infinity),
            ("0.5", 0.5),
            ("-3", -3),
            (#""1.25""#, 1.25),
            ("1.7976931348623157e+308", Double.greatestFiniteMagnitude),
        ]
    )
    func metricValueDecoding(json: String, expected: Double) throws {
        let data = Data(#"{"key": "m", "value": \#(json), "timestamp": 5, "step": 2}"#.utf8)
        let metric = try JSONDecoder().decode(Metric.self, from: data)
        #expect(metric == Metric(key: "m", value: expected, timestamp: 5, step: 2))
        if expected.isNaN { #expect(metric.value.isNaN) }
    }

    @Test("a metric value that is neither a number nor a known spelling fails to decode")
    func metricValueGarbage() {
        let data = Data(#"{"key": "m", "value": "lots", "timestamp": 5}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Metric.self, from: data) }
    }

    @Test("metrics encode non-finite values as strings and round-trip")
    func metricEncodingRoundTrip() throws {
        let metrics = [
            Metric(key: "a", value: .nan, timestamp: 1),
            Metric(key: "b", value: .infinity, timestamp: 2, step: 3),
            Metric(key: "c", value: -.infinity, timestamp: 3),
            Metric(key: "d", value: 1.5, timestamp: 4),
        ]
        let data = try JSONEncoder().encode(metrics)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""value":"NaN""#))
        #expect(text.contains(#""value":"Infinity""#))
        #expect(text.contains(#""value":"-Infinity""#))
        #expect(try JSONDecoder().decode([Metric].self, from: data) == metrics)
    }

    @Test("an empty search result `{}` is an empty last page")
    func emptySearch() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")
        transport.enqueue(json: "{}")
        transport.enqueue(json: "{}")

        let experiments = try await client.searchExperiments()
        let runs = try await client.searchRuns(experimentIDs: [])
        let versions = try await client.searchModelVersions(filter: "name='none'")

        #expect(experiments == Page(items: [], nextPageToken: nil))
        #expect(runs.items.isEmpty && runs.isLastPage)
        #expect(versions.items.isEmpty && versions.isLastPage)
    }

    @Test("an empty body, whitespace or `{}` all count as success for calls without a result")
    func emptyBodies() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(TransportResponse(status: 200, body: Data()))
        transport.enqueue(TransportResponse(status: 200, body: Data("  \n".utf8)))
        transport.enqueue(json: "{}")

        try await client.setTag(runID: "r", key: "k", value: "v")
        try await client.deleteExperiment(id: "6")
        try await client.logBatch(runID: "r", params: [Param(key: "a", value: "b")])

        #expect(transport.requests.count == 3)
    }

    @Test("omitted lists decode as empty and omitted optional fields as nil")
    func omittedFields() throws {
        let experiment = try JSONDecoder().decode(
            Experiment.self,
            from: Data(#"{"experiment_id": "0", "name": "Default"}"#.utf8)
        )
        #expect(experiment.tags.isEmpty)
        #expect(experiment.artifactLocation == nil)
        #expect(experiment.lifecycleStage == .active)

        let run = try JSONDecoder().decode(
            Run.self,
            from: Data(#"{"info": {"run_id": "r", "experiment_id": "0"}}"#.utf8)
        )
        #expect(run.data == RunData())
        #expect(run.info.status == .running)
        #expect(run.info.endTime == nil)

        let model = try JSONDecoder().decode(RegisteredModel.self, from: Data(#"{"name": "m"}"#.utf8))
        #expect(model.aliases.isEmpty && model.tags.isEmpty && model.latestVersions.isEmpty)
        #expect(model.description == nil)
    }

    @Test("a run ID sent only as the legacy run_uuid is still read")
    func legacyRunUUID() throws {
        let info = try JSONDecoder().decode(
            RunInfo.self,
            from: Data(#"{"run_uuid": "abc", "experiment_id": "2", "status": "KILLED"}"#.utf8)
        )
        #expect(info.runID == "abc")
        #expect(info.status == .killed)
    }

    @Test("statuses a newer server might add decode instead of failing")
    func unknownStatus() throws {
        let info = try JSONDecoder().decode(
            RunInfo.self,
            from: Data(#"{"run_id": "r", "experiment_id": "1", "status": "PAUSED"}"#.utf8)
        )
        #expect(info.status == RunStatus(rawValue: "PAUSED"))
        #expect(!info.status.isTerminal)
        let version = try JSONDecoder().decode(
            ModelVersion.self,
            from: Data(#"{"name": "m", "version": "1", "status": "ARCHIVING"}"#.utf8)
        )
        #expect(version.status.rawValue == "ARCHIVING")
    }

    @Test("a registered model keeps its aliases, tags and latest versions")
    func registeredModel() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.registeredModelJSON)

        let model = try await client.getRegisteredModel(name: "mk-iris")

        #expect(model.name == "mk-iris")
        #expect(model.description == "iris clf")
        #expect(
            model.aliases == [
                RegisteredModelAlias(alias: "Production", version: "1"),
                RegisteredModelAlias(alias: "Staging", version: "2"),
            ]
        )
        #expect(model.version(forAlias: "Production") == "1")
        #expect(model.version(forAlias: "production") == nil)
        #expect(model.tag("owner") == "swift")
        #expect(model.latestVersions.map(\.version) == ["2"])
        #expect(model.latestVersions.first?.aliases == [])
        #expect(model.latestVersions.first?.status == .ready)
        #expect(model.creationTimestamp == 1_795_914_962_368)
    }

    @Test("registered-model search results keep their aliases")
    func registeredModelSearchAliases() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            json: """
                {
                  "registered_models": [
                    {"name": "a", "aliases": [{"alias": "Production", "version": "3"}],
                     "latest_versions": [{"name": "a", "version": "3", "status": "READY"}]},
                    {"name": "b", "tags": [{"key": "team", "value": "ml"}]}
                  ],
                  "next_page_token": "eyJvZmZzZXQiOiAyfQ=="
                }
                """
        )

        let page = try await client.searchRegisteredModels(maxResults: 2)

        #expect(page.items.map(\.name) == ["a", "b"])
        #expect(page.items[0].version(forAlias: "Production") == "3")
        #expect(page.items[1].aliases.isEmpty)
        #expect(page.items[1].tag("team") == "ml")
        #expect(page.nextPageToken == "eyJvZmZzZXQiOiAyfQ==")
    }

    @Test("model versions from search have no aliases; from get they do")
    func modelVersionAliases() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            json: """
                {"model_versions": [{"name": "mk-iris", "version": "1", "status": "READY", "current_stage": "None",
                  "source": "s3://bucket/model"}]}
                """
        )
        transport.enqueue(json: Support.modelVersionJSON(version: "1", aliases: ["Production", "champion"]))

        let page = try await client.searchModelVersions(filter: "name='mk-iris' AND version_number=1")
        let version = try await client.getModelVersion(name: "mk-iris", version: "1")

        #expect(page.items.first?.aliases == [])
        #expect(page.items.first?.source == "s3://bucket/model")
        #expect(version.aliases == ["Production", "champion"])
        #expect(version.tag("k") == "v")
        #expect(version.runLink == "")
        #expect(version.currentStage == "None")
    }

    @Test("an empty next_page_token counts as the last page")
    func emptyToken() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"experiments": [{"experiment_id": "1", "name": "x"}], "next_page_token": ""}"#)

        let page = try await client.searchExperiments()

        #expect(page.items.count == 1)
        #expect(page.nextPageToken == nil)
    }

    @Test("models encode back to the server's field names")
    func modelEncoding() throws {
        let info = RunInfo(runID: "r", runName: "n", experimentID: "1", status: .failed, artifactURI: "s3://b/k")
        let json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(info)) as? [String: Any]
        )
        #expect(json["run_id"] as? String == "r")
        #expect(json["experiment_id"] as? String == "1")
        #expect(json["status"] as? String == "FAILED")
        #expect(json["artifact_uri"] as? String == "s3://b/k")
        #expect(json["lifecycle_stage"] as? String == "active")
        #expect(json["end_time"] == nil)
    }
}
