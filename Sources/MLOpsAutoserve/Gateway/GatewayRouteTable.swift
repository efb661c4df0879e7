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
        /// Canary splits and shadows, by the alias requests ask for.
        var canaries: [String: CanaryRule] = [:]
        var shadows: [String: ShadowRule] = [:]
        /// The canary splits in effect when last published.
        var published: Set<ActiveCanary> = []

        /// The canary splits in effect: rules whose two aliases are both served for a model.
        var activeCanaries: Set<ActiveCanary> {
            guard !canaries.isEmpty else { return [] }
            var active: Set<ActiveCanary> = []
            for (key, route) in routes {
                guard case .serving = route, let rule = canaries[key.alias],
                    case .serving = routes[ServingKey(model: key.model, alias: rule.canary)]
                else { continue }
                active.insert(ActiveCanary(model: key.model, rule: rule))
            }
            return active
        }

        mutating func setRoute(_ route: Route, for key: ServingKey) {
            let isNew = routes.updateValue(route, forKey: key) == nil
            if isNew { names = StableNameIndex(keys: routes.keys) }
        }
    }

    private let state = Mutex(State())
    /// Whether any canary or shadow rule is set: without one, a request takes no second lock.
    private let hasCanaries = Atomic<Bool>(false)
    private let hasShadows = Atomic<Bool>(false)

    private let onCanaries: (@Sendable (Set<ActiveCanary>) -> Void)?
    private let onRetired: (@Sendable (UpstreamTarget) -> Void)?

    /// A table with nothing routed, with canary splits and shadows (see ``setCanaries(_:)`` and
    /// ``setShadows(_:)``).
    ///
    /// - Parameter onCanaries: called with the canary splits in effect each time they change (a model
    ///   gets or loses one of a rule's aliases, or the rules change), in order, with the table's lock
    ///   held: it must not call the table. ``GatewayMetrics/publishCanaries(_:)`` fits.
    /// - Parameter onRetired: called with each target a drain ended (its instance is about to be
    ///   stopped), for its metrics to be forgotten a while later.
    public init(
        canaries: [CanaryRule] = [], shadows: [ShadowRule] = [], onCanaries: (@Sendable (Set<ActiveCanary>) -> Void)? = nil,
        onRetired: (@Sendable (UpstreamTarget) -> Void)? = nil
    ) {
        self.onCanaries = onCanaries
        self.onRetired = onRetired
        setCanaries(canaries)
        setShadows(shadows)
    }

    /// Runs `change` under the lock, then publishes the canary splits in effect if they changed.
    private func update<T>(_ change: (inout State) -> T) -> T {
        state.withLock { state in
            let result = change(&state)
            if let onCanaries {
                let active = state.activeCanaries
                if active != state.published {
                    state.published = active
                    onCanaries(active)
                }
            }
            return result
        }
    }

    /// Sets the canary splits: a share of the requests for a rule's primary alias goes to its canary
    /// alias of the same model, while both are served (``lease(for:draw:)``). One rule per primary alias;
    /// a later one wins.
    public func setCanaries(_ rules: [CanaryRule]) {
        let byAlias = Dictionary(rules.map { ($0.primary, $0) }) { _, last in last }
        update { $0.canaries = byAlias }
        hasCanaries.store(!byAlias.isEmpty, ordering: .releasing)
    }

    /// The canary splits set now.
    public var canaries: [CanaryRule] {
        state.withLock { $0.canaries.values.sorted { $0.primary < $1.primary } }
    }

    /// Sets the shadows: a copy of each request for a rule's primary alias goes to its shadow alias of
    /// the same model (``shadowLease(for:)``). One rule per primary alias; a later one wins.
    public func setShadows(_ rules: [ShadowRule]) {
        let byAlias = Dictionary(rules.map { ($0.primary, $0) }) { _, last in last }
        state.withLock { $0.shadows = byAlias }
        hasShadows.store(!byAlias.isEmpty, ordering: .releasing)
    }

    /// The shadows set now.
    public var shadows: [ShadowRule] {
        state.withLock { $0.shadows.values.sorted { $0.primary < $1.primary } }
    }

    /// A lease for a request for `key`, split by the canary rule of its alias: when the rule's canary
    /// alias of the same model is served too and `draw % 10,000` is below the rule's basis points, a
    /// lease on the canary's target; otherwise (and whenever the canary has no serving instance) a
    /// lease as ``lease(for:)`` gives it.
    ///
    /// - Parameter draw: a uniformly random number, drawn once for the request.
    public func lease(for key: ServingKey, draw: UInt64) -> Lease {
        guard hasCanaries.load(ordering: .acquiring) else { return lease(for: key) }
        let canary = state.withLock { state -> ServingKey? in
            guard let rule = state.canaries[key.alias], draw % 10_000 < UInt64(rule.basisPoints) else { return nil }
            let canary = ServingKey(model: key.model, alias: rule.canary)
            guard case .serving = state.routes[canary], case .serving = state.routes[key] else { return nil }
            return canary
        }
        if let canary, case .target(let target) = lease(for: canary) { return .target(target) }
        return lease(for: key)
    }

    /// The alias copies of requests for `alias` go to, when a shadow rule names one.
    public func shadowAlias(for alias: String) -> String? {
        guard hasShadows.load(ordering: .acquiring) else { return nil }
        return state.withLock { $0.shadows[alias]?.shadow }
    }

    /// A lease on the target a copy of a request for `key` goes to, by the shadow rule of its alias;
    /// `nil` when there is no rule or the shadow alias of the same model has no serving instance.
    public func shadowLease(for key: ServingKey) -> UpstreamTarget? {
        guard hasShadows.load(ordering: .acquiring) else { return nil }
        let shadow = state.withLock { state -> ServingKey? in
            guard let rule = state.shadows[key.alias] else { return nil }
            let shadow = ServingKey(model: key.model, alias: rule.shadow)
            guard case .serving = state.routes[shadow] else { return nil }
            return shadow
        }
        guard let shadow, case .target(let target) = lease(for: shadow) else { return nil }
        return target
    }

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
        update { state in
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
        update { $0.setRoute(.unavailable(retryAfter: max(retryAfter, .seconds(1))), for: key) }
    }

    public func remove(_ key: ServingKey) {
        update { state in
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
        let draining = update { state -> [UpstreamTarget] in
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
            if let onRetired { for target in draining { onRetired(target) } }
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
