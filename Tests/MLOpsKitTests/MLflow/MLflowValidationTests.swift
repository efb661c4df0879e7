import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflow client-side validation")
struct MLflowValidationTests {
    typealias Support = MLflowTestSupport

    @Test("a param value over 6,000 characters is rejected before sending, naming the key and the limit")
    func longParamValue() async throws {
        let (client, transport) = Support.makeClient()

        let error = try await Support.mlflowError {
            try await client.logParam(runID: "r", key: "prompt", value: String(repeating: "x", count: 6001))
        }

        #expect(error.code == .invalidArgument)
        #expect(error.httpStatus == nil)
        #expect(error.message.contains("'prompt'"))
        #expect(error.message.contains("6000"))
        #expect(error.endpoint == "POST runs/log-parameter")
        #expect(transport.requests.isEmpty)
    }

    @Test("values exactly at the limits are sent")
    func valuesAtLimits() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { _ in TransportResponse(status: 200, body: Data("{}".utf8)) }

        try await client.logParam(runID: "r", key: "p", value: String(repeating: "x", count: 6000))
        try await client.setTag(runID: "r", key: "t", value: String(repeating: "é", count: 8000))
        try await client.logMetric(runID: "r", key: String(repeating: "k", count: 250), value: 1, timestamp: 1)

        #expect(transport.requests.count == 3)
    }

    @Test("a tag value over 8,000 characters is rejected, naming the key and the limit")
    func longTagValue() async throws {
        let (client, transport) = Support.makeClient()

        let error = try await Support.mlflowError {
            try await client.setTag(runID: "r", key: "notes", value: String(repeating: "y", count: 8001))
        }

        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("'notes'"))
        #expect(error.message.contains("8000"))
        #expect(transport.requests.isEmpty)
    }

    @Test(
        "keys with characters MLflow does not allow are rejected",
        arguments: ["loss!", "a\tb", "key=value", "x,y", "emoji🙂", "back\\slash", "q?"]
    )
    func badKeyCharacters(key: String) async throws {
        let (client, transport) = Support.makeClient()

        let error = try await Support.mlflowError {
            try await client.logMetric(runID: "r", key: key, value: 1, timestamp: 1)
        }

        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("metric key"))
        #expect(transport.requests.isEmpty)
    }

    @Test(
        "keys of letters, digits and _ - . space : / are allowed",
        arguments: ["train/loss", "val acc", "epoch:1", "a-b_c.d", "ÄÖÜ", "123"]
    )
    func goodKeys(key: String) async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")

        try await client.logMetric(runID: "r", key: key, value: 1, timestamp: 1)

        #expect(transport.lastRequest?.jsonBody?["key"] as? String == key)
    }

    @Test("a key over 250 characters and an empty key are rejected")
    func keyLength() async throws {
        let (client, transport) = Support.makeClient()

        let long = try await Support.mlflowError {
            try await client.logParam(runID: "r", key: String(repeating: "k", count: 251), value: "v")
        }
        let empty = try await Support.mlflowError { try await client.setTag(runID: "r", key: "", value: "v") }

        #expect(long.code == .invalidArgument)
        #expect(long.message.contains("251"))
        #expect(long.message.contains("250"))
        #expect(empty.code == .invalidArgument)
        #expect(transport.requests.isEmpty)
    }

    @Test("one invalid entity anywhere in a batch means nothing of the batch is sent")
    func batchValidatesEverythingFirst() async throws {
        let (client, transport) = Support.makeClient()
        var metrics = (0..<2500).map { Metric(key: "m", value: Double($0), timestamp: 1) }
        metrics.append(Metric(key: "bad key!", value: 1, timestamp: 1))

        let error = try await Support.mlflowError {
            try await client.logBatch(runID: "r", metrics: metrics, params: [Param(key: "p", value: "v")])
        }

        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("'bad key!'"))
        #expect(error.endpoint == "POST runs/log-batch")
        #expect(transport.requests.isEmpty)
    }

    @Test("run tags on createRun are checked too")
    func createRunTags() async throws {
        let (client, transport) = Support.makeClient()

        let error = try await Support.mlflowError {
            try await client.createRun(
                experimentID: "1",
                tags: [RunTag(key: "big", value: String(repeating: "z", count: 8001))]
            )
        }

        #expect(error.code == .invalidArgument)
        #expect(transport.requests.isEmpty)
    }

    @Test(
        "page sizes outside the server's range are rejected",
        arguments: [0, -1, 50_001]
    )
    func pageSizes(maxResults: Int) async throws {
        let (client, transport) = Support.makeClient()

        let error = try await Support.mlflowError {
            try await client.searchRuns(experimentIDs: ["1"], maxResults: maxResults)
        }

        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("50000"))
        #expect(transport.requests.isEmpty)
    }

    @Test("registry and history page sizes have their own maxima")
    func otherPageSizes() async throws {
        let (client, transport) = Support.makeClient()

        let models = try await Support.mlflowError { try await client.searchRegisteredModels(maxResults: 1001) }
        let history = try await Support.mlflowError {
            try await client.getMetricHistory(runID: "r", key: "k", maxResults: 25_001)
        }

        #expect(models.message.contains("1000"))
        #expect(history.message.contains("25000"))
        #expect(transport.requests.isEmpty)
    }

    @Test("empty identifiers are rejected before sending")
    func emptyIdentifiers() async throws {
        let (client, transport) = Support.makeClient()

        let run = try await Support.mlflowError { try await client.getRun(id: "") }
        let alias = try await Support.mlflowError { try await client.getModelVersion(name: "m", alias: "") }
        let model = try await Support.mlflowError { try await client.createRegisteredModel(name: "") }

        #expect([run, alias, model].allSatisfy { $0.code == .invalidArgument })
        #expect(transport.requests.isEmpty)
    }
}
