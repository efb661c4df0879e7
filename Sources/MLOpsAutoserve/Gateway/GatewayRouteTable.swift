import MLOpsCore
import MLOpsServing
import Synchronization

/// Which instance serves each key, for the gateway's data plane; the reconciler keeps it current
/// through ``TrafficControl``.
///
/// A request asks for a lease (``lease(for:)``): the target that serves the key now, with one more
/// request counted in flight on it, or why there is none. A retired instance is closed only after the
/// table stopped routing to it, and ``drain(_:until:clock:)`` returns once its last lease is given
/// back, so a switch loses no request: requests in flight finish on the old instance, new ones go to
/// the new one.
public final class GatewayRouteTable: TrafficControl {
    /// What a request for a key gets.
    public enum Lease: Sendable {
        /// Send it to this target, and ``UpstreamTarget/release()`` when its answer is passed on.
        case target(UpstreamTarget)
        /// Nothing serves the key now: answer 503 with `Retry-After`.
        case unavailable(retryAfter: Duration)
        /// The key is not served by this agent: answer 404.
        case unknown
    }

    private enum Route: Sendable {
        case serving(UpstreamTarget)
        case unavailable(retryAfter: Duration)
    }

    private struct State: Sendable {
        var routes: [ServingKey: Route] = [:]
        /// Every target not yet drained, by instance ID: routed ones and retiring ones.
        var targets: [String: UpstreamTarget] = [:]
        /// The stable names of the routed keys, for routing by `Host`; rebuilt when a key comes or goes.
        var names = StableNameIndex(keys: [])

        mutating func setRoute(_ route: Route, for key: ServingKey) {
            let isNew = routes.updateValue(route, forKey: key) == nil
            if isNew { names = StableNameIndex(keys: routes.keys) }
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// A lease on the target serving `key` now. A target closed between reading the route and taking
    /// the lease is skipped: the route has moved on, so it is read again.
    public func lease(for key: ServingKey) -> Lease {
        while true {
            let route = state.withLock { $0.routes[key] }
            switch route {
            case nil:
                return .unknown
            case .unavailable(let retryAfter):
                return .unavailable(retryAfter: retryAfter)
            case .serving(let target):
                if target.tryAcquire() { return .target(target) }
                // Closed: the table no longer routes to it (retirement closes only unrouted targets).
                if state.withLock({ $0.routes[key].map { if case .serving(let now) = $0 { now === target } else { false } } ?? false }) {
                    return .unavailable(retryAfter: .seconds(1))
                }
            }
        }
    }

    /// Where a request goes: ``GatewayRequestTarget/parse(method:uri:host:names:)`` with the stable
    /// names of the keys known now.
    public func target(method: String, uri: String, host: String?) -> GatewayRequestTarget {
        let names = state.withLock { $0.names }
        return GatewayRequestTarget.parse(method: method, uri: uri, host: host, names: names)
    }

    /// The keys routed now, with the version serving each (`nil` while unavailable).
    public func routedKeys() -> [ServingKey: String?] {
        state.withLock { state in
            state.routes.mapValues { route in
                if case .serving(let target) = route { target.version } else { nil }
            }
        }
    }

    /// The target for the instance `id`, while the table holds it (routed, or retiring and not drained).
    public func target(instanceID id: String) -> UpstreamTarget? {
        state.withLock { $0.targets[id] }
    }

    // MARK: TrafficControl

    public func serve(_ key: ServingKey, instance: ServingInstance) {
        guard let endpoint = instance.endpoint else {
            unavailable(key, retryAfter: .seconds(5))
            return
        }
        state.withLock { state in
            let existing = state.targets[instance.id]
            let target: UpstreamTarget
            if let existing, !existing.isClosed, existing.endpoint == endpoint, existing.key == key {
                target = existing
            } else {
                target = UpstreamTarget(key: key, instanceID: instance.id, version: instance.version ?? "", endpoint: endpoint)
                state.targets[instance.id] = target
            }
            state.setRoute(.serving(target), for: key)
        }
    }

    public func unavailable(_ key: ServingKey, retryAfter: Duration) {
        state.withLock { $0.setRoute(.unavailable(retryAfter: max(retryAfter, .seconds(1))), for: key) }
    }

    public func remove(_ key: ServingKey) {
        state.withLock { state in
            guard state.routes.removeValue(forKey: key) != nil else { return }
            state.names = StableNameIndex(keys: state.routes.keys)
        }
    }

    public func verify(
        _ key: ServingKey, instance: ServingInstance, previous: ServingInstance, policy: VerificationPolicy,
        clock: ServingClock
    ) async -> VerificationOutcome {
        guard policy.isEnabled,
            let (new, old) = state.withLock({ state -> (UpstreamTarget, UpstreamTarget)? in
                guard let new = state.targets[instance.id], let old = state.targets[previous.id], !old.isClosed else { return nil }
                return (new, old)
            })
        else { return .passed(answers: 0) }
        let window = VerificationWindow(policy: policy) { [weak self] in self?.rollBack(key, from: new, to: old) }
        new.watch(window)
        defer { new.watch(nil) }
        let deadline = clock.now + policy.duration
        return await withTaskGroup(of: VerificationOutcome?.self) { group in
            group.addTask { await window.decided() }
            group.addTask {
                do {
                    try await clock.sleep(until: deadline)
                    window.close()
                } catch {
                    window.close(cancelled: true)
                }
                return nil
            }
            var outcome: VerificationOutcome = .cancelled
            while let next = await group.next() {
                if let next {
                    outcome = next
                    group.cancelAll()
                }
            }
            return outcome
        }
    }

    /// Routes `key` back from `new` to `old` while `new` still serves it; in the event loop that
    /// counted the deciding answer, so within microseconds of it.
    private func rollBack(_ key: ServingKey, from new: UpstreamTarget, to old: UpstreamTarget) {
        new.markRolledBack()
        state.withLock { state in
            guard case .serving(let current) = state.routes[key], current === new else { return }
            state.routes[key] = .serving(old)
        }
    }

    public func drain(_ instanceIDs: [String], until deadline: ServingClock.Instant, clock: ServingClock) async -> DrainOutcome {
        // Stop routing to them first, then close them: see ``UpstreamTarget``.
        let draining = state.withLock { state -> [UpstreamTarget] in
            let ids = Set(instanceIDs)
            for (key, route) in state.routes {
                if case .serving(let target) = route, ids.contains(target.instanceID) {
                    state.routes[key] = .unavailable(retryAfter: .seconds(1))
                }
            }
            return instanceIDs.compactMap { state.targets[$0] }
        }
        for target in draining { target.close() }
        defer {
            state.withLock { state in
                for target in draining where state.targets[target.instanceID] === target {
                    state.targets[target.instanceID] = nil
                }
            }
        }
        let outcome = await withTaskGroup(of: DrainOutcome?.self) { group in
            group.addTask {
                for target in draining { await target.waitUntilIdle() }
                return Task.isCancelled ? nil : .drained
            }
            group.addTask {
                do {
                    try await clock.sleep(until: deadline)
                } catch {
                    return nil
                }
                return .deadlinePassed(requestsInFlight: draining.reduce(0) { $0 + $1.requestsInFlight })
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return outcome ?? .cancelled
    }
}
