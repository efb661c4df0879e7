#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CCurl
internal import CCurlLoader
import Logging
import Synchronization

/// Runs every transfer of a ``CurlTransport`` on one dedicated thread through libcurl's multi
/// interface, so blocking libcurl calls never occupy Swift's cooperative thread pool, any number of
/// requests progress at once, and connections are shared between them.
///
/// Other threads talk to the engine only through its operation queue, followed by `curl_multi_wakeup`.
// `multi` is used from other threads only for `curl_multi_wakeup`, which libcurl documents as
// thread-safe; everything else about it stays on the engine thread.
final class CurlMultiEngine: @unchecked Sendable {
    private enum Operation {
        case start(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private struct Queue {
        var operations: [Operation] = []
        var isShuttingDown = false
    }

    private let queue = Mutex(Queue())
    private let multi: UnsafeMutableRawPointer
    private let loop: EngineLoop

    /// Starts an engine, or returns nil when libcurl cannot be loaded or initialised, or no thread can be
    /// started for it.
    init?(configuration: CurlTransport.Configuration, logger: Logger) {
        guard CurlGlobal.load() == nil, let handle = mlopskit_curl_multi_init() else { return nil }
        let multi = UnsafeMutableRawPointer(handle)
        _ = mlopskit_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maximumConnectionsPerHost)
        _ = mlopskit_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(8, configuration.maximumConnectionsPerHost * 4))
        self.multi = multi
        self.loop = EngineLoop(multi: multi, configuration: configuration, logger: logger)
        // The thread keeps the engine alive until ``shutdown()`` lets its loop end.
        let started = EngineThread.start(name: "mlopskit-curl") { [self] in
            loop.run { takeOperations() }
        }
        guard started else {
            mlopskit_curl_multi_cleanup(multi)
            return nil
        }
    }

    /// Ends the engine thread once the transfers in flight have finished.
    func shutdown() {
        queue.withLock { $0.isShuttingDown = true }
        _ = mlopskit_curl_multi_wakeup(multi)
    }

    /// Sends `request` and waits for its response. Cancelling the calling task aborts the transfer.
    func perform(_ request: TransportRequest) async throws -> TransportResponse {
        let transfer = CurlTransfer(request: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                enqueue(.start(transfer))
            }
        } onCancel: {
            if transfer.markCancelled() { enqueue(.cancel(transfer)) }
        }
    }

    /// Sends `request` and returns once the response head has arrived; the body follows as a stream.
    /// Cancelling the calling task before the head arrives, or ending the body stream early, aborts the
    /// transfer. `owner` is kept alive as long as the body stream is, so the engine cannot shut down
    /// under a stream that is still read.
    func stream(_ request: TransportRequest, owner: some AnyObject & Sendable) async throws -> TransportStreamingResponse {
        let transfer = CurlTransfer(request: request, streaming: true)
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        bodyContinuation.onTermination = { [self] termination in
            withExtendedLifetime(owner) {
                if case .cancelled = termination, transfer.markCancelled() { enqueue(.cancel(transfer)) }
            }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(CurlStreamSink(head: continuation, body: body, bodyContinuation: bodyContinuation))
                enqueue(.start(transfer))
            }
        } onCancel: {
            if transfer.markCancelled() { enqueue(.cancel(transfer)) }
        }
    }

    private func takeOperations() -> ([Operation], Bool) {
        queue.withLock { state in
            defer { state.operations.removeAll(keepingCapacity: true) }
            return (state.operations, state.isShuttingDown)
        }
    }

    private func enqueue(_ operation: Operation) {
        queue.withLock { $0.operations.append(operation) }
        _ = mlopskit_curl_multi_wakeup(multi)
    }

    /// The state only the engine thread touches.
    private final class EngineLoop: @unchecked Sendable {  // Confined to the engine thread after start.
        let multi: UnsafeMutableRawPointer
        let configuration: CurlTransport.Configuration
        let logger: Logger
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var reuse: ConnectionReuseTracker

        init(multi: UnsafeMutableRawPointer, configuration: CurlTransport.Configuration, logger: Logger) {
            self.multi = multi
            self.configuration = configuration
            self.logger = logger
            self.reuse = ConnectionReuseTracker(policy: configuration.connectionReuse)
        }

        func run(takeOperations: () -> ([Operation], Bool)) {
            while true {
                let (operations, isShuttingDown) = takeOperations()
                for operation in operations {
                    switch operation {
                    case .start(let transfer): start(transfer)
                    case .cancel(let transfer): cancel(transfer)
                    }
                }
                if isShuttingDown && active.isEmpty { break }
                var running: Int32 = 0
                _ = mlopskit_curl_multi_perform(multi, &running)
                collectFinished()
                var descriptors: Int32 = 0
                _ = mlopskit_curl_multi_poll(multi, nil, 0, 1000, &descriptors)
            }
            mlopskit_curl_multi_cleanup(multi)
        }

        private func start(_ transfer: CurlTransfer) {
            if transfer.isCancelled {
                transfer.finish(.failure(CancellationError()))
                return
            }
            do {
                try transfer.prepare(configuration: configuration, reuseConnections: reuse.mayReuse(transfer.origin))
            } catch {
                transfer.finish(.failure(error))
                return
            }
            guard let handle = transfer.handle else { return }
            let added = mlopskit_curl_multi_add_handle(multi, UnsafeMutableRawPointer(handle))
            guard added == CURLM_OK else {
                transfer.finish(.failure(transfer.failure(.other, String(cString: mlopskit_curl_multi_strerror(added)))))
                return
            }
            active[handle] = transfer
        }

        private func cancel(_ transfer: CurlTransfer) {
            guard let handle = transfer.handle, active.removeValue(forKey: handle) != nil else { return }
            mlopskit_curl_multi_remove_handle(multi, UnsafeMutableRawPointer(handle))
            logger.debug("request cancelled", metadata: ["method": "\(transfer.request.method)", "url": "\(transfer.redactedURL)"])
            transfer.finish(.failure(CancellationError()))
        }

        private func collectFinished() {
            var remaining: Int32 = 0
            while let message = mlopskit_curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let code = mlopskit_multi_message_result(message)
                let key = handle
                guard let transfer = active.removeValue(forKey: key) else {
                    mlopskit_curl_multi_remove_handle(multi, handle)
                    continue
                }
                let result = transfer.complete(code: code)
                if !transfer.isStreaming { observe(transfer, result: result) }
                mlopskit_curl_multi_remove_handle(multi, handle)
                transfer.finish(result)
            }
        }

        /// Feeds the adaptive reuse policy and writes the debug log line of a finished request.
        private func observe(_ transfer: CurlTransfer, result: Result<TransportResponse, any Error>) {
            guard let timing = transfer.timing() else { return }
            let switched = reuse.record(
                origin: transfer.origin, reusedConnection: timing.reusedConnection, firstByte: timing.firstByte,
                total: timing.total, bytes: timing.downloadedBytes)
            if switched {
                logger.debug(
                    "server stalls on reused connections; using fresh connections",
                    metadata: ["origin": "\(transfer.origin)"])
            }
            guard logger.logLevel <= .debug else { return }
            var metadata: Logger.Metadata = [
                "method": "\(transfer.request.method)",
                "url": "\(transfer.redactedURL)",
                "ms": "\(Int(timing.total * 1000))",
                "connection": "\(timing.reusedConnection ? "reused" : "new")",
            ]
            switch result {
            case .success(let response): metadata["status"] = "\(response.status)"
            case .failure(let error): metadata["error"] = "\(error)"
            }
            logger.debug("http request", metadata: metadata)
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
