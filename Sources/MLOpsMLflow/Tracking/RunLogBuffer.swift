import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The buffer and background sender behind a ``BatchingRunLogger``. The sender task holds this object,
/// not the logger, so releasing the logger can end the task.
final class RunLogBuffer: Sendable {
    typealias Configuration = BatchingRunLogger.Configuration

    /// One buffered entry.
    enum Entry: Sendable {
        case metric(Metric)
        case param(Param)
        case tag(RunTag)
    }

    private struct State {
        var buffer: [Entry] = []
        /// Index of the first unsent entry in `buffer` (entries before it are in flight).
        var inFlight = 0
        var enqueuedAt: [ContinuousClock.Instant] = []
        /// Sequence number of the next entry to be logged; entries are numbered from 0.
        var nextSequence: UInt64 = 0
        /// Entries with a sequence number below this are stored on the server.
        var storedSequence: UInt64 = 0
        var flushRequests: [(target: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var spaceWaiters: [CheckedContinuation<Void, any Error>] = []
        var senderWaiter: CheckedContinuation<Void, Never>?
        var flushTarget: UInt64 = 0
        var finishing = false
        var failure: (any Error)?
        var pointsSent = 0
        var requestsSent = 0
    }

    let runID: String
    let configuration: Configuration
    private let store: any TrackingStore
    private let state = Mutex(State())

    /// Creates a logger for the run `runID` and starts its background sender.
    init(store: any TrackingStore, runID: String, configuration: Configuration = Configuration()) {
        self.store = store
        self.runID = runID
        var configuration = configuration
        configuration.batchSize = min(max(1, configuration.batchSize), MLflowLimits.maxEntitiesPerBatch)
        configuration.bufferCapacity = max(configuration.bufferCapacity, configuration.batchSize)
        self.configuration = configuration
        // The task keeps the buffer alive until the loop ends: after finish(), or after the logger is
        // released and close() lets it drain what is buffered.
        Task { await self.sendLoop() }
    }

    /// Lets the sender send what is buffered and then end; for a logger released without `finish()`.
    func close() {
        stopSender()
    }

    // MARK: Logging

    /// Logs one value of metric `key`. Returns at once unless the buffer is full.
    ///
    /// - Parameters:
    ///   - timestamp: When the value was measured; now by default.
    func log(metric key: String, value: Double, step: Int64 = 0, timestamp: Date = Date()) async throws {
        try await append(.metric(Metric(key: key, value: value, timestamp: Self.milliseconds(timestamp), step: step)))
    }

    /// Logs several metric values measured together at one step.
    func log(metrics: [String: Double], step: Int64 = 0, timestamp: Date = Date()) async throws {
        let time = Self.milliseconds(timestamp)
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) {
            try await append(.metric(Metric(key: key, value: value, timestamp: time, step: step)))
        }
    }

    /// Logs a parameter. Parameters cannot change once logged; the server rejects a different value.
    func log(param key: String, value: String) async throws {
        try await append(.param(Param(key: key, value: value)))
    }

    /// Sets a tag on the run.
    func set(tag key: String, value: String) async throws {
        try await append(.tag(RunTag(key: key, value: value)))
    }

    /// Waits until every entry logged before this call is stored on the server.
    func flush() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let resumeNow: Result<Void, any Error>? = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.storedSequence >= state.nextSequence { return .success(()) }
                state.flushTarget = max(state.flushTarget, state.nextSequence)
                state.flushRequests.append((state.nextSequence, continuation))
                return nil
            }
            if let resumeNow {
                continuation.resume(with: resumeNow)
            } else {
                wakeSender()
            }
        }
    }

    /// Flushes, stops the background sender and, when `status` is given, marks the run terminated with
    /// that status and the current time.
    func finish(status: RunStatus? = nil) async throws {
        do {
            try await flush()
        } catch {
            stopSender()
            throw error
        }
        stopSender()
        if let status {
            _ = try await store.updateRun(
                id: runID, status: status, endTime: Self.milliseconds(Date()), runName: nil)
        }
    }

    /// Counts of what was sent so far: entries stored and `log-batch` requests made.
    var statistics: (entriesStored: Int, requests: Int) {
        state.withLock { ($0.pointsSent, $0.requestsSent) }
    }

    // MARK: Buffer

    private func append(_ entry: Entry) async throws {
        while true {
            let outcome: AppendOutcome = state.withLock { state in
                if let failure = state.failure { return .failed(failure) }
                if state.finishing { return .failed(BatchingRunLoggerError.finished(runID: runID)) }
                guard state.buffer.count < configuration.bufferCapacity else { return .full }
                state.buffer.append(entry)
                state.enqueuedAt.append(.now)
                state.nextSequence += 1
                return state.buffer.count - state.inFlight >= configuration.batchSize ? .appendedBatchReady : .appended
            }
            switch outcome {
            case .appended: return
            case .appendedBatchReady:
                wakeSender()
                return
            case .failed(let error): throw error
            case .full:
                wakeSender()
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let ready: Result<Void, any Error>? = state.withLock { state in
                        if let failure = state.failure { return .failure(failure) }
                        if state.buffer.count < configuration.bufferCapacity { return .success(()) }
                        state.spaceWaiters.append(continuation)
                        return nil
                    }
                    if let ready { continuation.resume(with: ready) }
                }
            }
        }
    }

    private enum AppendOutcome {
        case appended, appendedBatchReady, full
        case failed(any Error)
    }

    private func wakeSender() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.senderWaiter = nil }
            return state.senderWaiter
        }
        waiter?.resume()
    }

    func stopSender() {
        state.withLock { $0.finishing = true }
        wakeSender()
    }

    // MARK: Sender

    private func sendLoop() async {
        while !Task.isCancelled {
            guard let batch = await nextBatch() else { return }
            do {
                try await sendWithRetries(batch)
                completeBatch(count: batch.count)
            } catch {
                fail(with: error)
                return
            }
        }
    }

    /// Waits until a batch is due and takes it from the head of the buffer; `nil` when finished.
    private func nextBatch() async -> [Entry]? {
        while true {
            let decision: BatchDecision = state.withLock { state in
                let pending = state.buffer.count - state.inFlight
                if pending == 0 { return state.finishing ? .stop : .wait(until: nil) }
                let oldest = state.enqueuedAt[state.inFlight]
                let due = oldest + configuration.maximumDelay
                let flushing = state.flushTarget > state.storedSequence
                if pending >= configuration.batchSize || flushing || state.finishing || due <= .now {
                    let batch = Self.takeBatch(from: state.buffer[state.inFlight...], limit: configuration.batchSize)
                    state.inFlight += batch.count
                    return .send(batch)
                }
                return .wait(until: due)
            }
            switch decision {
            case .stop: return nil
            case .send(let batch): return batch
            case .wait(let deadline):
                if Task.isCancelled { return nil }
                await waitForWork(until: deadline)
            }
        }
    }

    private enum BatchDecision {
        case stop
        case send([Entry])
        case wait(until: ContinuousClock.Instant?)
    }

    private func waitForWork(until deadline: ContinuousClock.Instant?) async {
        let timer = deadline.map { deadline in
            Task { [weak self] in
                try? await Task.sleep(until: deadline)
                self?.wakeSender()
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parked = state.withLock { state -> Bool in
                    let pending = state.buffer.count - state.inFlight
                    let hasWork = pending >= configuration.batchSize || state.finishing
                        || (pending > 0 && state.flushTarget > state.storedSequence)
                    guard !hasWork else { return false }
                    state.senderWaiter = continuation
                    return true
                }
                if !parked { continuation.resume() }
            }
        } onCancel: {
            wakeSender()
        }
        timer?.cancel()
    }

    /// The longest prefix of `entries` that fits one `runs/log-batch` request.
    static func takeBatch(from entries: ArraySlice<Entry>, limit: Int) -> [Entry] {
        var batch: [Entry] = []
        var metrics = 0, params = 0, tags = 0
        for entry in entries {
            switch entry {
            case .metric:
                guard metrics < MLflowLimits.maxMetricsPerBatch else { return batch }
                metrics += 1
            case .param:
                guard params < MLflowLimits.maxParamsPerBatch else { return batch }
                params += 1
            case .tag:
                guard tags < MLflowLimits.maxTagsPerBatch else { return batch }
                tags += 1
            }
            batch.append(entry)
            if batch.count >= limit { return batch }
        }
        return batch
    }

    private func sendWithRetries(_ batch: [Entry]) async throws {
        var metrics: [Metric] = [], params: [Param] = [], tags: [RunTag] = []
        for entry in batch {
            switch entry {
            case .metric(let metric): metrics.append(metric)
            case .param(let param): params.append(param)
            case .tag(let tag): tags.append(tag)
            }
        }
        let clock = ContinuousClock()
        let giveUpAt = clock.now + configuration.retryTimeout
        var backoff = configuration.initialRetryBackoff
        while true {
            do {
                try await store.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
                state.withLock { $0.requestsSent += 1 }
                return
            } catch {
                guard Self.isTransient(error), clock.now + backoff < giveUpAt else { throw error }
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, configuration.maximumRetryBackoff)
            }
        }
    }

    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? HTTPTransportError { return error.isTransient || error.requestWasNotSent }
        if let error = error as? MLflowError { return error.isTransient || (error.httpStatus ?? 0) >= 500 }
        return false
    }

    private func completeBatch(count: Int) {
        let (flushed, space) = state.withLock { state in
            state.buffer.removeFirst(count)
            state.enqueuedAt.removeFirst(count)
            state.inFlight -= count
            state.storedSequence += UInt64(count)
            state.pointsSent += count
            let stored = state.storedSequence
            let flushed = state.flushRequests.filter { $0.target <= stored }.map(\.continuation)
            state.flushRequests.removeAll { $0.target <= stored }
            let space = state.spaceWaiters
            state.spaceWaiters.removeAll()
            return (flushed, space)
        }
        flushed.forEach { $0.resume() }
        space.forEach { $0.resume() }
    }

    private func fail(with error: any Error) {
        let (flushed, space) = state.withLock { state in
            state.failure = error
            defer {
                state.flushRequests.removeAll()
                state.spaceWaiters.removeAll()
            }
            return (state.flushRequests.map(\.continuation), state.spaceWaiters)
        }
        flushed.forEach { $0.resume(throwing: error) }
        space.forEach { $0.resume(throwing: error) }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

