import MLOpsCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Logs metrics, parameters and tags of one run from a training loop without waiting on the network.
///
/// Entries are buffered and sent with `runs/log-batch` by a background task: a batch leaves when it
/// reaches ``Configuration/batchSize`` entries or when its oldest entry is ``Configuration/maximumDelay``
/// old, whichever comes first. One batch is in flight at a time and entries leave in the order they
/// were logged, so the order of every metric's values is kept.
///
/// - `log` returns at once while the buffer has room; when it is full (the server is slower than the
///   loop), `log` waits for room. Nothing is ever dropped silently.
/// - A batch that fails transiently (server restarting, 503, connection refused) is retried with
///   backoff for up to ``Configuration/retryTimeout``; a restart of the server mid-run loses nothing.
/// - A batch the server rejects (an invalid key, a changed parameter) stops the logger; the error is
///   thrown by the next `log`, ``flush()`` or ``finish(status:)``.
/// - ``flush()`` returns when everything logged before it is stored; ``finish(status:)`` flushes, ends the
///   background task and optionally marks the run terminated.
///
/// ```swift
/// let logger = BatchingRunLogger(store: client, runID: run.info.runID)
/// for step in 0..<epochs {
///     try await logger.log(metric: "loss", value: loss, step: Int64(step))
/// }
/// try await logger.finish(status: .finished)
/// ```
public final class BatchingRunLogger: Sendable {
    typealias Entry = RunLogBuffer.Entry

    private let buffer: RunLogBuffer

    /// The run this logger writes to.
    public var runID: String { buffer.runID }
    /// The settings in force (batch size capped at MLflow's limit).
    public var configuration: Configuration { buffer.configuration }

    /// Creates a logger for the run `runID` and starts its background sender.
    public init(store: any TrackingStore, runID: String, configuration: Configuration = Configuration()) {
        buffer = RunLogBuffer(store: store, runID: runID, configuration: configuration)
    }

    /// A logger released without ``finish(status:)`` still sends what it buffered, in the background.
    deinit {
        buffer.close()
    }

    /// Logs one value of metric `key`. Returns at once unless the buffer is full.
    ///
    /// - Parameter timestamp: When the value was measured; now by default.
    public func log(metric key: String, value: Double, step: Int64 = 0, timestamp: Date = Date()) async throws {
        try await buffer.log(metric: key, value: value, step: step, timestamp: timestamp)
    }

    /// Logs several metric values measured together at one step.
    public func log(metrics: [String: Double], step: Int64 = 0, timestamp: Date = Date()) async throws {
        try await buffer.log(metrics: metrics, step: step, timestamp: timestamp)
    }

    /// Logs a parameter. Parameters cannot change once logged; the server rejects a different value.
    public func log(param key: String, value: String) async throws {
        try await buffer.log(param: key, value: value)
    }

    /// Sets a tag on the run.
    public func set(tag key: String, value: String) async throws {
        try await buffer.set(tag: key, value: value)
    }

    /// Waits until every entry logged before this call is stored on the server.
    public func flush() async throws {
        try await buffer.flush()
    }

    /// Flushes, stops the background sender and, when `status` is given, marks the run terminated with
    /// that status and the current time.
    public func finish(status: RunStatus? = nil) async throws {
        try await buffer.finish(status: status)
    }

    /// Counts of what was sent so far: entries stored and `log-batch` requests made.
    public var statistics: (entriesStored: Int, requests: Int) { buffer.statistics }

    static func takeBatch(from entries: ArraySlice<Entry>, limit: Int) -> [Entry] {
        RunLogBuffer.takeBatch(from: entries, limit: limit)
    }
}

/// Misuse of a ``BatchingRunLogger``.
public enum BatchingRunLoggerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something was logged after ``BatchingRunLogger/finish(status:)``.
    case finished(runID: String)

    public var description: String {
        switch self {
        case .finished(let runID): "the run logger for run \(runID) has finished; nothing more can be logged"
        }
    }
}
