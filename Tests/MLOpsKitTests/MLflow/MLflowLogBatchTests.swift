import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("MLflow log-batch chunking")
struct MLflowLogBatchTests {
    typealias Support = MLflowTestSupport

    /// What one recorded log-batch request carried, decoded from its JSON body.
    struct SentBatch {
        var runID: String
        var metrics: [Metric]
        var params: [Param]
        var tags: [RunTag]

        var entityCount: Int { metrics.count + params.count + tags.count }

        init(_ request: TransportRequest) throws {
            struct Body: Decodable {
                var run_id: String
                var metrics: [Metric]
                var params: [Param]
                var tags: [RunTag]
            }
            let body = try JSONDecoder().decode(Body.self, from: request.bodyData)
            runID = body.run_id
            metrics = body.metrics
            params = body.params
            tags = body.tags
        }
    }

    static func metrics(_ count: Int) -> [Metric] {
        (0..<count).map { Metric(key: "m\($0 % 7)", value: Double($0), timestamp: Int64($0), step: Int64($0)) }
    }

    static func params(_ count: Int) -> [Param] {
        (0..<count).map { Param(key: "p\($0)", value: "v\($0)") }
    }

    static func tags(_ count: Int) -> [RunTag] {
        (0..<count).map { RunTag(key: "t\($0)", value: "v\($0)") }
    }

    static func expectWithinLimits(_ batches: [SentBatch], sourceLocation: SourceLocation = #_sourceLocation) {
        for batch in batches {
            #expect(batch.metrics.count <= MLflowLimits.maxMetricsPerBatch, sourceLocation: sourceLocation)
            #expect(batch.params.count <= MLflowLimits.maxParamsPerBatch, sourceLocation: sourceLocation)
            #expect(batch.tags.count <= MLflowLimits.maxTagsPerBatch, sourceLocation: sourceLocation)
            #expect(batch.entityCount <= MLflowLimits.maxEntitiesPerBatch, sourceLocation: sourceLocation)
            #expect(batch.entityCount > 0, sourceLocation: sourceLocation)
        }
    }

    @Test("2,500 metrics and 150 params go out as 3 requests within the limits, in order")
    func metricsAndParams() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { _ in TransportResponse(status: 200, body: Data("{}".utf8)) }
        let metrics = Self.metrics(2500)
        let params = Self.params(150)

        try await client.logBatch(runID: Support.runID, metrics: metrics, params: params)

        let requests = transport.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.url.path == "/api/2.0/mlflow/runs/log-batch" && $0.method == .post })
        let batches = try requests.map(SentBatch.init)
        Self.expectWithinLimits(batches)
        #expect(batches.allSatisfy { $0.runID == Support.runID })
        #expect(batches.map(\.params.count) == [100, 50, 0])
        #expect(batches.map(\.metrics.count) == [900, 950, 650])
        #expect(batches.flatMap(\.metrics) == metrics)
        #expect(batches.flatMap(\.params) == params)
    }

    @Test("params, tags and metrics together respect every per-kind limit and keep their order")
    func allKinds() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { _ in TransportResponse(status: 200, body: Data("{}".utf8)) }
        let metrics = Self.metrics(2000)
        let params = Self.params(250)
        let tags = Self.tags(150)

        try await client.logBatch(runID: "r", metrics: metrics, params: params, tags: tags)

        let batches = try transport.requests.map(SentBatch.init)
        Self.expectWithinLimits(batches)
        #expect(batches.count == 3)
        #expect(batches.flatMap(\.metrics) == metrics)
        #expect(batches.flatMap(\.params) == params)
        #expect(batches.flatMap(\.tags) == tags)
        // Params and tags come before metrics: a later request never carries params or tags while
        // an earlier one carried fewer than the per-request maximum.
        #expect(batches[0].params.count == 100 && batches[0].tags.count == 100)
        #expect(batches[0].metrics.count == 800)
    }

    @Test("exactly 1,000 metrics fit one request; 1,001 need two")
    func boundaries() async throws {
        let (client, transport) = Support.makeClient()
        transport.setHandler { _ in TransportResponse(status: 200, body: Data("{}".utf8)) }

        try await client.logBatch(runID: "r", metrics: Self.metrics(1000))
        #expect(transport.requests.count == 1)

        try await client.logBatch(runID: "r", metrics: Self.metrics(1001))
        let batches = try transport.requests.dropFirst().map(SentBatch.init)
        #expect(batches.map(\.metrics.count) == [1000, 1])
    }

    @Test("an empty batch sends nothing")
    func emptyBatch() async throws {
        let (client, transport) = Support.makeClient()

        try await client.logBatch(runID: "r")

        #expect(transport.requests.isEmpty)
    }

    @Test(
        "the plan uses as few requests as the limits allow",
        arguments: [
            (0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (999, 1, 0), (1000, 0, 0), (1000, 1, 1), (0, 100, 100),
            (0, 101, 0), (0, 0, 350), (5000, 0, 0), (2500, 150, 0), (900, 100, 1), (10, 500, 20), (3333, 77, 201),
        ]
    )
    func planIsMinimal(metricCount: Int, paramCount: Int, tagCount: Int) {
        let plan = LogBatchPlan(
            metrics: Self.metrics(metricCount),
            params: Self.params(paramCount),
            tags: Self.tags(tagCount)
        )

        func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        let lowerBound = max(
            ceilDiv(paramCount, MLflowLimits.maxParamsPerBatch),
            ceilDiv(tagCount, MLflowLimits.maxTagsPerBatch),
            ceilDiv(metricCount, MLflowLimits.maxMetricsPerBatch),
            ceilDiv(metricCount + paramCount + tagCount, MLflowLimits.maxEntitiesPerBatch)
        )
        #expect(plan.chunks.count == lowerBound)
        #expect(plan.chunks.flatMap(\.metrics) == Self.metrics(metricCount))
        #expect(plan.chunks.flatMap(\.params) == Self.params(paramCount))
        #expect(plan.chunks.flatMap(\.tags) == Self.tags(tagCount))
        for chunk in plan.chunks {
            #expect(chunk.entityCount <= MLflowLimits.maxEntitiesPerBatch)
            #expect(chunk.params.count <= MLflowLimits.maxParamsPerBatch)
            #expect(chunk.tags.count <= MLflowLimits.maxTagsPerBatch)
        }
    }

    @Test("a failing request stops the batch; earlier requests were sent, later ones are not")
    func failureStops() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")
        transport.enqueue(status: 500, json: #"{"error_code": "INTERNAL_ERROR", "message": "db locked"}"#)

        let error = try await Support.mlflowError {
            try await client.logBatch(runID: "r", metrics: Self.metrics(3500))
        }

        #expect(error.code == .internalError)
        #expect(error.endpoint == "POST runs/log-batch")
        #expect(transport.requests.count == 2)
    }

    @Test("metrics in a batch carry NaN as a string")
    func nanInBatch() async throws {
        let (client, transport) = Support.makeClient()
        transport.enqueue(json: "{}")

        try await client.logBatch(runID: "r", metrics: [Metric(key: "loss", value: .nan, timestamp: 7, step: 1)])

        let text = String(decoding: try #require(transport.lastRequest).bodyData, as: UTF8.self)
        #expect(text.contains(#""value":"NaN""#))
        #expect(try SentBatch(#require(transport.lastRequest)).metrics.first?.value.isNaN == true)
    }
}
