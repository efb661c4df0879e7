import MLOpsCore
import MLOpsMLflow
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization

/// Keeps one serving instance per (model, alias) running the version the alias points to.
///
/// Level-triggered and idempotent: every resync reads the whole desired state from the registry (two
/// paginated requests, see ``RegistrySnapshotReader``) and the whole actual state from the runtime (by
/// labels), and acts on the difference. Webhook deliveries (``enqueue(_:)``) and runtime events (a
/// crash) only make the next resync come sooner; repeated triggers coalesce into one.
///
/// What it does for each key:
/// - **create** an instance when none serves the key;
/// - **replace** make-before-break when the alias moves (or the agent's configuration changes): the new
///   instance starts beside the old one, and only once it is ready (``ServingReadinessChecker``) is the
///   old one drained and removed. A new version that never becomes ready is removed and the old one keeps
///   serving; the key is reported `Degraded` with the reason, and the version is retried with back-off;
/// - **restart** a crashed instance with ``RestartBackoff`` (10 s doubling to 5 min by default);
/// - **adopt** a matching instance it finds running (after an agent restart) without touching it;
/// - **remove** instances whose alias is gone (``AutoserveConfiguration/removesInstancesWhenAliasIsGone``).
///
/// When the registry or the runtime cannot be read, nothing is changed: every instance keeps running and
/// the keys are reported `Degraded` with the reason until the next successful resync.
public actor AliasReconciler {
    public let registry: any ModelRegistry
    public let runtime: any ServingRuntime
    public let configuration: AutoserveConfiguration
    private let readiness: ServingReadinessChecker
    private let inputExamples: (any InputExampleSource)?
    private let observer: any AutoserveObserver
    private let logger: Logger
    private let clock = ContinuousClock()
    private let planner: ServingPlanner
    private let reader: RegistrySnapshotReader

    private var keys: [ServingKey: KeyState] = [:]
    private var tasks: [ServingKey: Task<Void, Never>] = [:]
    private var snapshot: RegistrySnapshot?
    private var lastSuccessfulSync: Date?
    private var lastSyncError: String?
    private var wakeUps: [Task<Void, Never>] = []

    private nonisolated let triggers: AsyncStream<Void>
    private nonisolated let triggerContinuation: AsyncStream<Void>.Continuation
    private nonisolated let pendingKeys = Mutex<[ServingKey: ContinuousClock.Instant]>([:])

    /// - Parameters:
    ///   - readiness: decides when a new instance may take traffic.
    ///   - inputExamples: where models' input examples come from, for the smoke invocation; `nil` sends none.
    ///   - observer: receives metrics-worthy events.
    public init(
        registry: any ModelRegistry,
        runtime: any ServingRuntime,
        configuration: AutoserveConfiguration,
        readiness: ServingReadinessChecker,
        inputExamples: (any InputExampleSource)? = nil,
        observer: any AutoserveObserver = NoAutoserveObserver(),
        logger: Logger = Logger(label: "mlopskit.autoserve")
    ) {
        self.registry = registry
        self.runtime = runtime
        self.configuration = configuration
        self.readiness = readiness
        self.inputExamples = inputExamples
        self.observer = observer
        self.logger = logger
        self.planner = ServingPlanner(
            configHash: configuration.configHash,
            removesInstancesWhenAliasIsGone: configuration.removesInstancesWhenAliasIsGone)
        self.reader = RegistrySnapshotReader(
            registry: registry, modelPageSize: configuration.registryPageSize, filter: configuration.modelFilter)
        (triggers, triggerContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Public surface

    /// Asks for a reconcile of `key` soon, as a webhook delivery does. The key's version in the event is
    /// not trusted: the resync reads the registry again. Repeated calls coalesce.
    public nonisolated func enqueue(_ key: ServingKey) {
        let now = ContinuousClock.now
        pendingKeys.withLock { pending in
            if pending[key] == nil { pending[key] = now }
        }
        triggerContinuation.yield(())
    }

    /// The status of every key, sorted by model and alias.
    public func statuses() -> [ServingStatus] {
        keys.keys.sorted().compactMap { keys[$0]?.status }
    }

    /// The registry as the last successful resync read it.
    public func lastSnapshot() -> RegistrySnapshot? { snapshot }

    /// When the registry and runtime were last read successfully.
    public func lastSuccessfulSyncDate() -> Date? { lastSuccessfulSync }

    /// Why the last resync failed, or `nil` when it succeeded.
    public func lastSyncFailure() -> String? { lastSyncError }

    /// One resync, then waits for the rollouts, restarts and checks it started, and returns the
    /// statuses: what `autoserve-agent --once` reports.
    public func reconcileOnce() async -> [ServingStatus] {
        for _ in 0..<2 {
            await resync()
            await waitForTasks()
        }
        return statuses()
    }

    /// What a resync would do now, changing nothing: `autoserve-agent --dry-run`.
    public func plan() async throws -> [AutoserveDecision] {
        let snapshot = try await reader.read()
        let instances = try await runtime.instances(matching: ServingLabels.selector)
        let desired = snapshot.desiredServing(aliases: configuration.aliases)
        let grouped = managedInstances(instances, snapshot: snapshot)
        var decisions: [AutoserveDecision] = []
        for key in Set(desired.versions.keys).union(desired.waiting.keys).union(grouped.keys).sorted() {
            let steps = planner.steps(
                for: key, desiredVersion: desired.versions[key], waiting: desired.waiting[key],
                instances: grouped[key] ?? [], context: context(for: key))
            decisions += steps.map { decision(for: $0, key: key) }
        }
        return decisions
    }

    /// Reconciles until the task is cancelled: a resync at once, then every
    /// ``AutoserveConfiguration/resyncInterval``, after each enqueued key, and after each runtime event.
    /// Cancelling stops reconciling and leaves every serving instance running; a rollout under way is
    /// abandoned (its new instance removed, the old one kept), to be redone by the next run.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            let interval = configuration.resyncInterval
            let continuation = triggerContinuation
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield(())
                }
            }
            group.addTask { await self.watchRuntimeEvents() }
            triggerContinuation.yield(())
            for await _ in triggers {
                if Task.isCancelled { break }
                await resync()
            }
            group.cancelAll()
        }
        for task in wakeUps { task.cancel() }
        wakeUps.removeAll()
        // A rollout cut short leaves the old instance serving; the next run picks it up again.
        for task in tasks.values { task.cancel() }
        await waitForTasks()
    }

    // MARK: Resync

    private func resync() async {
        let started = clock.now
        let snapshot: RegistrySnapshot
        do {
            snapshot = try await reader.read()
        } catch {
            fail(started: started, reason: "RegistryUnavailable", message: "cannot read the model registry: \(error)", error: error)
            return
        }
        self.snapshot = snapshot
        observer.registryRead(snapshot, duration: clock.now - started)
        let instances: [ServingInstance]
        do {
            instances = try await runtime.instances(matching: ServingLabels.selector)
        } catch {
            fail(
                started: started, reason: "RuntimeUnavailable",
                message: "cannot list instances in the \(runtime.name) runtime: \(error)", error: error)
            return
        }
        lastSuccessfulSync = Date()
        lastSyncError = nil

        let desired = snapshot.desiredServing(aliases: configuration.aliases)
        let grouped = managedInstances(instances, snapshot: snapshot)
        let pending = pendingKeys.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        let allKeys = Set(desired.versions.keys).union(desired.waiting.keys).union(grouped.keys).union(keys.keys)
        for key in allKeys.sorted() {
            let desiredVersion = desired.versions[key]
            if let desiredVersion {
                if keys[key] == nil { keys[key] = KeyState(key: key, policy: configuration.restartBackoff) }
                observeDesired(desiredVersion, key: key, at: pending[key] ?? started)
            }
            if tasks[key] != nil { continue }  // the task triggers a resync when it ends
            let steps = planner.steps(
                for: key, desiredVersion: desiredVersion, waiting: desired.waiting[key],
                instances: grouped[key] ?? [], context: context(for: key))
            if steps.isEmpty {
                keys[key] = nil  // nothing desired, nothing running
                continue
            }
            if keys[key] == nil { keys[key] = KeyState(key: key, policy: configuration.restartBackoff) }
            keys[key]?.desiredVersion = desiredVersion
            keys[key]?.status.desiredVersion = desiredVersion
            await apply(steps, key: key)
        }
        observer.statusesChanged(statuses())
        observer.reconcileFinished(duration: clock.now - started, error: nil)
    }

    /// The serving instances this reconciler manages, by key: those of a configured alias and, when a
    /// model filter is set, of a model the filtered registry read returned. Anything else on the same
    /// runtime (another agent's models or aliases, containers of other tools) is left alone.
    private func managedInstances(_ instances: [ServingInstance], snapshot: RegistrySnapshot) -> [ServingKey: [ServingInstance]] {
        let aliases = Set(configuration.aliases)
        let models = Set(snapshot.models.map(\.name))
        var grouped: [ServingKey: [ServingInstance]] = [:]
        for instance in instances {
            guard let key = instance.key, aliases.contains(key.alias) else { continue }
            if configuration.modelFilter != nil, !models.contains(key.model) { continue }
            grouped[key, default: []].append(instance)
        }
        return grouped
    }

    /// Notes when the alias's version changes, for burst protection and propagation times.
    private func observeDesired(_ version: String, key: ServingKey, at instant: ContinuousClock.Instant) {
        guard let state = keys[key] else { return }
        if state.observedDesiredVersion != version {
            // The first sight of a key is no change; a change after a quiet spell starts a new burst.
            let isChange = state.observedDesiredVersion != nil
            let previous = state.desiredChangedAt
            keys[key]?.inBurst = isChange && previous.map { instant - $0 < configuration.settleInterval } ?? false
            keys[key]?.observedDesiredVersion = version
            keys[key]?.desiredChangedAt = isChange ? instant : nil
        }
        if state.status.servingVersion != version, state.changeSeenAt == nil {
            keys[key]?.changeSeenAt = instant
        }
    }

    private func fail(started: ContinuousClock.Instant, reason: String, message: String, error: any Error) {
        lastSyncError = message
        logger.warning("resync failed; serving instances are left as they are", metadata: ["reason": "\(reason)", "error": "\(message)"])
        for key in keys.keys where tasks[key] == nil {
            setStatus(key, .degraded, reason: reason, message: message + "; serving instances are left as they are")
        }
        observer.statusesChanged(statuses())
        observer.reconcileFinished(duration: clock.now - started, error: error)
    }

    private func context(for key: ServingKey) -> ServingPlanner.KeyContext {
        guard let state = keys[key], let failed = state.failedVersion else { return ServingPlanner.KeyContext() }
        return ServingPlanner.KeyContext(
            failedVersion: failed, failedReason: state.failedReason, failedMessage: state.failedMessage,
            blockedUntilPassed: state.failedRetryAt.map { clock.now >= $0 } ?? true)
    }

    private func apply(_ steps: [ServingPlanner.Step], key: ServingKey) async {
        for step in steps {
            switch step {
            case .remove(let instance, let reason):
                record(decision(for: step, key: key))
                do {
                    try await runtime.remove(instance.id)
                } catch {
                    logger.warning("could not remove instance", metadata: ["instance": "\(instance.name)", "error": "\(error)"])
                }
                if keys[key]?.status.instanceID == instance.id {
                    keys[key]?.status.servingVersion = nil
                    keys[key]?.status.endpoint = nil
                    keys[key]?.status.instanceID = nil
                    keys[key]?.status.instanceName = nil
                }
                if keys[key]?.desiredVersion == nil, steps.allSatisfy({ if case .remove = $0 { true } else { false } }) {
                    keys[key] = nil
                    logger.debug("key forgotten", metadata: ["key": "\(key)", "reason": "\(reason)"])
                }
            case .wait(let state, let reason, let message):
                if keys[key]?.status.reason != reason { record(decision(for: step, key: key)) }
                setStatus(key, state, reason: reason, message: message)
            case .keep(let instance, let retiring, let rename):
                let confirmed = keys[key]?.confirmedInstances.contains(instance.id) ?? false
                if confirmed && retiring.isEmpty && !rename {
                    if keys[key]?.status.state != .ready || keys[key]?.status.instanceID != instance.id {
                        markReady(key, instance: instance)
                    }
                    continue
                }
                startTask(key) { await $0.adopt(key, instance: instance, retiring: retiring, rename: rename, confirmed: confirmed) }
            case .restart(let instance, _):
                let now = clock.now
                let crashed = keys[key]?.crashedAt ?? now
                if keys[key]?.crashedAt == nil { keys[key]?.crashedAt = now }
                let earliest = keys[key]?.backoff.earliestRestart(after: crashed) ?? now
                if now >= earliest {
                    record(decision(for: step, key: key))
                    startTask(key) { await $0.restart(key, instance: instance) }
                } else {
                    let seconds = Int(((earliest - now) / .seconds(1)).rounded(.up))
                    setStatus(
                        key, .degraded, reason: "CrashLoopBackOff",
                        message: "instance \(instance.name) exited (\(instance.state)); restarting in \(seconds) s")
                    scheduleWakeUp(at: earliest)
                }
            case .rollout(let version, let existing, let retiring, _):
                if !retiring.isEmpty, keys[key]?.inBurst == true, let changed = keys[key]?.desiredChangedAt {
                    let settled = changed + configuration.settleInterval
                    if clock.now < settled {
                        setStatus(
                            key, .progressing, reason: "Settling",
                            message: "the alias keeps moving; version \(version) is rolled out once it stays put for \(configuration.settleInterval)")
                        scheduleWakeUp(at: settled)
                        continue
                    }
                    keys[key]?.inBurst = false
                }
                let running = tasks.values.count
                if running >= max(1, configuration.maxConcurrentRollouts) {
                    setStatus(key, .progressing, reason: "Queued", message: "waiting for another rollout to finish")
                    continue
                }
                record(decision(for: step, key: key))
                startTask(key) { await $0.rollout(key, version: version, existing: existing, retiring: retiring) }
            }
        }
    }

    // MARK: Tasks

    private func startTask(_ key: ServingKey, _ body: @escaping @Sendable (isolated AliasReconciler) async -> Void) {
        tasks[key] = Task {
            await self.runTask(key, body)
        }
    }

    private func runTask(_ key: ServingKey, _ body: @Sendable (isolated AliasReconciler) async -> Void) async {
        await body(self)
        tasks[key] = nil
        observer.statusesChanged(statuses())
        triggerContinuation.yield(())  // the registry may have moved on meanwhile
    }

    private func waitForTasks() async {
        while let task = tasks.values.first {
            await task.value
        }
    }

    private func rollout(_ key: ServingKey, version: String, existing: ServingInstance?, retiring: [ServingInstance]) async {
        let started = clock.now
        let stable = ServingNames.stable(for: key)
        let serving = retiring.first { $0.state.isRunning && $0.version != nil }
        setStatus(
            key, .progressing, reason: "RollingOut",
            message: "starting version \(version)"
                + (serving.flatMap(\.version).map { "; version \($0) keeps serving until it is ready" } ?? ""))
        var created: ServingInstance?
        do {
            var instance: ServingInstance
            if let existing {
                instance = existing
            } else {
                let nameTaken = retiring.contains { $0.name == stable }
                let spec = ServingSpec(
                    key: key, version: version,
                    name: nameTaken ? ServingNames.candidate(for: key, version: version) : stable,
                    environment: configuration.environment, configHash: configuration.configHash)
                instance = try await runtime.create(spec)
                created = instance
            }
            try await runtime.start(instance.id)
            instance = try await runtime.inspect(instance.id)
            guard let endpoint = instance.endpoint else {
                throw ServingRuntimeError.startFailed(id: instance.id, reason: "the runtime reports no endpoint")
            }
            let example = await inputExample(key: key, version: version)
            let runtime = self.runtime
            let id = instance.id
            try await readiness.waitUntilReady(endpoint: endpoint, inputExample: example) {
                await Self.exitReason(of: id, in: runtime)
            }
            // The switch: from here on the new instance is what serves the key.
            let propagation = keys[key]?.changeSeenAt.map { clock.now - $0 }
            markReady(key, instance: instance)
            keys[key]?.failedVersion = nil
            keys[key]?.failedAttempts = 0
            keys[key]?.backoff.reset()
            // A change that arrived during this rollout counts from when it was seen.
            let observed = keys[key]?.observedDesiredVersion
            let changedAt = keys[key]?.desiredChangedAt
            keys[key]?.changeSeenAt = observed != nil && observed != version ? changedAt : nil
            observer.rolloutFinished(
                key: key, version: version, succeeded: true, duration: clock.now - started, propagation: propagation)
            logger.info(
                "serving",
                metadata: decisionMetadata(key: key, from: serving?.version, to: version, reason: "ready at \(endpoint)"))
            await retire(retiring, key: key, replacedBy: version)
            if instance.name != stable {
                await rename(instance, to: stable, key: key)
            }
        } catch {
            let (reason, message) = Self.describe(error)
            var text = "version \(version) was not switched to: \(message)"
            if let id = created?.id ?? existing?.id {
                if let lines = try? await runtime.logs(id, tail: 5) {
                    let tail = lines.split(separator: "\n").suffix(3).joined(separator: " | ")
                    if !tail.isEmpty { text += " (last output: \(tail.prefix(400)))" }
                }
                try? await runtime.remove(id)
            }
            if let version = serving?.version { text += "; version \(version) keeps serving" }
            let attempts = (keys[key]?.failedAttempts ?? 0) + 1
            let delay = RestartBackoff(policy: configuration.restartBackoff).delay(afterFailures: attempts)
            keys[key]?.failedVersion = version
            keys[key]?.failedReason = reason
            keys[key]?.failedMessage = text
            keys[key]?.failedAttempts = attempts
            keys[key]?.failedRetryAt = clock.now + delay
            setStatus(key, .degraded, reason: reason, message: text, keepServing: serving)
            record(AutoserveDecision(action: .giveUp, key: key, fromVersion: serving?.version, toVersion: version, reason: text))
            observer.rolloutFinished(key: key, version: version, succeeded: false, duration: clock.now - started, propagation: nil)
            scheduleWakeUp(at: clock.now + delay)
        }
    }

    private func restart(_ key: ServingKey, instance: ServingInstance) async {
        let now = clock.now
        let upSince = keys[key]?.upSince
        keys[key]?.backoff.recordRestart(at: now, upSince: upSince)
        observer.instanceRestarted(key: key, version: instance.version ?? "")
        setStatus(key, .progressing, reason: "Restarting", message: "restarting \(instance.name) after it exited")
        do {
            let started = try await startAgain(instance, key: key)
            guard let endpoint = started.endpoint else {
                throw ServingRuntimeError.startFailed(id: started.id, reason: "the runtime reports no endpoint")
            }
            let runtime = self.runtime
            try await readiness.waitUntilReady(endpoint: endpoint, inputExample: nil) {
                await Self.exitReason(of: started.id, in: runtime)
            }
            keys[key]?.crashedAt = nil
            markReady(key, instance: started)
        } catch {
            let (_, message) = Self.describe(error)
            keys[key]?.crashedAt = clock.now
            let delay = keys[key]?.backoff.nextDelay ?? configuration.restartBackoff.initialDelay
            setStatus(
                key, .degraded, reason: "CrashLoopBackOff",
                message: "\(instance.name) did not come back: \(message); next restart in \(Int(delay / .seconds(1))) s")
            scheduleWakeUp(at: clock.now + delay)
        }
    }

    /// Starts an exited instance again. When the runtime cannot (a process runtime opened after the
    /// instance was created holds no environment for it), the instance is created afresh in its place.
    private func startAgain(_ instance: ServingInstance, key: ServingKey) async throws -> ServingInstance {
        do {
            try await runtime.start(instance.id)
            return try await runtime.inspect(instance.id)
        } catch ServingRuntimeError.instanceNotFound {
            // Gone meanwhile: create it below.
        } catch ServingRuntimeError.mustBeRecreated(let id, let reason) {
            logger.info(
                "recreating an instance that cannot be started again",
                metadata: ["instance": "\(instance.name)", "id": "\(id)", "error": "\(reason)"])
            try await runtime.remove(instance.id)
        }
        let spec = ServingSpec(
            key: key, version: instance.version ?? "", name: ServingNames.stable(for: key),
            environment: configuration.environment, configHash: configuration.configHash)
        let created = try await runtime.create(spec)
        try await runtime.start(created.id)
        return try await runtime.inspect(created.id)
    }

    private func adopt(
        _ key: ServingKey, instance: ServingInstance, retiring: [ServingInstance], rename: Bool, confirmed: Bool
    ) async {
        if !confirmed {
            record(
                AutoserveDecision(
                    action: .adopt, key: key, toVersion: instance.version,
                    reason: "found \(instance.name) running; checking it answers", instanceID: instance.id))
            guard let endpoint = instance.endpoint else { return }
            let runtime = self.runtime
            do {
                try await readiness.waitUntilReady(endpoint: endpoint, inputExample: nil) {
                    await Self.exitReason(of: instance.id, in: runtime)
                }
                markReady(key, instance: instance)
            } catch {
                let (reason, message) = Self.describe(error)
                setStatus(key, .degraded, reason: reason, message: "\(instance.name) runs but is not ready: \(message)")
                return
            }
        }
        await retire(retiring, key: key, replacedBy: instance.version ?? "")
        if rename { await self.rename(instance, to: ServingNames.stable(for: key), key: key) }
    }

    private func retire(_ retiring: [ServingInstance], key: ServingKey, replacedBy version: String) async {
        guard !retiring.isEmpty else { return }
        if retiring.contains(where: { $0.state.isRunning }) {
            try? await Task.sleep(for: configuration.drainGrace)
        }
        for old in retiring {
            record(
                AutoserveDecision(
                    action: .remove, key: key, fromVersion: old.version, toVersion: version,
                    reason: "replaced by version \(version)", instanceID: old.id))
            do {
                if old.state.isRunning { try await runtime.stop(old.id, grace: configuration.stopGrace) }
                try await runtime.remove(old.id)
            } catch {
                logger.warning("could not remove a replaced instance", metadata: ["instance": "\(old.name)", "error": "\(error)"])
            }
        }
    }

    private func rename(_ instance: ServingInstance, to name: String, key: ServingKey) async {
        do {
            try await runtime.rename(instance.id, to: name)
            if keys[key]?.status.instanceID == instance.id { keys[key]?.status.instanceName = name }
        } catch {
            logger.warning("could not rename instance", metadata: ["instance": "\(instance.name)", "error": "\(error)"])
        }
    }

    private func inputExample(key: ServingKey, version: String) async -> Data? {
        guard configuration.readiness.sendsInputExample, let inputExamples else { return nil }
        do {
            return try await inputExamples.inputExample(model: key.model, version: version)
        } catch {
            logger.debug("no input example", metadata: ["key": "\(key)", "version": "\(version)", "error": "\(error)"])
            return nil
        }
    }

    private static func exitReason(of id: String, in runtime: any ServingRuntime) async -> String? {
        do {
            let instance = try await runtime.inspect(id)
            if case .exited = instance.state { return "\(instance.state)" }
            return nil
        } catch ServingRuntimeError.instanceNotFound {
            return "the instance was removed"
        } catch {
            return nil
        }
    }

    private static func describe(_ error: any Error) -> (reason: String, message: String) {
        switch error {
        case let failure as ReadinessFailure: (failure.reason.rawValue, failure.message)
        case let failure as ServingRuntimeError: ("StartFailed", failure.description)
        default: ("StartFailed", "\(error)")
        }
    }

    // MARK: Events

    private func watchRuntimeEvents() async {
        while !Task.isCancelled {
            do {
                for try await event in runtime.events() {
                    handle(event)
                }
            } catch {
                logger.debug("runtime event stream ended", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
            try? await Task.sleep(for: .seconds(2))
            triggerContinuation.yield(())  // whatever happened while not watching
        }
    }

    private func handle(_ event: ServingRuntimeEvent) {
        switch event.kind {
        case .exited, .outOfMemory:
            if let key = event.key ?? keys.first(where: { $0.value.status.instanceID == event.instanceID })?.key,
                keys[key]?.status.instanceID == event.instanceID
            {
                if keys[key]?.crashedAt == nil { keys[key]?.crashedAt = clock.now }
                keys[key]?.confirmedInstances.remove(event.instanceID)
                logger.warning(
                    "serving instance exited",
                    metadata: ["model": "\(key.model)", "alias": "\(key.alias)", "instance": "\(event.instanceID)"])
                triggerContinuation.yield(())
            }
        case .started, .removed:
            break
        }
    }

    private func scheduleWakeUp(at instant: ContinuousClock.Instant) {
        wakeUps.removeAll { $0.isCancelled }
        let continuation = triggerContinuation
        wakeUps.append(
            Task {
                try? await Task.sleep(until: instant, clock: .continuous)
                if !Task.isCancelled { continuation.yield(()) }
            })
    }

    // MARK: Status

    private func markReady(_ key: ServingKey, instance: ServingInstance) {
        if keys[key] == nil { keys[key] = KeyState(key: key, policy: configuration.restartBackoff) }
        keys[key]?.confirmedInstances.insert(instance.id)
        keys[key]?.upSince = clock.now
        keys[key]?.crashedAt = nil
        keys[key]?.status.servingVersion = instance.version
        keys[key]?.status.endpoint = instance.endpoint?.absoluteString
        keys[key]?.status.instanceID = instance.id
        keys[key]?.status.instanceName = instance.name
        let restarts = keys[key]?.backoff.restarts ?? 0
        keys[key]?.status.restarts = restarts
        setStatus(key, .ready, reason: nil, message: "serving version \(instance.version ?? "?")")
    }

    private func setStatus(
        _ key: ServingKey, _ state: ServingState, reason: String?, message: String, keepServing: ServingInstance? = nil
    ) {
        if keys[key] == nil { keys[key] = KeyState(key: key, policy: configuration.restartBackoff) }
        keys[key]?.setState(state, reason: reason, message: message, at: Date())
        if state != .ready, let keepServing, keys[key]?.status.instanceID == nil {
            keys[key]?.status.servingVersion = keepServing.version
            keys[key]?.status.endpoint = keepServing.endpoint?.absoluteString
            keys[key]?.status.instanceID = keepServing.id
            keys[key]?.status.instanceName = keepServing.name
        }
    }

    private func record(_ decision: AutoserveDecision) {
        logger.info(
            "\(decision.action.rawValue)",
            metadata: decisionMetadata(
                key: decision.key, from: decision.fromVersion, to: decision.toVersion, reason: decision.reason))
        observer.decided(decision)
    }

    private func decisionMetadata(key: ServingKey, from: String?, to: String?, reason: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["model": "\(key.model)", "alias": "\(key.alias)", "reason": "\(reason)"]
        if let from { metadata["from_version"] = "\(from)" }
        if let to { metadata["to_version"] = "\(to)" }
        return metadata
    }

    private func decision(for step: ServingPlanner.Step, key: ServingKey) -> AutoserveDecision {
        let serving = keys[key]?.status.servingVersion
        switch step {
        case .rollout(let version, let existing, let retiring, let reason):
            let from = retiring.first { $0.version != nil }?.version
            return AutoserveDecision(
                action: retiring.isEmpty ? .create : .replace, key: key, fromVersion: from, toVersion: version,
                reason: reason, instanceID: existing?.id)
        case .restart(let instance, let reason):
            return AutoserveDecision(action: .restart, key: key, toVersion: instance.version, reason: reason, instanceID: instance.id)
        case .keep(let instance, let retiring, let rename):
            var reason = "serves the desired version"
            if !retiring.isEmpty { reason += "; \(retiring.count) replaced instance(s) to remove" }
            if rename { reason += "; to be renamed \(ServingNames.stable(for: key))" }
            return AutoserveDecision(action: .keep, key: key, fromVersion: instance.version, reason: reason, instanceID: instance.id)
        case .remove(let instance, let reason):
            return AutoserveDecision(action: .remove, key: key, fromVersion: instance.version, reason: reason, instanceID: instance.id)
        case .wait(_, let reason, let message):
            return AutoserveDecision(action: .wait, key: key, fromVersion: serving, reason: "\(reason): \(message)")
        }
    }
}

/// What the reconciler remembers about one key between resyncs. Everything else is read again.
struct KeyState: Sendable {
    var status: ServingStatus
    var desiredVersion: String?
    var backoff: RestartBackoff
    /// When a crash of the serving instance was first noticed.
    var crashedAt: ContinuousClock.Instant?
    /// When the serving instance last became ready.
    var upSince: ContinuousClock.Instant?
    /// Instances this agent has seen answer their readiness checks.
    var confirmedInstances: Set<String> = []
    /// A version whose rollout failed, and when it may be tried again.
    var failedVersion: String?
    var failedReason: String?
    var failedMessage: String?
    var failedAttempts = 0
    var failedRetryAt: ContinuousClock.Instant?
    /// When the alias change being rolled out was first noticed (webhook or resync).
    var changeSeenAt: ContinuousClock.Instant?
    /// The desired version last seen, when it last changed, and whether that change came hard on the
    /// heels of the one before (a burst, rolled out once the alias settles).
    var observedDesiredVersion: String?
    var desiredChangedAt: ContinuousClock.Instant?
    var inBurst = false

    init(key: ServingKey, policy: RestartBackoff.Policy) {
        let now = Date()
        status = ServingStatus(
            model: key.model, alias: key.alias, state: .progressing, reason: "Pending", message: "not reconciled yet",
            since: now,
            conditions: [
                ServingCondition(type: .ready, status: false, lastTransitionTime: now),
                ServingCondition(type: .progressing, status: true, reason: "Pending", lastTransitionTime: now),
                ServingCondition(type: .degraded, status: false, lastTransitionTime: now),
            ])
        backoff = RestartBackoff(policy: policy)
    }

    mutating func setState(_ state: ServingState, reason: String?, message: String, at date: Date) {
        if status.state != state { status.since = date }
        status.state = state
        status.reason = reason
        status.message = message
        let ready = state == .ready
        for index in status.conditions.indices {
            let type = status.conditions[index].type
            let holds: Bool
            switch type {
            case .ready: holds = ready
            case .progressing: holds = state == .progressing
            case .degraded: holds = state == .degraded
            }
            if status.conditions[index].status != holds { status.conditions[index].lastTransitionTime = date }
            status.conditions[index].status = holds
            status.conditions[index].reason = holds ? reason : nil
            status.conditions[index].message = holds ? message : nil
        }
    }
}
