import Foundation
import Logging
@testable import MLOpsAutoserve
import MLOpsKit
import MLOpsKitTestSupport
import Testing

/// Each of the reconciler's workflows alone, over the in-memory runtime and a manual clock: what it
/// does to instances and what it answers, without the reconciler's loop around it.
@Suite(.timeLimit(.minutes(1)))
struct ReconcilerWorkflowTests {
    let manual = ManualClock()
    let clock: ServingClock
    let runtime: InMemoryServingRuntime
    let dependencies: ReconcilerDependencies
    let key = ServingKey(model: "iris", alias: "Production")

    init() {
        clock = ServingClock(manual, wallTimeAtStart: Date(timeIntervalSince1970: 1_800_000_000))
        runtime = InMemoryServingRuntime(clock: clock)
        let configuration = AutoserveConfiguration(
            readiness: ReadinessPolicy(timeout: .seconds(30), interval: .seconds(10), sendsInputExample: false),
            drainGrace: .seconds(15), stopGrace: .seconds(10), configHash: "workflow-tests")
        dependencies = ReconcilerDependencies(
            runtime: runtime,
            readiness: ServingReadinessChecker(
                transport: InMemoryServingTransport(runtime: runtime), policy: configuration.readiness, clock: clock),
            configuration: configuration, clock: clock, observer: NoAutoserveObserver(),
            logger: Logger(label: "workflow-tests") { _ in SwiftLogNoOpLogHandler() })
    }

    func spec(_ version: String, name: String) -> ServingSpec {
        ServingSpec(key: key, version: version, name: name, environment: [:], configHash: "workflow-tests")
    }

    func running(_ version: String, name: String) async throws -> ServingInstance {
        let instance = try await runtime.create(spec(version, name: name))
        try await runtime.start(instance.id)
        return try await runtime.inspect(instance.id)
    }

    @Test func aReadyVersionComesUpUnderTheStableNameWhenItIsFree() async throws {
        let outcome = await RolloutWorkflow(dependencies: dependencies, inputExamples: nil)
            .bringUp(key, version: "2", existing: nil, retiring: [], serving: nil)
        guard case .ready(let instance) = outcome else { Issue.record("not ready: \(outcome)"); return }
        #expect(instance.name == ServingNames.stable(for: key))
        #expect(instance.version == "2")
        #expect(instance.state.isRunning)
        #expect(await runtime.calls(.stop).isEmpty)
    }

    @Test func aVersionThatExitsAtStartIsRemovedAndTheServingOneNamed() async throws {
        let old = try await running("1", name: ServingNames.stable(for: key))
        await runtime.setBehaviour(.exitsAtStart(exitCode: 3), forVersion: "2")
        let outcome = await RolloutWorkflow(dependencies: dependencies, inputExamples: nil)
            .bringUp(key, version: "2", existing: nil, retiring: [old], serving: old)
        guard case .failed(let reason, let message) = outcome else { Issue.record("switched: \(outcome)"); return }
        #expect(reason == "FailedToLoad")
        #expect(message.hasPrefix("version 2 was not switched to"))
        #expect(message.hasSuffix("version 1 keeps serving"))
        let created = try #require(await runtime.calls(.create).last)
        #expect(created.name == ServingNames.candidate(for: key, version: "2"), "the stable name is the old instance's")
        #expect(await runtime.calls(.remove).map(\.instanceID) == [created.instanceID])
        #expect(try await runtime.inspect(old.id).state.isRunning)
    }

    @Test func aVersionThatNeverAnswersTimesOutOnTheClock() async throws {
        await runtime.setBehaviour(.neverReady, forVersion: "2")
        let bringUp = Task {
            await RolloutWorkflow(dependencies: dependencies, inputExamples: nil)
                .bringUp(key, version: "2", existing: nil, retiring: [], serving: nil)
        }
        // Probes at 0, 10, 20 and 30 s; the timeout is 30 s.
        for step in 1...3 {
            await manual.waitForSleeper(until: ManualClock.Instant(offset: .seconds(10 * step)))
            manual.advance(by: .seconds(10))
        }
        guard case .failed(let reason, _) = await bringUp.value else { Issue.record("switched"); return }
        #expect(reason == "ReadinessTimeout")
        #expect(manual.now.offset == .seconds(30))
    }

    @Test func retirementWaitsTheDrainGraceThenStopsAndRemoves() async throws {
        let old = try await running("1", name: "old")
        let retire = Task {
            await RetirementWorkflow(dependencies: dependencies).retire([old], key: key, replacedBy: "2")
        }
        await manual.waitForSleeper(until: ManualClock.Instant(offset: .seconds(15)))
        #expect(await runtime.calls(.stop).isEmpty, "nothing is stopped during the drain grace")
        manual.advance(by: .seconds(15))
        await retire.value
        let stops = await runtime.calls(.stop)
        #expect(stops.map(\.instanceID) == [old.id])
        #expect(stops.first?.at == ServingClock.Instant(offset: .seconds(15)))
        #expect(await runtime.calls(.remove).map(\.instanceID) == [old.id])
    }

    @Test func retiringOnlyStoppedInstancesDoesNotWait() async throws {
        let stopped = try await runtime.create(spec("1", name: "stopped"))
        await RetirementWorkflow(dependencies: dependencies).retire([stopped], key: key, replacedBy: "2")
        #expect(await runtime.calls(.remove).map(\.instanceID) == [stopped.id])
        #expect(manual.now.offset == .zero)
    }

    @Test func aCrashedInstanceIsStartedAgainAndAnswers() async throws {
        let instance = try await running("1", name: ServingNames.stable(for: key))
        try await runtime.crash(instance.id)
        let exited = try await runtime.inspect(instance.id)
        let result = await CrashRestartWorkflow(dependencies: dependencies).restart(exited, key: key)
        let restarted = try result.get()
        #expect(restarted.id == instance.id)
        #expect(restarted.state.isRunning)
        #expect(await runtime.calls(.create).count == 1, "started again, not created afresh")
    }

    @Test func adoptionOfAnInstanceThatAnswersTouchesNothing() async throws {
        let instance = try await running("1", name: ServingNames.stable(for: key))
        await runtime.clearCalls()
        let result = await AdoptionWorkflow(dependencies: dependencies).verify(instance, key: key)
        #expect((try? result.get()) != nil)
        #expect(await runtime.calls.isEmpty)
    }
}

/// Retirement through the gateway's route table: the replaced instance is stopped as soon as its last
/// request is answered, not after the whole drain grace.
@Suite(.timeLimit(.minutes(1)))
struct RetirementThroughTheGatewayTests {
    @Test func theOldInstanceStopsWhenItsLastRequestIsAnswered() async throws {
        let manual = ManualClock()
        let clock = ServingClock(manual, wallTimeAtStart: Date(timeIntervalSince1970: 1_800_000_000))
        let runtime = InMemoryServingRuntime(clock: clock)
        let table = GatewayRouteTable()
        let configuration = AutoserveConfiguration(drainGrace: .seconds(60), configHash: "gateway")
        let dependencies = ReconcilerDependencies(
            runtime: runtime,
            readiness: ServingReadinessChecker(transport: InMemoryServingTransport(runtime: runtime), clock: clock),
            configuration: configuration, clock: clock, observer: NoAutoserveObserver(),
            logger: Logger(label: "gateway-retirement-tests") { _ in SwiftLogNoOpLogHandler() }, traffic: table)
        let key = ServingKey(model: "iris", alias: "Production")
        let spec = ServingSpec(key: key, version: "1", name: "old", environment: [:], configHash: "gateway")
        let created = try await runtime.create(spec)
        try await runtime.start(created.id)
        let old = try await runtime.inspect(created.id)
        table.serve(key, instance: old)
        guard case .target(let request) = table.lease(for: key) else { Issue.record("not routed"); return }

        let retire = Task { await RetirementWorkflow(dependencies: dependencies).retire([old], key: key, replacedBy: "2") }
        await manual.waitForSleepers(count: 1)
        manual.advance(by: .seconds(30))
        #expect(await runtime.calls(.stop).isEmpty, "a request is still in flight")
        request.release()
        await retire.value
        let stop = try #require(await runtime.calls(.stop).first)
        #expect(stop.at == ServingClock.Instant(offset: .seconds(30)), "stopped when the request ended, not at 60 s")
    }
}
