import Foundation
import Synchronization

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// A ``TrackingStore`` test double for the run logger: it records `logBatch` calls, can be told to fail
/// the next calls or to be slow, and refuses every other operation.
final class RecordingTrackingStore: TrackingStore {
    struct Batch: Sendable {
        var metrics: [Metric]
        var params: [Param]
        var tags: [RunTag]
    }

    private struct State {
        var batches: [Batch] = []
        var failures: [any Error] = []
        var delay: Duration = .zero
        var updates: [(RunStatus?, Int64?)] = []
    }

    private let state = Mutex(State())

    struct Unsupported: Error {}

    var batches: [Batch] { state.withLock { $0.batches } }
    var updates: [(RunStatus?, Int64?)] { state.withLock { $0.updates } }
    var storedMetrics: [Metric] { batches.flatMap(\.metrics) }

    func failNext(_ errors: [any Error]) { state.withLock { $0.failures = errors } }
    func setDelay(_ delay: Duration) { state.withLock { $0.delay = delay } }

    func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [RunTag]) async throws {
        let delay = state.withLock { $0.delay }
        if delay > .zero { try await Task.sleep(for: delay) }
        let failure: (any Error)? = state.withLock { state in
            state.failures.isEmpty ? nil : state.failures.removeFirst()
        }
        if let failure { throw failure }
        state.withLock { $0.batches.append(Batch(metrics: metrics, params: params, tags: tags)) }
    }

    func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        state.withLock { $0.updates.append((status, endTime)) }
        throw Unsupported()
    }

    func createExperiment(name: String, artifactLocation: String?, tags: [ExperimentTag]) async throws -> String { throw Unsupported() }
    func getExperiment(id: String) async throws -> Experiment { throw Unsupported() }
    func getExperiment(name: String) async throws -> Experiment { throw Unsupported() }
    func searchExperiments(filter: String?, orderBy: [String], viewType: ViewType, maxResults: Int, pageToken: String?) async throws -> Page<Experiment> { throw Unsupported() }
    func deleteExperiment(id: String) async throws { throw Unsupported() }
    func restoreExperiment(id: String) async throws { throw Unsupported() }
    func renameExperiment(id: String, to newName: String) async throws { throw Unsupported() }
    func setExperimentTag(experimentID: String, key: String, value: String) async throws { throw Unsupported() }
    func createRun(experimentID: String, runName: String?, startTime: Int64?, tags: [RunTag], userID: String?) async throws -> Run { throw Unsupported() }
    func getRun(id: String) async throws -> Run { throw Unsupported() }
    func deleteRun(id: String) async throws { throw Unsupported() }
    func restoreRun(id: String) async throws { throw Unsupported() }
    func searchRuns(experimentIDs: [String], filter: String?, orderBy: [String], viewType: ViewType, maxResults: Int, pageToken: String?) async throws -> Page<Run> { throw Unsupported() }
    func logMetric(runID: String, key: String, value: Double, timestamp: Int64, step: Int64?) async throws { throw Unsupported() }
    func logParam(runID: String, key: String, value: String) async throws { throw Unsupported() }
    func setTag(runID: String, key: String, value: String) async throws { throw Unsupported() }
    func deleteTag(runID: String, key: String) async throws { throw Unsupported() }
    func getMetricHistory(runID: String, key: String, maxResults: Int, pageToken: String?) async throws -> Page<Metric> { throw Unsupported() }
    func getLoggedModelArtifactURI(modelID: String) async throws -> String { throw Unsupported() }
}
