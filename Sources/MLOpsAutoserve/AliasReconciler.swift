import MLOpsCore
import MLOpsMLflow
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

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
///
/// The actor owns the loop and the state (``ServingKeyBook``); the work on instances is done by
/// workflows of their own (rollout, crash restart, adoption, retirement), and every wait and deadline
/// reads the ``ServingClock`` it is given.
public actor AliasReconciler {
    public let registry: any ModelRegistry
    public let runtime: any ServingRuntime
    public let configuration: AutoserveConfiguration
    let dependencies: ReconcilerDependencies
    let rollouts: RolloutWorkflow
    let restarts: CrashRestartWorkflow
    let adoptions: AdoptionWorkflow
    let retirements: RetirementWorkflow
    let triggers: ReconcileTriggers
    private let planner: ServingPlanner
    private let reader: RegistrySnapshotReader

    var book: ServingKeyBook
    private var tasks: [ServingKey: Task<Void, Never>] = [:]
    private var snapshot: RegistrySnapshot?
    private var lastSuccessfulSync: Date?
    private var lastSyncError: String?

    var clock: ServingClock { dependencies.clock }

    /// - Parameters:
    ///   - readiness: decides when a new instance may take traffic.
    ///   - inputExamples: where models' input examples come from, for the smoke invocation; `nil` sends none.
    ///   - observer: receives metrics-worthy events.
    ///   - clock: where every wait, deadline and timestamp comes from (the real time by default).
    ///   - traffic: the data plane to keep routing current (a ``GatewayRouteTable``); none by default.
    public init(
        registry: any ModelRegistry,
        runtime: any ServingRuntime,
        configuration: AutoserveConfiguration,
        readiness: ServingReadinessChecker,
        inputExamples: (any InputExampleSource)? = nil,
        observer: any AutoserveObserver = NoAutoserveObserver(),
        logger: Logger = Logger(label: "mlopskit.autoserve"),
        clock: ServingClock = .system,
        traffic: any TrafficControl = NoTrafficControl()
    ) {
        self.registry = registry
        self.runtime = runtime
        self.configuration = configuration
        let dependencies = ReconcilerDependencies(
            runtime: runtime, readiness: readiness, configuration: configuration, clock: clock, observer: observer,
            logger: logger, traffic: traffic)
        self.dependencies = dependencies
        rollouts = RolloutWorkflow(dependencies: dependencies, inputExamples: inputExamples)
        restarts = CrashRestartWorkflow(dependencies: dependencies)
        adoptions = AdoptionWorkflow(dependencies: dependencies)
        retirements = RetirementWorkflow(dependencies: dependencies)
        triggers = ReconcileTriggers(clock: clock)
        book = ServingKeyBook(policy: configuration.restartBackoff, clock: clock, traffic: traffic)
        planner = ServingPlanner(
            configHash: configuration.configHash,
            removesInstancesWhenAliasIsGone: configuration.removesInstancesWhenAliasIsGone)
        reader = RegistrySnapshotReader(
            registry: registry, modelPageSize: configuration.registryPageSize, filter: configuration.modelFilter)
    }

    // MARK: Public surface

    /// Asks for a reconcile of `key` soon, as a webhook delivery does. The key's version in the event is
    /// not trusted: the resync reads the registry again. Repeated calls coalesce.
    public nonisolated func enqueue(_ key: ServingKey) {
        triggers.enqueue(key)
    }

    /// The status of every key, sorted by model and alias.
    public func statuses() -> [ServingStatus] { book.statuses }

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
                instances: grouped[key] ?? [], context: book.context(for: key))
            decisions += steps.map { AutoserveDecision(step: $0, key: key, servingVersion: book[key]?.status.servingVersion) }
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
            let triggers = self.triggers
            let clock = self.clock
            group.addTask {
                while !Task.isCancelled {
                    try? await clock.sleep(for: interval)
                    triggers.fire()
                }
            }
            let watcher = RuntimeEventWatcher(dependencies: dependencies)
            group.addTask {
                await watcher.watch(onEvent: { await self.handle($0) }, resumed: { triggers.fire() })
            }
            triggers.fire()
            for await _ in triggers.stream {
                if Task.isCancelled { break }
                await resync()
            }
            group.cancelAll()
        }
        // A rollout cut short leaves the old instance serving; the next run picks it up again. Its
        // failure path schedules a retry, so wake-ups are cancelled only once every task has ended.
        for task in tasks.values { task.cancel() }
        await waitForTasks()
        triggers.cancelWakeUps()
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
        dependencies.observer.registryRead(snapshot, duration: clock.now - started)
        let instances: [ServingInstance]
        do {
            instances = try await runtime.instances(matching: ServingLabels.selector)
        } catch {
            fail(
                started: started, reason: "RuntimeUnavailable",
                message: "cannot list instances in the \(runtime.name) runtime: \(error)", error: error)
            return
        }
        lastSuccessfulSync = clock.wallTime()
        lastSyncError = nil

        let desired = snapshot.desiredServing(aliases: configuration.aliases)
        let grouped = managedInstances(instances, snapshot: snapshot)
        let pending = triggers.takePendingKeys()
        let allKeys = Set(desired.versions.keys).union(desired.waiting.keys).union(grouped.keys).union(book.keys)
        for key in allKeys.sorted() {
            let desiredVersion = desired.versions[key]
            if let desiredVersion {
                book.ensure(key)
                book.observeDesired(
                    desiredVersion, key: key, at: pending[key] ?? started, settleInterval: configuration.settleInterval)
            }
            if tasks[key] != nil { continue }  // the task triggers a resync when it ends
            let steps = planner.steps(
                for: key, desiredVersion: desiredVersion, waiting: desired.waiting[key],
                instances: grouped[key] ?? [], context: book.context(for: key))
            if steps.isEmpty {
                book.forget(key)  // nothing desired, nothing running
                continue
            }
            book.ensure(key)
            book[key]?.desiredVersion = desiredVersion
            book[key]?.status.desiredVersion = desiredVersion
            await apply(steps, key: key)
        }
        dependencies.observer.statusesChanged(statuses())
        dependencies.observer.reconcileFinished(duration: clock.now - started, error: nil)
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

    private func fail(started: ServingClock.Instant, reason: String, message: String, error: any Error) {
        lastSyncError = message
        dependencies.logger.warning(
            "resync failed; serving instances are left as they are", metadata: ["reason": "\(reason)", "error": "\(message)"])
        for key in book.keys where tasks[key] == nil {
            book.setStatus(key, .degraded, reason: reason, message: message + "; serving instances are left as they are")
        }
        dependencies.observer.statusesChanged(statuses())
        dependencies.observer.reconcileFinished(duration: clock.now - started, error: error)
    }

    // MARK: Tasks

    /// Whether another rollout may start now (``AutoserveConfiguration/maxConcurrentRollouts``).
    var mayStartRollout: Bool { tasks.count < max(1, configuration.maxConcurrentRollouts) }

    /// Runs `body` as the key's task: the key is left alone by resyncs until it ends, and its end
    /// triggers a resync (the registry may have moved on meanwhile).
    func startTask(_ key: ServingKey, _ body: @escaping @Sendable (isolated AliasReconciler) async -> Void) {
        tasks[key] = Task {
            await self.runTask(key, body)
        }
    }

    private func runTask(_ key: ServingKey, _ body: @Sendable (isolated AliasReconciler) async -> Void) async {
        await body(self)
        tasks[key] = nil
        dependencies.observer.statusesChanged(statuses())
        triggers.fire()
    }

    private func waitForTasks() async {
        while let task = tasks.values.first {
            await task.value
        }
    }

    // MARK: Events

    private func handle(_ event: ServingRuntimeEvent) {
        switch event.kind {
        case .exited, .outOfMemory:
            guard let key = book.noteExit(event) else { return }
            dependencies.logger.warning(
                "serving instance exited",
                metadata: ["model": "\(key.model)", "alias": "\(key.alias)", "instance": "\(event.instanceID)"])
            triggers.fire()
        case .started, .removed:
            break
        }
    }
}
