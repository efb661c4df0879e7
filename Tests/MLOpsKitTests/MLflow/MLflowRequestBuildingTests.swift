import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflow request building")
struct MLflowRequestBuildingTests {
    typealias Support = MLflowTestSupport

    @Test("createExperiment sends a JSON POST and returns the new ID")
    func createExperimentRequest() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"experiment_id": "1"}"#)

        let id = try await client.createExperiment(
            name: "mlopskit-rest-a",
            tags: [ExperimentTag(key: "team", value: "swift")]
        )

        #expect(id == "1")
        let request = try #require(transport.lastRequest)
        #expect(request.method == .post)
        #expect(request.url.absoluteString == "http://127.0.0.1:5055/api/2.0/mlflow/experiments/create")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.operationName == "POST experiments/create")
        #expect(request.isIdempotent == false)
        let body = try #require(request.jsonBody)
        #expect(body["name"] as? String == "mlopskit-rest-a")
        let tags = try #require(body["tags"] as? [[String: String]])
        #expect(tags == [["key": "team", "value": "swift"]])
        #expect(body["artifact_location"] == nil)
    }

    @Test("GET parameters are percent-encoded, including + & = / ' and spaces")
    func queryEncoding() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.experimentJSON)

        _ = try await client.getExperiment(name: "a b+c&d=e/f'g")

        let request = try #require(transport.lastRequest)
        #expect(request.method == .get)
        #expect(request.url.path == "/api/2.0/mlflow/experiments/get-by-name")
        #expect(request.url.query(percentEncoded: true) == "experiment_name=a%20b%2Bc%26d%3De%2Ff%27g")
        #expect(request.queryValue("experiment_name") == "a b+c&d=e/f'g")
        #expect(request.body == TransportRequest.Body.none)
        #expect(request.headers["Content-Type"] == nil)
        #expect(request.isIdempotent)
    }

    @Test("registry searches send the filter, every order_by, max_results and the page token in the query")
    func registrySearchQuery() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")

        _ = try await client.searchRegisteredModels(
            filter: "name LIKE 'iris%' AND tags.team = 'a+b'",
            orderBy: ["last_updated_timestamp DESC", "name ASC"],
            maxResults: 10,
            pageToken: "eyJvZmZzZXQiOiAyfQ=="
        )

        let request = try #require(transport.lastRequest)
        #expect(request.method == .get)
        #expect(request.url.path == "/api/2.0/mlflow/registered-models/search")
        let items = request.queryItems.map { "\($0.name)=\($0.value ?? "")" }
        #expect(
            items == [
                "filter=name LIKE 'iris%' AND tags.team = 'a+b'",
                "max_results=10",
                "order_by=last_updated_timestamp DESC",
                "order_by=name ASC",
                "page_token=eyJvZmZzZXQiOiAyfQ==",
            ]
        )
        let raw = try #require(request.url.query(percentEncoded: true))
        #expect(raw.contains("tags.team%20%3D%20%27a%2Bb%27"))
        #expect(raw.contains("page_token=eyJvZmZzZXQiOiAyfQ%3D%3D"))
        #expect(!raw.contains("+"))
    }

    @Test("searchExperiments always sends max_results, even with every other argument defaulted")
    func searchExperimentsAlwaysSendsMaxResults() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")
        transport.enqueue(json: "{}")

        _ = try await client.searchExperiments()
        _ = try await client.searchExperiments(
            filter: "name LIKE 'mlopskit-page-%'",
            orderBy: ["name ASC"],
            viewType: .all,
            maxResults: 2,
            pageToken: "tok"
        )

        let requests = transport.requests
        #expect(requests.count == 2)
        let first = try #require(requests[0].jsonBody)
        #expect(requests[0].method == .post)
        #expect(first["max_results"] as? Int == 1000)
        #expect(first["view_type"] as? String == "ACTIVE_ONLY")
        #expect(first["filter"] == nil)
        let second = try #require(requests[1].jsonBody)
        #expect(second["max_results"] as? Int == 2)
        #expect(second["filter"] as? String == "name LIKE 'mlopskit-page-%'")
        #expect(second["order_by"] as? [String] == ["name ASC"])
        #expect(second["view_type"] as? String == "ALL")
        #expect(second["page_token"] as? String == "tok")
    }

    @Test("searchRuns posts experiment_ids, run_view_type, order_by and max_results")
    func searchRunsBody() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")

        let page = try await client.searchRuns(
            experimentIDs: ["1", "2"],
            filter: "metrics.rmse < 0.3 and params.alpha != '9'",
            orderBy: ["metrics.rmse DESC"],
            viewType: .deletedOnly,
            maxResults: 50_000
        )

        #expect(page.items.isEmpty)
        let request = try #require(transport.lastRequest)
        #expect(request.method == .post)
        #expect(request.url.path == "/api/2.0/mlflow/runs/search")
        #expect(request.isIdempotent)
        let body = try #require(request.jsonBody)
        #expect(body["experiment_ids"] as? [String] == ["1", "2"])
        #expect(body["run_view_type"] as? String == "DELETED_ONLY")
        #expect(body["max_results"] as? Int == 50_000)
        #expect(body["order_by"] as? [String] == ["metrics.rmse DESC"])
        #expect(body["filter"] as? String == "metrics.rmse < 0.3 and params.alpha != '9'")
        #expect(body["page_token"] == nil)
    }

    @Test("logMetric sends NaN and infinities as strings and leaves out a missing step")
    func logMetricNonFinite() async throws {
        let (client, transport) = Support.makeClient()
        for _ in 0..<4 { transport.enqueue(json: "{}") }

        try await client.logMetric(runID: Support.runID, key: "loss", value: .nan, timestamp: 1_700_000_001_000)
        try await client.logMetric(runID: Support.runID, key: "loss", value: .infinity, timestamp: 1, step: 2)
        try await client.logMetric(runID: Support.runID, key: "loss", value: -.infinity, timestamp: 1, step: 3)
        try await client.logMetric(runID: Support.runID, key: "loss", value: 0.25, timestamp: 1, step: 4)

        let bodies = transport.requests.map { String(decoding: $0.bodyData, as: UTF8.self) }
        #expect(bodies[0].contains(#""value":"NaN""#))
        #expect(!bodies[0].contains("step"))
        #expect(bodies[0].contains(#""timestamp":1700000001000"#))
        #expect(bodies[0].contains(#""run_id":"\#(Support.runID)""#))
        #expect(bodies[1].contains(#""value":"Infinity""#))
        #expect(bodies[1].contains(#""step":2"#))
        #expect(bodies[2].contains(#""value":"-Infinity""#))
        #expect(bodies[3].contains(#""value":0.25"#))
        #expect(transport.requests.allSatisfy { $0.url.path == "/api/2.0/mlflow/runs/log-metric" })
        #expect(transport.requests.allSatisfy { !$0.isIdempotent })
    }

    @Test("createRun sends the start time, name and tags and decodes the new run")
    func createRun() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.createRunJSON)

        let run = try await client.createRun(
            experimentID: "1",
            runName: "rest-run-1",
            startTime: 1_700_000_000_000,
            tags: [RunTag(key: "mlflow.user", value: "swift")]
        )

        #expect(run.info.runID == Support.runID)
        #expect(run.info.status == .running)
        #expect(run.info.userID == "")
        #expect(run.data.tag("mlflow.runName") == "rest-run-1")
        let body = try #require(transport.lastRequest?.jsonBody)
        #expect(body["experiment_id"] as? String == "1")
        #expect(body["run_name"] as? String == "rest-run-1")
        #expect(body["start_time"] as? Int == 1_700_000_000_000)
        #expect(body["user_id"] == nil)
        #expect((body["tags"] as? [[String: String]])?.first?["key"] == "mlflow.user")
    }

    @Test("createRun without a start time sends the current time")
    func createRunDefaultStartTime() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.createRunJSON)
        let before = MLflowClient.timestamp()

        _ = try await client.createRun(experimentID: "1")

        let body = try #require(transport.lastRequest?.jsonBody)
        let startTime = try #require(body["start_time"] as? Int64)
        #expect(startTime >= before && startTime <= MLflowClient.timestamp())
    }

    @Test("updateRun sends status, end time and name and returns the run info")
    func updateRun() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            json: """
                {"run_info": {"run_id": "\(Support.runID)", "experiment_id": "1", "status": "FINISHED",
                 "start_time": 1700000000000, "end_time": 1700000100000, "run_name": "rest-run-1b",
                 "lifecycle_stage": "active"}}
                """
        )

        let info = try await client.updateRun(
            id: Support.runID,
            status: .finished,
            endTime: 1_700_000_100_000,
            runName: "rest-run-1b"
        )

        #expect(info.status == .finished)
        #expect(info.status.isTerminal)
        #expect(info.endTime == 1_700_000_100_000)
        let request = try #require(transport.lastRequest)
        #expect(request.url.path == "/api/2.0/mlflow/runs/update")
        #expect(request.isIdempotent)
        let body = try #require(request.jsonBody)
        #expect(body["status"] as? String == "FINISHED")
        #expect(body["end_time"] as? Int == 1_700_000_100_000)
        #expect(body["run_name"] as? String == "rest-run-1b")
    }

    @Test("naturally idempotent POSTs are marked idempotent; others are not")
    func idempotenceMarking() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { _ in TransportResponse(status: 200, body: Data("{}".utf8)) }

        try await client.setTag(runID: "r", key: "k", value: "v")
        try await client.deleteTag(runID: "r", key: "k")
        try await client.setExperimentTag(experimentID: "1", key: "k", value: "v")
        try await client.setRegisteredModelTag(name: "m", key: "k", value: "v")
        try await client.setModelVersionTag(name: "m", version: "1", key: "k", value: "v")
        try await client.setRegisteredModelAlias(name: "m", alias: "Production", version: "1")
        try await client.deleteRegisteredModelAlias(name: "m", alias: "Production")
        try await client.renameExperiment(id: "1", to: "new")
        try await client.logParam(runID: "r", key: "lr", value: "0.1")
        try await client.logBatch(runID: "r", metrics: [Metric(key: "m", value: 1, timestamp: 1)])
        try await client.deleteRun(id: "r")

        let flags = Dictionary(
            transport.requests.map { ($0.operationName ?? "?", $0.isIdempotent) },
            uniquingKeysWith: { first, _ in first }
        )
        #expect(flags["POST runs/set-tag"] == true)
        #expect(flags["POST runs/delete-tag"] == true)
        #expect(flags["POST experiments/set-experiment-tag"] == true)
        #expect(flags["POST registered-models/set-tag"] == true)
        #expect(flags["POST model-versions/set-tag"] == true)
        #expect(flags["POST registered-models/alias"] == true)
        #expect(flags["DELETE registered-models/alias"] == true)
        #expect(flags["POST experiments/update"] == true)
        #expect(flags["POST runs/log-parameter"] == false)
        #expect(flags["POST runs/log-batch"] == false)
        #expect(flags["POST runs/delete"] == false)
    }

    @Test("DELETE endpoints send their parameters as a JSON body, not in the query")
    func deleteSendsJSONBody() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")
        transport.enqueue(json: "{}")

        try await client.deleteRegisteredModelAlias(name: "mk-iris", alias: "Staging")
        try await client.deleteModelVersionTag(name: "mk-iris", version: "2", key: "k")

        let alias = transport.requests[0]
        #expect(alias.method == .delete)
        #expect(alias.url.path == "/api/2.0/mlflow/registered-models/alias")
        #expect(alias.url.query == nil)
        #expect(alias.headers["Content-Type"] == "application/json")
        let aliasBody = try #require(alias.jsonBody as? [String: String])
        #expect(aliasBody == ["name": "mk-iris", "alias": "Staging"])
        let tagBody = try #require(transport.requests[1].jsonBody as? [String: String])
        #expect(tagBody == ["name": "mk-iris", "version": "2", "key": "k"])
        #expect(transport.requests[1].url.path == "/api/2.0/mlflow/model-versions/delete-tag")
    }

    @Test("registry writes use the server's methods and field names")
    func registryWrites() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.registeredModelJSON)
        transport.enqueue(json: Support.registeredModelJSON)
        transport.enqueue(json: Support.modelVersionJSON())
        transport.enqueue(json: Support.modelVersionJSON())
        transport.enqueue(json: "{}")

        _ = try await client.renameRegisteredModel(name: "old", to: "mk-iris")
        _ = try await client.updateRegisteredModel(name: "mk-iris", description: "new text")
        _ = try await client.createModelVersion(
            name: "mk-iris",
            source: "models:/m-b705bfdd34b340c0a7e0319c8a5fbd67",
            runID: Support.runID,
            description: "v1",
            tags: [ModelVersionTag(key: "k", value: "v")],
            modelID: "m-b705bfdd34b340c0a7e0319c8a5fbd67"
        )
        _ = try await client.updateModelVersion(name: "mk-iris", version: "1", description: "d")
        try await client.deleteRegisteredModel(name: "mk-iris")

        let requests = transport.requests
        #expect(
            requests.map(\.operationName) == [
                "POST registered-models/rename", "PATCH registered-models/update", "POST model-versions/create",
                "PATCH model-versions/update", "DELETE registered-models/delete",
            ]
        )
        #expect(requests[0].jsonBody?["new_name"] as? String == "mk-iris")
        #expect(requests[1].jsonBody?["description"] as? String == "new text")
        #expect(requests[1].headers["Content-Type"] == "application/json")
        let create = try #require(requests[2].jsonBody)
        #expect(create["source"] as? String == "models:/m-b705bfdd34b340c0a7e0319c8a5fbd67")
        #expect(create["run_id"] as? String == Support.runID)
        #expect(create["model_id"] as? String == "m-b705bfdd34b340c0a7e0319c8a5fbd67")
        #expect(requests[3].jsonBody?["version"] as? String == "1")
        #expect(requests[4].jsonBody as? [String: String] == ["name": "mk-iris"])
    }

    @Test("a path prefix in the tracking URI is kept and a trailing slash is not doubled")
    func trackingURIWithPathPrefix() async throws {
        let (client, transport) = Support.makeClient(trackingURI: URL(string: "https://mlflow.example.com/team-a/")!)
        transport.enqueue(json: Support.getRunJSON)

        _ = try await client.getRun(id: Support.runID)

        let url = try #require(transport.lastRequest?.url)
        #expect(
            url.absoluteString == "https://mlflow.example.com/team-a/api/2.0/mlflow/runs/get?run_id=\(Support.runID)"
        )
    }

    @Test("basic credentials become an Authorization header; Origin is never sent")
    func basicAuthorizationHeader() async throws {
        let (client, transport) = Support.makeClient(credentials: .basic(username: "alice", password: "s3cr3t"))
        transport.enqueue(json: Support.getRunJSON)

        _ = try await client.getRun(id: Support.runID)

        let request = try #require(transport.lastRequest)
        let expected = "Basic " + Data("alice:s3cr3t".utf8).base64EncodedString()
        #expect(request.headers["Authorization"] == expected)
        #expect(request.headers["Origin"] == nil)
        #expect(request.timeout == .seconds(60))
    }

    @Test("bearer credentials send a bearer token; no credentials send no Authorization header")
    func bearerAndNoCredentials() async throws {
        let (bearerClient, bearerTransport) = Support.makeClient(credentials: .bearer(token: "tok-123"))
        bearerTransport.enqueue(json: "{}")
        try await bearerClient.deleteRun(id: "r")
        #expect(bearerTransport.lastRequest?.headers["Authorization"] == "Bearer tok-123")

        let (plainClient, plainTransport) = Support.makeClient(requestTimeout: nil)
        plainTransport.enqueue(json: "{}")
        try await plainClient.deleteRun(id: "r")
        #expect(plainTransport.lastRequest?.headers.contains("Authorization") == false)
        #expect(plainTransport.lastRequest?.headers.contains("Origin") == false)
        #expect(plainTransport.lastRequest?.timeout == nil)
    }

    @Test("descriptions of credentials and configuration never show secrets")
    func secretsStayHidden() {
        let basic = MLflowCredentials.basic(username: "alice", password: "hunter2-secret")
        let bearer = MLflowCredentials.bearer(token: "tok-very-secret")
        let configuration = MLflowClient.Configuration(
            trackingURI: URL(string: "https://bob:url-secret@mlflow.example.com")!,
            credentials: basic
        )

        var dumped = ""
        dump(configuration, to: &dumped)
        let texts = [
            "\(basic)", String(reflecting: basic), "\(bearer)", String(reflecting: bearer), "\(configuration)",
            String(reflecting: configuration), dumped,
        ]
        for text in texts {
            #expect(!text.contains("hunter2-secret"))
            #expect(!text.contains("tok-very-secret"))
            #expect(!text.contains("url-secret"))
        }
        #expect("\(basic)".contains("alice"))
        #expect("\(configuration)".contains("mlflow.example.com"))
    }

    @Test("model version lookups put name and version in the query")
    func modelVersionQueries() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: Support.modelVersionJSON(version: "3"))
        transport.enqueue(json: #"{"artifact_uri": "mlflow-artifacts:/1/abc/artifacts/model"}"#)

        let version = try await client.getModelVersion(name: "mk iris", version: "3")
        let uri = try await client.getModelVersionDownloadURI(name: "mk iris", version: "3")

        #expect(version.version == "3")
        #expect(uri == "mlflow-artifacts:/1/abc/artifacts/model")
        #expect(transport.requests[0].url.path == "/api/2.0/mlflow/model-versions/get")
        #expect(transport.requests[0].url.query(percentEncoded: true) == "name=mk%20iris&version=3")
        #expect(transport.requests[1].url.path == "/api/2.0/mlflow/model-versions/get-download-uri")
    }

    @Test("metric history asks for the run, key, page size and token")
    func metricHistoryQuery() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")

        let page = try await client.getMetricHistory(runID: "r1", key: "val acc", maxResults: 2, pageToken: "t")

        #expect(page.items.isEmpty)
        #expect(page.isLastPage)
        let request = try #require(transport.lastRequest)
        #expect(request.url.path == "/api/2.0/mlflow/metrics/get-history")
        #expect(request.url.query(percentEncoded: true) == "run_id=r1&metric_key=val%20acc&max_results=2&page_token=t")
    }
}
