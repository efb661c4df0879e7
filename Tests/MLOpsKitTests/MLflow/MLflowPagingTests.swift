import Foundation
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflow paging sequences")
struct MLflowPagingTests {
    typealias Support = MLflowTestSupport

    @Test("allExperiments follows page tokens in the POST body until a page has none")
    func allExperiments() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { request in
            let token = request.jsonBody?["page_token"] as? String
            let json: String
            switch token {
            case nil:
                json =
                    #"{"experiments": [{"experiment_id": "1", "name": "a"}, {"experiment_id": "2", "name": "b"}], "next_page_token": "p2"}"#
            case "p2":
                json = #"{"experiments": [{"experiment_id": "3", "name": "c"}], "next_page_token": "p3"}"#
            default:
                json = #"{"experiments": [{"experiment_id": "4", "name": "d"}]}"#
            }
            return TransportResponse(status: 200, body: Data(json.utf8))
        }

        let names = try await client.allExperiments(filter: "name LIKE '%'", pageSize: 2).collect().map(\.name)

        #expect(names == ["a", "b", "c", "d"])
        let requests = transport.requests
        #expect(requests.count == 3)
        #expect(requests.map { $0.jsonBody?["page_token"] as? String } == [nil, "p2", "p3"])
        #expect(requests.allSatisfy { $0.jsonBody?["max_results"] as? Int == 2 })
        #expect(requests.allSatisfy { $0.jsonBody?["filter"] as? String == "name LIKE '%'" })
    }

    @Test("allRegisteredModels follows page tokens in the query string")
    func allRegisteredModels() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"registered_models": [{"name": "m1"}], "next_page_token": "eyJvZmZzZXQiOiAxfQ=="}"#)
        transport.enqueue(
            json: #"{"registered_models": [{"name": "m2", "aliases": [{"alias": "Production", "version": "4"}]}]}"#
        )

        var models: [RegisteredModel] = []
        for try await model in client.allRegisteredModels(pageSize: 1) {
            models.append(model)
        }

        #expect(models.map(\.name) == ["m1", "m2"])
        #expect(models[1].version(forAlias: "Production") == "4")
        #expect(transport.requests.map { $0.queryValue("page_token") } == [nil, "eyJvZmZzZXQiOiAxfQ=="])
        #expect(transport.requests.allSatisfy { $0.queryValue("max_results") == "1" })
    }

    @Test("allRuns, allModelVersions and metricHistory walk every page")
    func otherSequences() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(
            json: #"{"runs": [{"info": {"run_id": "r1", "experiment_id": "1"}}], "next_page_token": "t"}"#
        )
        transport.enqueue(json: #"{"runs": [{"info": {"run_id": "r2", "experiment_id": "1"}}]}"#)
        transport.enqueue(json: #"{"model_versions": [{"name": "m", "version": "1"}], "next_page_token": "t"}"#)
        transport.enqueue(json: "{}")
        transport.enqueue(
            json: #"{"metrics": [{"key": "acc", "value": 0.1, "timestamp": 1, "step": 0}], "next_page_token": "t"}"#
        )
        transport.enqueue(json: #"{"metrics": [{"key": "acc", "value": "NaN", "timestamp": 2, "step": 1}]}"#)

        let runs = try await client.allRuns(experimentIDs: ["1"]).collect()
        let versions = try await client.allModelVersions(filter: "name='m'").collect()
        let history = try await client.metricHistory(runID: "r1", key: "acc", pageSize: 1).collect()

        #expect(runs.map(\.info.runID) == ["r1", "r2"])
        #expect(versions.map(\.version) == ["1"])
        #expect(history.map(\.step) == [0, 1])
        #expect(history[1].value.isNaN)
        #expect(transport.requests.count == 6)
        #expect(transport.requests[1].jsonBody?["page_token"] as? String == "t")
        #expect(transport.requests[3].queryValue("page_token") == "t")
        #expect(transport.requests[5].queryValue("page_token") == "t")
    }

    @Test("empty pages with a token are skipped, not treated as the end")
    func emptyMiddlePage() async throws {
        let pages = [
            Page(items: [1, 2], nextPageToken: "a"),
            Page(items: [], nextPageToken: "b"),
            Page(items: [3], nextPageToken: nil),
        ]
        let calls = Mutex<[String?]>([])
        let sequence = PagedSequence<Int> { token in
            let index = calls.withLock { calls in
                calls.append(token)
                return calls.count - 1
            }
            return pages[index]
        }

        let items = try await sequence.collect()

        #expect(items == [1, 2, 3])
        #expect(calls.withLock { $0 } == [nil, "a", "b"])
    }

    @Test("a token the server already returned ends the iteration instead of looping")
    func repeatedToken() async throws {
        let count = Mutex(0)
        let sequence = PagedSequence<String> { _ in
            count.withLock { $0 += 1 }
            return Page(items: ["same"], nextPageToken: "stuck")
        }

        let items = try await sequence.collect()

        #expect(items == ["same", "same"])
        #expect(count.withLock { $0 } == 2)
    }

    @Test("each iteration starts again from the first page")
    func restartable() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { _ in
            TransportResponse(status: 200, body: Data(#"{"experiments": [{"experiment_id": "1", "name": "only"}]}"#.utf8))
        }
        let sequence = client.allExperiments()

        let first = try await sequence.collect()
        let second = try await sequence.collect()

        #expect(first == second)
        #expect(transport.requests.count == 2)
    }

    @Test("an error on a later page is thrown from the iteration")
    func errorMidway() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"experiments": [{"experiment_id": "1", "name": "a"}], "next_page_token": "p2"}"#)
        transport.enqueue(status: 500, json: #"{"error_code": "INTERNAL_ERROR", "message": "boom"}"#)

        var seen: [String] = []
        let error = try await Support.mlflowError {
            for try await experiment in client.allExperiments() {
                seen.append(experiment.name)
            }
        }

        #expect(seen == ["a"])
        #expect(error.code == .internalError)
        #expect(error.endpoint == "POST experiments/search")
    }

    @Test("a generic store drives the same sequences")
    func worksOnAnyStore() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: #"{"registered_models": [{"name": "x"}]}"#)
        let registry: any ModelRegistry = client

        let names = try await registry.allRegisteredModels(filter: "name='x'").collect().map(\.name)

        #expect(names == ["x"])
        #expect(transport.lastRequest?.queryValue("filter") == "name='x'")
        #expect(transport.lastRequest?.queryValue("max_results") == "1000")
    }
}
