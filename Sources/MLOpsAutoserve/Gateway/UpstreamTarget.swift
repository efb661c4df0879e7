#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MLOpsCore
import MLOpsServing
import Synchronization

/// One serving instance as the gateway sends requests to it, with the count of requests in flight.
///
/// A request holds a lease from the moment it is routed until its answer has been passed on
/// (``tryAcquire()`` … ``release()``). Retiring the instance first stops routing to it, then closes
/// it (``close()``): a request that read the old route either took its lease before the close, and
/// the drain waits for it, or sees the target closed and is routed again, to the new instance. The
/// hot path takes no lock: two sequentially consistent atomics.
public final class UpstreamTarget: Sendable {
    public let key: ServingKey
    public let instanceID: String
    /// The version the instance serves.
    public let version: String
    /// Where the model server listens.
    public let endpoint: URL
    /// The host of ``endpoint`` (without brackets for IPv6) and its port (80 when it names none).
    public let host: String
    public let port: Int
    /// `host:port` of ``endpoint``, as a `Host` header names it.
    public let authority: String

    private let inFlight = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let idleWaiters = Mutex<IdleWaiters>(IdleWaiters())

    private struct IdleWaiters: Sendable {
        var nextID = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledBeforeWaiting: Set<Int> = []
    }

    public init(key: ServingKey, instanceID: String, version: String, endpoint: URL) {
        self.key = key
        self.instanceID = instanceID
        self.version = version
        self.endpoint = endpoint
        var host = endpoint.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = endpoint.port ?? 80
        let shownHost = host.contains(":") ? "[\(host)]" : host
        self.authority = endpoint.port.map { "\(shownHost):\($0)" } ?? shownHost
    }

    /// Takes a lease for one request; `false` when the target is closed (route the request again).
    public func tryAcquire() -> Bool {
        inFlight.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if closed.load(ordering: .sequentiallyConsistent) {
            release()
            return false
        }
        return true
    }

    /// Gives back a lease taken with ``tryAcquire()``: the request's answer has been passed on (or it failed).
    public func release() {
        let left = inFlight.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue
        if left == 0, closed.load(ordering: .sequentiallyConsistent) { resumeIdleWaiters() }
    }

    /// Requests in flight now.
    public var requestsInFlight: Int { inFlight.load(ordering: .sequentiallyConsistent) }

    /// Whether the target takes no more requests.
    public var isClosed: Bool { closed.load(ordering: .sequentiallyConsistent) }

    /// Takes no more requests from now on.
    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        if inFlight.load(ordering: .sequentiallyConsistent) == 0 { resumeIdleWaiters() }
    }

    private var isIdle: Bool {
        closed.load(ordering: .sequentiallyConsistent) && inFlight.load(ordering: .sequentiallyConsistent) == 0
    }

    /// Returns once the target is closed and no request is in flight, or when the task is cancelled.
    func waitUntilIdle() async {
        let id = idleWaiters.withLock { waiters in
            defer { waiters.nextID += 1 }
            return waiters.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = idleWaiters.withLock { waiters in
                    if waiters.cancelledBeforeWaiting.remove(id) != nil || isIdle { return true }
                    waiters.waiting[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = idleWaiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
                if let continuation = waiters.waiting.removeValue(forKey: id) { return continuation }
                waiters.cancelledBeforeWaiting.insert(id)
                return nil
            }
            continuation?.resume()
        }
    }

    private func resumeIdleWaiters() {
        let continuations = idleWaiters.withLock { waiters in
            defer { waiters.waiting.removeAll() }
            return Array(waiters.waiting.values)
        }
        for continuation in continuations { continuation.resume() }
    }
}
