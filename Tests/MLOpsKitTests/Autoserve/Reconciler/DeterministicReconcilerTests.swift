// The alias reconciler driven through its public API over an in-memory registry and runtime, with
// every wait on a manual clock: crash back-off, readiness timeouts, drain grace, adoption, webhook
// bursts and a registry outage, each in milliseconds of real time and with exact instants. Nothing
// sleeps for real; the tests advance the clock only once the reconciler is blocked on it
// (`ManualClock.waitForSleeper(until:)`), and wait for outcomes through the observer's callbacks.

import Foundation
import Logging
import MLOpsKit
import MLOpsKitTestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct DeterministicReconcilerTests {
    /// A reconciler over an in-memory registry and runtime, all on one manual clock.
    struct Harness {
        static let wallStart = Date(timeIntervalSince1970: 1_800_000_000)
        let manual = ManualClock()
        let clock: ServingClock
        let registry = InMemoryModelRegistry()
        let runtime: InMemoryServingRuntime
        let transport: InMemoryServingTransport
        let observer = AwaitingAutoserveObserver()
        let configuration: AutoserveConfiguration
        let reconciler: AliasReconciler
        let key = ServingKey(model: "iris", alias: "Production")

        static func configuration(
            readiness: ReadinessPolicy = ReadinessPolicy(
                timeout: .seconds(30), interval: .seconds(10), requestTimeout: .seconds(5), sendsInputExample: false),
            drainGrace: Duration = .seconds(15),
            restartBackoff: RestartBackoff.Policy = RestartBackoff.Policy()
        ) -> AutoserveConfiguration {
            AutoserveConfiguration(
                aliases: ["Production"],
                // Far beyond any scenario: resyncs come from triggers, wake-ups and the tests alone.
                resyncInterval: .seconds(86_400),
                readiness: readiness,
                drainGrace: drainGrace,
                stopGrace: .seconds(10),
                restartBackoff: restartBackoff,
                configHash: "deterministic")
        }

        init(configuration: AutoserveConfiguration = Harness.configuration(), traffic: any TrafficControl = NoTrafficControl()) {
            clock = ServingClock(manual, wallTimeAtStart: Self.wallStart)
            runtime = InMemoryServingRuntime(clock: clock)
            transport = InMemoryServingTransport(runtime: runtime)
            self.configuration = configuration
            reconciler = Self.reconciler(
                registry: registry, runtime: runtime, transport: transport, clock: clock, configuration: configuration,
                observer: observer, traffic: traffic)
        }

        /// Another reconciler over the same registry, runtime and clock: the agent started again.
        func makeReconciler(observer: any AutoserveObserver) -> AliasReconciler {
            Self.reconciler(
                registry: registry, runtime: runtime, transport: transport, clock: clock, configuration: configuration,
                observer: observer)
        }

        private static func reconciler(
            registry: InMemoryModelRegistry, runtime: InMemoryServingRuntime, transport: InMemoryServingTransport,
            clock: ServingClock, configuration: AutoserveConfiguration, observer: any AutoserveObserver,
            traffic: any TrafficControl = NoTrafficControl()
        ) -> AliasReconciler {
            AliasReconciler(
                registry: registry, runtime: runtime, configuration: configuration,
                readiness: ServingReadinessChecker(transport: transport, policy: configuration.readiness, clock: clock),
                observer: observer,
                logger: Logger(label: "deterministic-reconciler-tests") { _ in SwiftLogNoOpLogHandler() },
                clock: clock, traffic: traffic)
        }

        /// The manual clock's instant `seconds` after `instant`.
        func at(_ instant: ManualClock.Instant, plus seconds: Int64) -> ManualClock.Instant {
            instant.advanced(by: .seconds(seconds))
        }

        /// The serving clock's instant for a manual one (the serving clock was wrapped at zero).
        func serving(_ instant: ManualClock.Instant) -> ServingClock.Instant {
            ServingClock.Instant(offset: instant.offset)
        }

        func status() async -> ServingStatus? {
            await reconciler.statuses().first { $0.model == key.model && $0.alias == key.alias }
        }

        /// Waits until the observer reports the key Ready on `version`.
        func waitUntilReady(version: String) async {
            let key = key
            await observer.waitUntil { record in
                guard let status = record.status(key) else { return false }
                return status.state == .ready && status.servingVersion == version
            }
        }

        /// Runs the reconciler's loop until the returned task is cancelled.
        func startLoop() -> Task<Void, Never> {
            let reconciler = reconciler
            return Task { await reconciler.run() }
        }

        /// Stops the loop and waits for it to end.
        func stopLoop(_ task: Task<Void, Never>) async {
            task.cancel()
            await task.value
        }
    }

    // MARK: Crash loop

    /// An instance that keeps crashing is restarted 10, 20, 40, 80 and 160 s after each exit (the
    /// default policy's doubling), `Degraded`/`CrashLoopBackOff` naming the delay while it waits;
    /// once it has stayed up for `resetAfter`, the back-off starts again from 10 s.
    @Test func crashLoopBacksOffDoublingAndResetsAfterARecovery() async throws {
        let harness = Harness()
        await harness.registry.addModel("iris", versionCount: 1, aliases: ["Production": "1"])
        let loop = harness.startLoop()
        await harness.runtime.waitForSubscribers(count: 1)
        await harness.waitUntilReady(version: "1")
        let id = try #require(await harness.status()?.instanceID)
        let firstStart = try #require(await harness.runtime.calls(.start).first)

        // The first crash: a restart 10 s later, which fails, since from now on the server exits at once.
        var crash = harness.manual.now
        await harness.runtime.setBehaviour(.exitsAtStart(exitCode: 1), forVersion: "1")
        try await harness.runtime.crash(id)
        var expectedStarts = [firstStart.at]
        for (index, delay) in [10, 20, 40, 80, 160].enumerated() {
            let restartAt = harness.at(crash, plus: Int64(delay))
            await harness.manual.waitForSleeper(until: restartAt)
            let waiting = try #require(await harness.status())
            #expect(waiting.state == .degraded)
            #expect(waiting.reason == "CrashLoopBackOff")
            #expect(waiting.message?.contains("\(delay) s") == true, "\(waiting.message ?? "")")
            #expect(waiting.servingVersion == "1")
            if index == 4 {
                // The fifth restart succeeds.
                await harness.runtime.setBehaviour(.becomesReady, forVersion: "1")
            }
            harness.manual.advance(to: restartAt)
            expectedStarts.append(harness.serving(restartAt))
            crash = restartAt
        }
        await harness.waitUntilReady(version: "1")
        let starts = await harness.runtime.calls(.start)
        #expect(starts.map(\.at) == expectedStarts)
        #expect(Set(starts.map(\.instanceID)) == [id], "restarted in place")
        #expect(await harness.runtime.calls(.create).count == 1)
        #expect(await harness.status()?.restarts == 5)
        #expect(harness.observer.record.restarts == 5)

        // Up for resetAfter (10 min), then a crash: the back-off starts again at 10 s.
        harness.manual.advance(by: .seconds(600))
        let lateCrash = harness.manual.now
        try await harness.runtime.crash(id)
        let timer = harness.at(ManualClock.Instant(offset: .zero), plus: 86_400)
        await harness.manual.waitForSleepers { deadlines in deadlines.contains { $0 > lateCrash && $0 < timer } }
        let restartAt = try #require(harness.manual.deadlines.first { $0 > lateCrash && $0 < timer })
        #expect(restartAt == harness.at(lateCrash, plus: 10), "restart delay after a recovery: \(lateCrash.duration(to: restartAt))")
        harness.manual.advance(to: restartAt)
        await harness.observer.waitUntil { $0.restarts == 6 }
        await harness.waitUntilReady(version: "1")
        #expect(await harness.status()?.restarts == 1, "the count started again")
        await harness.stopLoop(loop)
    }

    // MARK: Never ready

    /// A version that never becomes ready never takes traffic: the old instance keeps serving and is
    /// never stopped, the new one is removed when the readiness timeout passes, the key is
    /// `Degraded`/`ReadinessTimeout`, and the version is tried again after 10 s, then 20 s.
    @Test func aVersionThatNeverBecomesReadyNeverTakesTraffic() async throws {
        let harness = Harness()
        let key = harness.key
        await harness.registry.addModel("iris", versionCount: 2, aliases: ["Production": "1"])
        await harness.runtime.setBehaviour(.neverReady, forVersion: "2")
        let loop = harness.startLoop()
        await harness.waitUntilReady(version: "1")
        let old = try #require(await harness.status()?.instanceID)
        await harness.runtime.clearCalls()

        await harness.registry.moveAlias("Production", of: "iris", to: "2")
        let moved = harness.manual.now
        harness.reconciler.enqueue(key)
        var attemptStart = moved
        for (attempt, retryDelay) in [10, 20].enumerated() {
            // Probed every 10 s until the 30 s timeout; the old version serves throughout.
            for probe in [10, 20, 30] {
                let next = harness.at(attemptStart, plus: Int64(probe))
                await harness.manual.waitForSleeper(until: next)
                if probe < 30 {
                    let status = try #require(await harness.status())
                    #expect(status.state == .progressing)
                    #expect(status.reason == "RollingOut")
                    #expect(status.servingVersion == "1")
                    #expect(status.instanceID == old)
                }
                harness.manual.advance(to: next)
            }
            let given = harness.at(attemptStart, plus: 30)
            let retry = harness.at(given, plus: Int64(retryDelay))
            await harness.manual.waitForSleeper(until: retry)
            let status = try #require(await harness.status())
            #expect(status.state == .degraded)
            #expect(status.reason == "ReadinessTimeout")
            #expect(status.servingVersion == "1")
            #expect(status.desiredVersion == "2")
            #expect(status.instanceID == old)
            #expect(status.message?.contains("version 1 keeps serving") == true, "\(status.message ?? "")")
            let calls = await harness.runtime.calls
            let creates = calls.filter { $0.operation == .create }
            let removes = calls.filter { $0.operation == .remove }
            #expect(creates.count == attempt + 1)
            #expect(creates.last?.version == "2")
            #expect(creates.last?.at == harness.serving(attemptStart))
            #expect(removes.count == attempt + 1)
            #expect(removes.last?.instanceID == creates.last?.instanceID)
            #expect(removes.last?.at == harness.serving(given), "removed when the timeout passed")
            #expect(!calls.contains { $0.instanceID == old }, "the old instance was touched: \(calls)")
            #expect(try await harness.runtime.inspect(old).state == .running)
            #expect(await harness.runtime.allInstances().map(\.id) == [old])
            if attempt == 0 {
                harness.manual.advance(to: retry)
                attemptStart = retry
            }
        }
        #expect(harness.observer.record.rollouts.filter { $0.version == "2" }.map(\.succeeded) == [false, false])
        await harness.stopLoop(loop)
        #expect(try await harness.runtime.inspect(old).state == .running, "stopping the loop leaves it serving")
    }

    /// Stopping the loop in the middle of a rollout abandons it: the new instance is removed, the old
    /// one keeps serving, and nothing of the reconciler is left waiting on the clock.
    @Test func stoppingTheLoopMidRolloutKeepsTheOldInstanceAndLeavesNoTimer() async throws {
        let harness = Harness()
        let key = harness.key
        await harness.registry.addModel("iris", versionCount: 2, aliases: ["Production": "1"])
        await harness.runtime.setBehaviour(.neverReady, forVersion: "2")
        let loop = harness.startLoop()
        await harness.waitUntilReady(version: "1")
        let old = try #require(await harness.status()?.instanceID)

        await harness.registry.moveAlias("Production", of: "iris", to: "2")
        let moved = harness.manual.now
        harness.reconciler.enqueue(key)
        await harness.manual.waitForSleeper(until: harness.at(moved, plus: 10))
        // Stopped 5 s into the readiness wait (its next probe is due at +10 s).
        harness.manual.advance(by: .seconds(5))
        await harness.stopLoop(loop)

        #expect(await harness.runtime.allInstances().map(\.id) == [old])
        #expect(try await harness.runtime.inspect(old).state == .running)
        let removed = await harness.runtime.calls(.remove)
        #expect(removed.map(\.version) == ["2"])
        // The abandoned rollout's retry is cancelled with the loop: nothing is left waiting on the clock.
        #expect(harness.manual.deadlines.isEmpty, "still waiting on the clock after run() returned: \(harness.manual.deadlines)")
    }

    // MARK: Drain grace

    /// make-before-break: the key is Ready on the new version as soon as it answers, and the old
    /// instance is stopped exactly `drainGrace` later, then removed, and the new one takes the stable name.
    @Test func theOldInstanceIsStoppedOnlyAfterTheDrainGrace() async throws {
        let harness = Harness()
        let key = harness.key
        await harness.registry.addModel("iris", versionCount: 2, aliases: ["Production": "1"])
        let first = await harness.reconciler.reconcileOnce()
        #expect(first.map(\.state) == [.ready])
        let old = try #require(first.first?.instanceID)
        await harness.runtime.clearCalls()

        harness.manual.advance(by: .seconds(100))
        await harness.registry.moveAlias("Production", of: "iris", to: "2")
        let switched = harness.manual.now
        let reconciler = harness.reconciler
        let pass = Task { await reconciler.reconcileOnce() }
        let drained = harness.at(switched, plus: 15)
        await harness.manual.waitForSleeper(until: drained)

        // Blocked on the drain grace: the new version serves, the old one still runs.
        let during = try #require(await harness.status())
        #expect(during.state == .ready)
        #expect(during.servingVersion == "2")
        #expect(during.since == Harness.wallStart.addingTimeInterval(100))
        #expect(during.instanceID != old)
        #expect(during.instanceName == ServingNames.candidate(for: key, version: "2"))
        #expect(try await harness.runtime.inspect(old).state == .running)
        #expect(await harness.runtime.calls.map(\.operation) == [.create, .start])

        harness.manual.advance(to: drained)
        let statuses = await pass.value
        #expect(statuses.map(\.state) == [.ready])
        #expect(statuses.first?.servingVersion == "2")
        #expect(statuses.first?.instanceName == ServingNames.stable(for: key))

        let calls = await harness.runtime.calls
        #expect(calls.map(\.operation) == [.create, .start, .stop, .remove, .rename])
        let start = try #require(calls.first { $0.operation == .start })
        let stop = try #require(calls.first { $0.operation == .stop })
        #expect(start.version == "2" && start.at == harness.serving(switched))
        #expect(stop.instanceID == old && stop.at == harness.serving(drained))
        #expect(start.at.duration(to: stop.at) == harness.configuration.drainGrace)
        #expect(calls.last?.name == ServingNames.stable(for: key))
        #expect(harness.transport.requests.contains("GET /ping"))
    }

    /// With a gateway's route table, requests go to the new version from the moment it is Ready, and
    /// the old instance is stopped as soon as the last request sent to it is answered.
    @Test func throughTheGatewayTheOldInstanceStopsWhenItsLastRequestIsAnswered() async throws {
        let table = GatewayRouteTable()
        let harness = Harness(traffic: table)
        let key = harness.key
        #expect(table.routedKeys().isEmpty)
        await harness.registry.addModel("iris", versionCount: 2, aliases: ["Production": "1"])
        let first = await harness.reconciler.reconcileOnce()
        let old = try #require(first.first?.instanceID)
        #expect(table.routedKeys() == [key: "1"])
        guard case .target(let request) = table.lease(for: key) else { Issue.record("not routed"); return }
        #expect(request.instanceID == old)

        harness.manual.advance(by: .seconds(100))
        await harness.registry.moveAlias("Production", of: "iris", to: "2")
        let switched = harness.manual.now
        let reconciler = harness.reconciler
        let pass = Task { await reconciler.reconcileOnce() }
        // Ready on version 2: new requests go there; the one in flight keeps version 1 running. The
        // switch is verified on version 2's first 20 answers (or within 60 s); they are fine.
        await harness.manual.waitForSleeper(until: harness.at(switched, plus: 60))
        for _ in 0..<20 {
            guard case .target(let next) = table.lease(for: key) else { Issue.record("not routed"); return }
            #expect(next.version == "2")
            next.recordAnswer(status: 200)
            next.release()
        }
        await harness.manual.waitForSleeper(until: harness.at(switched, plus: 15))
        harness.manual.advance(by: .seconds(4))
        #expect(await harness.runtime.calls(.stop).isEmpty)
        request.release()
        _ = await pass.value
        let stop = try #require(await harness.runtime.calls(.stop).first)
        #expect(stop.instanceID == old)
        #expect(stop.at == harness.serving(harness.at(switched, plus: 4)), "stopped when its last request ended")
        #expect(table.routedKeys() == [key: "2"])

        // Nothing desired any more: the key is no longer routed.
        try await harness.registry.deleteRegisteredModelAlias(name: "iris", alias: "Production")
        _ = await harness.reconciler.reconcileOnce()
        #expect(table.routedKeys().isEmpty)
        guard case .unknown = table.lease(for: key) else { Issue.record("still routed"); return }
    }

    // MARK: Adoption

    /// An agent started again over a runtime that already runs the desired version's instance (as the
    /// previous agent created it, labels and name included) adopts it: no create, start, stop, remove
    /// or rename, and it is Ready on the same instance.
    @Test func anAgentStartedAgainAdoptsTheRunningInstanceUntouched() async throws {
        let harness = Harness()
        let key = harness.key
        await harness.registry.addModel("iris", versionCount: 1, aliases: ["Production": "1"])
        // The previous agent.
        let before = await harness.reconciler.reconcileOnce()
        let id = try #require(before.first?.instanceID)
        let instance = try await harness.runtime.inspect(id)
        #expect(instance.name == ServingNames.stable(for: key))
        #expect(instance.key == key && instance.version == "1" && instance.configHash == "deterministic")
        #expect(instance.labels[ServingLabels.serve] == "true")
        await harness.runtime.clearCalls()

        // The agent started again: a new reconciler with nothing in memory.
        let observer = AwaitingAutoserveObserver()
        let restarted = harness.makeReconciler(observer: observer)
        let planned = try await restarted.plan()
        #expect(planned.map(\.action) == [.keep])
        let statuses = await restarted.reconcileOnce()
        #expect(statuses.count == 1)
        #expect(statuses.first?.state == .ready)
        #expect(statuses.first?.servingVersion == "1")
        #expect(statuses.first?.instanceID == id)
        let calls = await harness.runtime.calls
        #expect(calls.isEmpty, "\(calls)")
        let actions = observer.record.decisions.map(\.action)
        #expect(actions == [.adopt], "\(observer.record.decisions)")
        #expect(try await harness.runtime.inspect(id) == instance)
    }

    // MARK: Webhook burst

    /// A hundred webhook deliveries for a key while a resync is under way cost one more resync, not a
    /// hundred.
    @Test func aBurstOfEnqueuedKeysCoalescesIntoOneResync() async throws {
        let harness = Harness()
        let key = harness.key
        await harness.registry.addModel("iris", versionCount: 1, aliases: ["Production": "1"])
        let loop = harness.startLoop()
        // The first resync, and the one after its rollout.
        await harness.observer.waitUntil { record in
            record.reconciles == 2 && record.status(key)?.state == .ready
        }
        #expect(await harness.registry.requestCount == 4)

        // A delivery starts a resync, which the registry holds; a hundred more arrive meanwhile.
        await harness.registry.holdRequests()
        harness.reconciler.enqueue(key)
        await harness.registry.waitForHeldRequests(count: 1)
        for _ in 0..<100 { harness.reconciler.enqueue(key) }
        await harness.registry.releaseRequests()

        await harness.observer.waitUntil { $0.reconciles == 4 }
        await harness.stopLoop(loop)
        #expect(harness.observer.record.reconciles == 4, "one resync for the held delivery, one for the burst")
        #expect(await harness.registry.requestCount == 8)
        #expect(harness.observer.record.failures.isEmpty)
        #expect(await harness.runtime.calls.map(\.operation) == [.create, .start])
    }

    // MARK: Registry outage

    /// While the registry cannot be read nothing is created, stopped or removed, the key is
    /// `Degraded`/`RegistryUnavailable` and `lastSyncFailure()` says why; once it answers again the
    /// key is Ready on the same instance, untouched.
    @Test func aRegistryOutageTouchesNothing() async throws {
        let harness = Harness()
        await harness.registry.addModel("iris", versionCount: 2, aliases: ["Production": "1"])
        let before = await harness.reconciler.reconcileOnce()
        let id = try #require(before.first?.instanceID)
        #expect(await harness.reconciler.lastSyncFailure() == nil)
        await harness.runtime.clearCalls()

        await harness.registry.setOutage(MLflowError(code: .temporarilyUnavailable, httpStatus: 503, message: "the registry is down"))
        // Even an alias move behind the outage changes nothing.
        await harness.registry.moveAlias("Production", of: "iris", to: "2")
        for _ in 0..<3 {
            let statuses = await harness.reconciler.reconcileOnce()
            #expect(statuses.count == 1)
            #expect(statuses.first?.state == .degraded)
            #expect(statuses.first?.reason == "RegistryUnavailable")
            #expect(statuses.first?.servingVersion == "1")
            #expect(statuses.first?.message?.contains("the registry is down") == true)
            harness.manual.advance(by: .seconds(30))
        }
        let failure = try #require(await harness.reconciler.lastSyncFailure())
        #expect(failure.contains("cannot read the model registry"))
        #expect(failure.contains("the registry is down"))
        await #expect(throws: MLflowError.self) { _ = try await harness.reconciler.plan() }
        let callsDuringOutage = await harness.runtime.calls
        #expect(callsDuringOutage.isEmpty, "\(callsDuringOutage)")
        #expect(try await harness.runtime.inspect(id).state == .running)
        #expect(harness.observer.record.failures.count == 6)

        await harness.registry.moveAlias("Production", of: "iris", to: "1")
        await harness.registry.setOutage(nil)
        let after = await harness.reconciler.reconcileOnce()
        #expect(after.map(\.state) == [.ready])
        #expect(after.first?.servingVersion == "1")
        #expect(after.first?.instanceID == id)
        #expect(after.first?.reason == nil)
        #expect(await harness.reconciler.lastSyncFailure() == nil)
        let callsAfter = await harness.runtime.calls
        #expect(callsAfter.isEmpty, "\(callsAfter)")
    }
}
