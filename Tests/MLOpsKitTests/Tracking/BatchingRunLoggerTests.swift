import Foundation
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsOrchestration
@testable import MLOpsServing
@testable import MLOpsAutoserve

@Suite("BatchingRunLogger")
struct BatchingRunLoggerTests {
    @Test func sendsFullBatchesInOrderAndStoresEverything() async throws {
        let store = RecordingTrackingStore()
        let logger = BatchingRunLogger(store: store, runID: "r1")
        for step in 0..<2_500 {
            try await logger.log(metric: "loss", value: Double(step), step: Int64(step))
        }
        try await logger.finish()
        let metrics = store.storedMetrics
        #expect(metrics.count == 2_500)
        #expect(metrics.map(\.step) == (0..<2_500).map(Int64.init))
        #expect(store.batches.allSatisfy { $0.metrics.count <= 1000 })
        #expect(store.batches.count == 3)
    }

    @Test func smallBatchesLeaveAfterTheMaximumDelay() async throws {
        let store = RecordingTrackingStore()
        var configuration = BatchingRunLogger.Configuration()
        configuration.maximumDelay = .milliseconds(100)
        let logger = BatchingRunLogger(store: store, runID: "r1", configuration: configuration)
        try await logger.log(metric: "acc", value: 0.5)
        #expect(store.batches.isEmpty)
        try await Task.sleep(for: .milliseconds(600))
        #expect(store.storedMetrics.count == 1)
        try await logger.finish()
    }

    @Test func logReturnsWithoutWaitingForTheNetwork() async throws {
        let store = RecordingTrackingStore()
        store.setDelay(.milliseconds(500))
        let logger = BatchingRunLogger(store: store, runID: "r1")
        for step in 0..<1_000 {
            try await logger.log(metric: "loss", value: 1, step: Int64(step))
        }
        try await Task.sleep(for: .milliseconds(50))  // the first batch is now on its slow way
        let clock = ContinuousClock()
        let started = clock.now
        for step in 1_000..<5_000 {
            try await logger.log(metric: "loss", value: 1, step: Int64(step))
        }
        let logging = clock.now - started
        #expect(store.batches.isEmpty)  // nothing stored yet: log did not wait for the server
        #expect(logging < .milliseconds(400))
        try await logger.finish()
        #expect(store.storedMetrics.count == 5_000)
        #expect(store.batches.count == 5)
    }

    @Test func fullBufferAppliesBackpressureWithoutDropping() async throws {
        let store = RecordingTrackingStore()
        store.setDelay(.milliseconds(50))
        var configuration = BatchingRunLogger.Configuration()
        configuration.batchSize = 100
        configuration.bufferCapacity = 200
        let logger = BatchingRunLogger(store: store, runID: "r1", configuration: configuration)
        for step in 0..<2_000 {
            try await logger.log(metric: "m", value: 0, step: Int64(step))
        }
        try await logger.finish()
        #expect(store.storedMetrics.count == 2_000)
        #expect(store.storedMetrics.map(\.step) == (0..<2_000).map(Int64.init))
    }

    @Test func flushWaitsUntilStored() async throws {
        let store = RecordingTrackingStore()
        store.setDelay(.milliseconds(200))
        let logger = BatchingRunLogger(store: store, runID: "r1")
        try await logger.log(param: "lr", value: "0.01")
        try await logger.set(tag: "team", value: "swift")
        try await logger.log(metrics: ["a": 1, "b": 2], step: 3)
        try await logger.flush()
        let batch = try #require(store.batches.first)
        #expect(batch.params == [Param(key: "lr", value: "0.01")])
        #expect(batch.tags == [RunTag(key: "team", value: "swift")])
        #expect(batch.metrics.map(\.key) == ["a", "b"])
        try await logger.finish()
    }

    @Test func transientFailuresAreRetried() async throws {
        let store = RecordingTrackingStore()
        store.failNext([
            HTTPTransportError(code: .couldNotConnect, method: .post, redactedURL: "http://127.0.0.1/x", detail: ""),
            MLflowError(code: .temporarilyUnavailable, httpStatus: 503, message: "restarting"),
        ])
        var configuration = BatchingRunLogger.Configuration()
        configuration.initialRetryBackoff = .milliseconds(10)
        let logger = BatchingRunLogger(store: store, runID: "r1", configuration: configuration)
        for step in 0..<10 { try await logger.log(metric: "m", value: 1, step: Int64(step)) }
        try await logger.finish()
        #expect(store.storedMetrics.count == 10)
    }

    @Test func permanentFailureIsReportedAndStopsLogging() async throws {
        let store = RecordingTrackingStore()
        let rejection = MLflowError(code: .invalidParameterValue, httpStatus: 400, message: "Changing param values is not allowed")
        store.failNext([rejection])
        let logger = BatchingRunLogger(store: store, runID: "r1")
        try await logger.log(param: "lr", value: "0.1")
        await #expect(throws: MLflowError.self) { try await logger.flush() }
        await #expect(throws: MLflowError.self) { try await logger.log(metric: "m", value: 1) }
        await #expect(throws: MLflowError.self) { try await logger.finish() }
    }

    @Test func loggingAfterFinishIsAnError() async throws {
        let logger = BatchingRunLogger(store: RecordingTrackingStore(), runID: "r9")
        try await logger.finish()
        await #expect(throws: BatchingRunLoggerError.finished(runID: "r9")) {
            try await logger.log(metric: "m", value: 1)
        }
    }

    @Test func releasedLoggerStillSendsWhatItBuffered() async throws {
        let store = RecordingTrackingStore()
        do {
            let logger = BatchingRunLogger(store: store, runID: "r1")
            for step in 0..<10 { try await logger.log(metric: "m", value: 1, step: Int64(step)) }
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while store.storedMetrics.count < 10, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(store.storedMetrics.count == 10)
    }

    @Test func batchesRespectParamAndTagLimits() {
        let entries: [BatchingRunLogger.Entry] =
            (0..<150).map { .param(Param(key: "p\($0)", value: "v")) } + (0..<50).map { .metric(Metric(key: "m", value: 1, timestamp: 0, step: Int64($0))) }
        let first = BatchingRunLogger.takeBatch(from: entries[...], limit: 1000)
        #expect(first.count == 100)
        let second = BatchingRunLogger.takeBatch(from: entries[100...], limit: 1000)
        #expect(second.count == 100)
    }
}
