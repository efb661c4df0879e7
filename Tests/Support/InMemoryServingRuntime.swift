import Foundation
import MLOpsKit
import Synchronization

/// A ``ServingRuntime`` held in memory, for deterministic tests of the reconciler: no processes, no
/// ports, no real time.
///
/// It keeps the runtime contract (the one the `ServingRuntime` conformance suite states): `create`
/// does not start, starting a running instance succeeds, stopping a stopped one succeeds, `remove`
/// stops first, names are unique (``ServingRuntimeError/nameConflict(_:)``), unknown IDs throw
/// ``ServingRuntimeError/instanceNotFound(_:)``, and instances carry ``ServingLabels`` from their
/// spec exactly as the process runtime writes them. Endpoints are fake loopback URLs
/// (`http://127.0.0.1:<port>`, a port unique to the instance) that ``InMemoryServingTransport``
/// answers for.
///
/// What a model server does is scripted per version (``Behaviour``): it becomes ready, never becomes
/// ready, exits as soon as it starts; and a test can make a running instance crash with
/// ``crash(_:exitCode:)``. ``failListing(with:)`` makes ``instances(matching:)`` throw (a runtime
/// outage). Every create, start, stop, remove and rename is recorded with the clock's instant
/// (``calls``), so tests can assert order and timing.
public actor InMemoryServingRuntime: ServingRuntime {
    /// What the model server of a version does once started.
    public enum Behaviour: Sendable, Hashable {
        /// It runs and answers `GET /ping` and `POST /invocations` with 200.
        case becomesReady
        /// It runs but never answers 200 (503 from `/ping`).
        case neverReady
        /// It exits (with `exitCode`) as soon as it has started.
        case exitsAtStart(exitCode: Int32)
    }

    /// One recorded operation.
    public struct Call: Sendable, Hashable, CustomStringConvertible {
        public enum Operation: String, Sendable, Hashable {
            case create, start, stop, remove, rename
        }

        public var operation: Operation
        public var instanceID: String
        /// The instance's name after the operation.
        public var name: String
        /// The version the instance serves.
        public var version: String?
        /// When it happened, on the runtime's clock.
        public var at: ServingClock.Instant

        public var description: String { "\(operation.rawValue) \(name) v\(version ?? "?") at \(at)" }
    }

    private struct Record {
        var instance: ServingInstance
        var behaviour: Behaviour
        var log: [String] = []
    }

    public nonisolated let name = "in-memory"
    private let clock: ServingClock
    private var records: [String: Record] = [:]
    private var order: [String] = []
    private var nextID = 1
    private var nextPort = 20_000
    private var behaviours: [String: Behaviour] = [:]
    private var defaultBehaviour: Behaviour = .becomesReady
    private var listingFailure: (any Error)?
    private nonisolated let hub = EventHub()
    public private(set) var calls: [Call] = []
    /// How many times ``instances(matching:)`` was asked (failed calls included).
    public private(set) var listingCount = 0

    /// - Parameter clock: stamps the recorded calls and the instances' start times; the reconciler's.
    public init(clock: ServingClock = .system) {
        self.clock = clock
    }

    // MARK: Scripting

    /// What instances of `version` (created from now on, or started again) do.
    public func setBehaviour(_ behaviour: Behaviour, forVersion version: String) {
        behaviours[version] = behaviour
    }

    /// What instances of versions without a behaviour of their own do (``Behaviour/becomesReady``).
    public func setDefaultBehaviour(_ behaviour: Behaviour) {
        defaultBehaviour = behaviour
    }

    /// Makes every ``instances(matching:)`` throw `error` until called with `nil`.
    public func failListing(with error: (any Error)?) {
        listingFailure = error
    }

    /// The running instance's model server crashes: it exits with `exitCode` and an `.exited` event is
    /// delivered.
    public func crash(_ id: String, exitCode: Int32 = 137) throws {
        guard var record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        guard record.instance.state.isRunning else { return }
        record.instance.state = .exited(exitCode: exitCode)
        record.instance.processID = nil
        record.log.append("crashed with code \(exitCode)")
        records[id] = record
        emit(.exited(exitCode: exitCode), for: record.instance)
    }

    /// Forgets the recorded calls (after a test's setup).
    public func clearCalls() {
        calls.removeAll()
    }

    /// Every instance, in creation order.
    public func allInstances() -> [ServingInstance] {
        order.compactMap { records[$0]?.instance }
    }

    /// The recorded calls of one operation.
    public func calls(_ operation: Call.Operation) -> [Call] {
        calls.filter { $0.operation == operation }
    }

    /// What an HTTP request to `path` (`ping` or `invocations`) at `endpoint` gets: 200 from a running
    /// instance whose version becomes ready, 503 from one that never does, and `nil` (nothing listens)
    /// when no running instance has that endpoint.
    public func answer(endpoint: URL, path: String) -> Int? {
        guard let port = endpoint.port,
            let record = records.values.first(where: { $0.instance.port == port && $0.instance.state.isRunning })
        else { return nil }
        switch record.behaviour {
        case .becomesReady: return 200
        case .neverReady: return 503
        case .exitsAtStart: return nil
        }
    }

    // MARK: ServingRuntime

    public func instances(matching labels: [String: String]) throws -> [ServingInstance] {
        listingCount += 1
        if let listingFailure { throw listingFailure }
        return order.compactMap { records[$0]?.instance }.filter { instance in
            labels.allSatisfy { instance.labels[$0.key] == $0.value }
        }
    }

    public func inspect(_ id: String) throws -> ServingInstance {
        guard let record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        return record.instance
    }

    public func create(_ spec: ServingSpec) throws -> ServingInstance {
        guard !spec.name.isEmpty else { throw ServingRuntimeError.invalidSpec("the instance name is empty") }
        if records.values.contains(where: { $0.instance.name == spec.name }) {
            throw ServingRuntimeError.nameConflict(spec.name)
        }
        let id = String(format: "mem%013d", nextID)
        nextID += 1
        let port = nextPort
        nextPort += 1
        let labels = ServingLabels.labels(for: spec, port: port)
        let instance = ServingInstance(
            id: id, name: spec.name, labels: labels, state: .created, endpoint: URL(string: "http://127.0.0.1:\(port)"))
        records[id] = Record(instance: instance, behaviour: behaviours[spec.version] ?? defaultBehaviour)
        order.append(id)
        record(.create, instance)
        return instance
    }

    public func start(_ id: String) throws {
        guard var record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        if record.instance.state.isRunning { return }
        record.behaviour = behaviours[record.instance.version ?? ""] ?? defaultBehaviour
        record.instance.state = .running
        record.instance.processID = Int32(truncatingIfNeeded: 10_000 + nextID)
        nextID += 1
        record.instance.startedAt = clock.wallTime()
        record.log.append("serving \(record.instance.labels[ServingLabels.model] ?? "?") v\(record.instance.version ?? "?")")
        records[id] = record
        self.record(.start, record.instance)
        emit(.started, for: record.instance)
        if case .exitsAtStart(let code) = record.behaviour {
            try crash(id, exitCode: code)
        }
    }

    public func stop(_ id: String, grace: Duration) throws {
        guard var record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        self.record(.stop, record.instance)
        guard record.instance.state.isRunning else { return }
        record.instance.state = .exited(exitCode: 0)
        record.instance.processID = nil
        record.log.append("stopped")
        records[id] = record
        emit(.exited(exitCode: 0), for: record.instance)
    }

    public func remove(_ id: String) throws {
        guard let record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        if record.instance.state.isRunning { try stop(id, grace: .seconds(1)) }
        records[id] = nil
        order.removeAll { $0 == id }
        self.record(.remove, record.instance)
        emit(.removed, for: record.instance)
    }

    public func rename(_ id: String, to name: String) throws {
        guard var record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        if record.instance.name == name { return }
        if records.values.contains(where: { $0.instance.name == name }) { throw ServingRuntimeError.nameConflict(name) }
        record.instance.name = name
        records[id] = record
        self.record(.rename, record.instance)
    }

    public func logs(_ id: String, tail: Int?) throws -> String {
        guard let record = records[id] else { throw ServingRuntimeError.instanceNotFound(id) }
        let lines = tail.map { Array(record.log.suffix($0)) } ?? record.log
        return lines.map { $0 + "\n" }.joined()
    }

    public nonisolated func events() -> AsyncThrowingStream<ServingRuntimeEvent, any Error> {
        hub.subscribe()
    }

    // MARK: Helpers

    /// How many event streams are open.
    public nonisolated var subscriberCount: Int { hub.subscriberCount }

    /// Returns once at least `count` event streams are open (at once if they are): a test waits for
    /// the reconciler to watch before it makes an instance crash. Resumed by the subscription itself.
    public nonisolated func waitForSubscribers(count: Int = 1) async {
        await hub.waitForSubscribers(count: count)
    }

    private func emit(_ kind: ServingRuntimeEvent.Kind, for instance: ServingInstance) {
        hub.emit(ServingRuntimeEvent(instanceID: instance.id, labels: instance.labels, kind: kind))
    }

    private func record(_ operation: Call.Operation, _ instance: ServingInstance) {
        calls.append(Call(operation: operation, instanceID: instance.id, name: instance.name, version: instance.version, at: clock.now))
    }
}

/// The runtime's event subscribers, registered synchronously so that nothing emitted after
/// `events()` returns is missed.
private final class EventHub: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncThrowingStream<ServingRuntimeEvent, any Error>.Continuation] = [:]
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    func subscribe() -> AsyncThrowingStream<ServingRuntimeEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ServingRuntimeEvent.self, throwing: (any Error).self)
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            }
            let count = state.subscribers.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        for waiter in ready { waiter.resume() }
        return stream
    }

    func waitForSubscribers(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.subscribers.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func emit(_ event: ServingRuntimeEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for continuation in subscribers { continuation.yield(event) }
    }
}
