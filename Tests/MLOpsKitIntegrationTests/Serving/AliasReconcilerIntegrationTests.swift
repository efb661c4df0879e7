import Foundation
import MLOpsKitTestSupport
import Synchronization
import Testing

@testable import MLOpsKit
@testable import MLOpsCore
@testable import MLOpsS3
@testable import MLOpsMLflow
@testable import MLOpsServing
@testable import MLOpsAutoserve

/// The alias reconciler against a real `mlflow server` and the real process runtime (serving the
/// stand-in model server; the real `mlflow models serve` is in `AutoserveEndToEndTests`).
@Suite(.enabled(if: IntegrationEnvironment.mlflowEnabled), .timeLimit(.minutes(5)))
struct AliasReconcilerIntegrationTests {
    @Test func servesTheAliasAndSwitchesMakeBeforeBreakWithNoFailedRequest() async throws {
        let harness = try ReconcilerHarness(startSeconds: 1)
        try await harness.use { harness in
            try await harness.registerVersions(2)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler()

            let first = await reconciler.reconcileOnce()
            let status = try #require(first.first { $0.key == harness.key })
            #expect(status.state == .ready)
            #expect(status.servingVersion == "1")
            #expect(status.instanceName == "mlflow-serve-\(harness.model)-production")
            #expect(try await ReconcilerHarness.servedVersion(at: try #require(status.endpoint)) == "1")

            // Requests every 20 ms, each to the endpoint the agent reports at that moment, across the switch.
            let outcomes = Mutex<(versions: [String], failures: [String])>(([], []))
            let prober = Task {
                while !Task.isCancelled {
                    if let endpoint = await reconciler.statuses().first?.endpoint {
                        do {
                            let version = try await ReconcilerHarness.servedVersion(at: endpoint)
                            outcomes.withLock { $0.versions.append(version) }
                        } catch where !Task.isCancelled {
                            outcomes.withLock { $0.failures.append("\(error)") }
                        } catch {
                            break  // the prober itself was stopped mid-request
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            try await harness.setAlias(to: 2)
            let second = await reconciler.reconcileOnce()
            try await Task.sleep(for: .milliseconds(300))
            prober.cancel()
            _ = await prober.value

            let after = try #require(second.first)
            #expect(after.state == .ready)
            #expect(after.servingVersion == "2")
            let (versions, failures) = outcomes.withLock { ($0.versions, $0.failures) }
            #expect(failures.isEmpty, "failed requests during the switch: \(failures.prefix(3))")
            #expect(versions.contains("1") && versions.last == "2")
            #expect(versions.count > 2)

            // One instance left, under the stable name, serving version 2.
            let instances = try await harness.runtime().instances(matching: [ServingLabels.model: harness.model])
            #expect(instances.count == 1)
            #expect(instances.first?.name == "mlflow-serve-\(harness.model)-production")
            #expect(instances.first?.version == "2")
            #expect(harness.observer.decisions.map(\.action) .contains(.replace))
        }
    }

    @Test func aVersionThatNeverGetsReadyIsNotSwitchedTo() async throws {
        let harness = try ReconcilerHarness(behaviour: ["2": "unready", "3": "exit"], readinessTimeout: .seconds(3))
        try await harness.use { harness in
            try await harness.registerVersions(3)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler()
            _ = await reconciler.reconcileOnce()
            let v1 = try #require(await reconciler.statuses().first?.endpoint)

            try await harness.setAlias(to: 2)
            let unready = try #require(await reconciler.reconcileOnce().first)
            #expect(unready.state == .degraded)
            #expect(unready.reason == "ReadinessTimeout")
            #expect(unready.servingVersion == "1")
            #expect(unready.message?.contains("version 1 keeps serving") == true)
            #expect(try await ReconcilerHarness.servedVersion(at: v1) == "1")

            try await harness.setAlias(to: 3)
            let crashed = try #require(await reconciler.reconcileOnce().first)
            #expect(crashed.state == .degraded)
            #expect(crashed.reason == "FailedToLoad")
            #expect(crashed.message?.contains("failed to load model") == true, "the log tail belongs in: \(crashed.message ?? "")")
            #expect(try await ReconcilerHarness.servedVersion(at: v1) == "1")
            // The failed candidates are gone; only version 1 runs.
            let instances = try await harness.runtime().instances(matching: [ServingLabels.model: harness.model])
            #expect(instances.map(\.version) == ["1"])
            // Two failed versions; a loaded machine may already have retried one after its 1 s back-off.
            #expect(harness.observer.rollouts.filter { !$0.succeeded }.count >= 2)
            #expect(harness.observer.rollouts.allSatisfy { !$0.succeeded || $0.version == "1" })
        }
    }

    @Test func aFailingSmokeInvocationBlocksTheSwitch() async throws {
        let harness = try ReconcilerHarness(behaviour: ["2": "bad-smoke"])
        try await harness.use { harness in
            try await harness.registerVersions(2)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler(inputExamples: FixedInputExample())
            #expect(await reconciler.reconcileOnce().first?.state == .ready)
            try await harness.setAlias(to: 2)
            let status = try #require(await reconciler.reconcileOnce().first)
            #expect(status.state == .degraded)
            #expect(status.reason == "SmokeTestFailed")
            #expect(status.servingVersion == "1")
        }
    }

    @Test func aliasFlippedTwentyTimesInTenSecondsEndsRightWithAtMostTwoRollouts() async throws {
        // Two seconds to load, like a small real model: flips arrive while a rollout runs.
        let harness = try ReconcilerHarness(startSeconds: 2)
        try await harness.use { harness in
            try await harness.registerVersions(3)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler()
            #expect(await reconciler.reconcileOnce().first?.servingVersion == "1")
            harness.observer.reset()

            let running = Task { await reconciler.run() }
            defer { running.cancel() }
            var last = 1
            for flip in 0..<20 {
                last = flip % 2 == 0 ? 2 : 3
                try await harness.setAlias(to: last)
                reconciler.enqueue(harness.key)  // as a webhook delivery would
                try await Task.sleep(for: .milliseconds(500))
            }
            try await harness.setAlias(to: 2)
            last = 2
            reconciler.enqueue(harness.key)
            try await eventually(timeout: .seconds(60), "serving version \(last)") {
                let status = await reconciler.statuses().first
                return status?.state == .ready && status?.servingVersion == "\(last)"
            }
            let endpoint = try #require(await reconciler.statuses().first?.endpoint)
            #expect(try await ReconcilerHarness.servedVersion(at: endpoint) == "\(last)")
            let rollouts = harness.observer.rollouts
            #expect(rollouts.count <= 2, "rollouts: \(rollouts.map(\.version))")
            #expect(rollouts.allSatisfy { $0.succeeded })
        }
    }

    @Test func aCrashedInstanceIsRestartedWithBackOff() async throws {
        let harness = try ReconcilerHarness()
        try await harness.use { harness in
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler()
            _ = await reconciler.reconcileOnce()
            let runtime = try harness.runtime()
            let before = try #require(try await runtime.instances(matching: [ServingLabels.model: harness.model]).first)
            let pid = try #require(before.processID)

            let running = Task { await reconciler.run() }
            defer { running.cancel() }
            let killed = ContinuousClock.now
            kill(pid, SIGKILL)
            try await eventually("the crash is noticed") { await reconciler.statuses().first?.state != .ready }
            try await eventually("restarted and ready") {
                guard let status = await reconciler.statuses().first, status.state == .ready else { return false }
                let instance = try await runtime.inspect(before.id)
                return instance.processID != pid && instance.state.isRunning
            }
            #expect(ContinuousClock.now - killed >= .seconds(1), "the first restart waits the initial back-off")
            #expect(harness.observer.restarts == 1)
            let after = try await runtime.inspect(before.id)
            #expect(after.id == before.id, "restarted in place, not recreated")
            #expect(try await ReconcilerHarness.servedVersion(at: try #require(after.endpoint?.absoluteString)) == "1")
            #expect(await reconciler.statuses().first?.restarts == 1)
        }
    }

    @Test func anAgentRestartedTenTimesAdoptsAndRestartsNothing() async throws {
        let harness = try ReconcilerHarness(aliases: ["Production", "Test"])
        try await harness.use { harness in
            try await harness.registerVersions(2)
            try await harness.setAlias(to: 1)
            try await harness.setAlias("Test", to: 2)
            let first = try harness.reconciler()
            #expect(await first.reconcileOnce().map(\.state) == [.ready, .ready])
            let original = try await harness.runtime().instances(matching: [ServingLabels.model: harness.model])
                .map { "\($0.id) \($0.processID ?? 0)" }.sorted()
            #expect(original.count == 2)

            for _ in 0..<10 {
                await harness.closeRuntime()
                harness.observer.reset()
                let again = try harness.reconciler()
                let statuses = await again.reconcileOnce()
                #expect(statuses.map(\.state) == [.ready, .ready])
                let now = try await harness.runtime().instances(matching: [ServingLabels.model: harness.model])
                    .map { "\($0.id) \($0.processID ?? 0)" }.sorted()
                #expect(now == original)
                let actions = Set(harness.observer.decisions.map(\.action))
                #expect(actions.isSubset(of: [.adopt, .keep]), "decisions after a restart: \(harness.observer.decisions)")
            }
        }
    }

    @Test func aCrashedInstanceFoundAfterAnAgentRestartIsBroughtBack() async throws {
        let harness = try ReconcilerHarness(environment: ["MODEL_SERVER_TOKEN": "s3cr3t-value"])
        try await harness.use { harness in
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            #expect(try await harness.reconciler().reconcileOnce().first?.state == .ready)
            let before = try #require(try await harness.runtime().instances(matching: [ServingLabels.model: harness.model]).first)

            // The agent exits; its model server then crashes; a new agent finds it exited.
            await harness.closeRuntime()
            kill(try #require(before.processID), SIGKILL)
            let again = try harness.reconciler()
            try await eventually(timeout: .seconds(30), "serving again") {
                await again.reconcileOnce().first?.state == .ready
            }
            let after = try #require(try await harness.runtime().instances(matching: [ServingLabels.model: harness.model]).first)
            #expect(after.state.isRunning)
            #expect(after.processID != before.processID)
            #expect(after.name == before.name)
            #expect(try await ReconcilerHarness.servedVersion(at: try #require(after.endpoint?.absoluteString)) == "1")
        }
    }

    @Test func anInstanceWhoseAliasIsDeletedIsRemoved() async throws {
        let harness = try ReconcilerHarness()
        try await harness.use { harness in
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler()
            #expect(await reconciler.reconcileOnce().first?.state == .ready)
            try await harness.client.deleteRegisteredModelAlias(name: harness.model, alias: "Production")
            let statuses = await reconciler.reconcileOnce()
            #expect(statuses.isEmpty)
            #expect(try await harness.runtime().instances(matching: [ServingLabels.model: harness.model]).isEmpty)
            #expect(harness.observer.decisions.contains { $0.action == .remove })
        }
    }

    @Test func instancesOutsideTheAgentsScopeAreLeftAlone() async throws {
        let harness = try ReconcilerHarness()
        try await harness.use { harness in
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            // Another agent's instance (a model outside the filter) and one of an alias not served here.
            let runtime = try harness.runtime()
            let foreign = try await runtime.create(
                ServingSpec(key: ServingKey(model: harness.model + "-other", alias: "Production"), version: "7", configHash: "x"))
            let otherAlias = try await runtime.create(
                ServingSpec(key: ServingKey(model: harness.model, alias: "Staging"), version: "1", configHash: "x"))
            #expect(try await harness.reconciler().reconcileOnce().map(\.key) == [harness.key])
            let ids = Set(try await runtime.instances(matching: ServingLabels.selector).map(\.id))
            #expect(ids.contains(foreign.id) && ids.contains(otherAlias.id), "instances outside the scope are not touched")
            for instance in [foreign, otherAlias] { try await runtime.remove(instance.id) }
        }
    }

    @Test func planChangesNothing() async throws {
        let harness = try ReconcilerHarness()
        try await harness.use { harness in
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            let plan = try await harness.reconciler().plan()
            #expect(plan.map(\.action) == [.create])
            #expect(plan.first?.toVersion == "1")
            #expect(try await harness.runtime().instances(matching: [ServingLabels.model: harness.model]).isEmpty)
        }
    }
}

/// A registry whose server the test stops and starts again.
@Suite(.enabled(if: IntegrationEnvironment.mlflowEnabled), .timeLimit(.minutes(5)))
struct AliasReconcilerRegistryOutageTests {
    @Test func mlflowDownTouchesNoInstanceAndRecoversWhenBack() async throws {
        let server = try MLflowServerProcess()
        try await server.start()
        defer { server.stop() }
        let harness = try ReconcilerHarness(client: try IntegrationEnvironment.mlflowClient(uri: server.url))
        try await harness.use { harness in
            try await harness.registerVersions(1)
            try await harness.setAlias(to: 1)
            let reconciler = try harness.reconciler()
            #expect(await reconciler.reconcileOnce().first?.state == .ready)
            let before = try await harness.runtime().instances(matching: [ServingLabels.model: harness.model])

            server.stop()
            let down = try #require(await reconciler.reconcileOnce().first)
            #expect(down.state == .degraded)
            #expect(down.reason == "RegistryUnavailable")
            #expect(down.servingVersion == "1", "the status still says what serves")
            let during = try await harness.runtime().instances(matching: [ServingLabels.model: harness.model])
            #expect(during == before, "no instance touched while the registry is down")
            #expect(try await ReconcilerHarness.servedVersion(at: try #require(down.endpoint)) == "1")
            #expect(await reconciler.lastSyncFailure() != nil)

            try await server.start()
            let back = try #require(await reconciler.reconcileOnce().first)
            #expect(back.state == .ready)
            #expect(try await harness.runtime().instances(matching: [ServingLabels.model: harness.model]) == before)
            #expect(await reconciler.lastSyncFailure() == nil)
        }
    }
}

struct FixedInputExample: InputExampleSource {
    func inputExample(model: String, version: String) async throws -> Data? {
        Data(#"{"dataframe_split": {"columns": ["x"], "data": [[1.0], [2.0]]}}"#.utf8)
    }
}
