// The shared conformance suite of `ServingRuntime`: every runtime (processes, Docker, later
// Kubernetes) must pass the same scenarios, so the reconciler can rely on one contract.
//
// How a runtime joins the suite:
//
// 1. Write a harness, a type conforming to `ServingRuntimeHarness` (below). It knows how to make the
//    runtime under test on fresh state, how to let go of it and open a new one on the same state (an
//    agent restarting), how to make a spec whose instance serves `GET /ping` (200) at its endpoint and
//    prints a known line when it starts, how to kill an instance's server from outside the runtime,
//    and how to clean up.
// 2. Run every scenario with it, one test per scenario so they run side by side:
//
//        @Test(arguments: ServingRuntimeConformance.Scenario.allCases)
//        func conformance(_ scenario: ServingRuntimeConformance.Scenario) async throws {
//            try await ServingRuntimeConformance.run(scenario, with: MyRuntimeHarness())
//        }
//
// Each scenario makes its own runtime (`makeRuntime`), uses model names no other scenario uses, and
// hands the runtime to `cleanUp` afterwards whether it passed or not. Scenarios never assume they are
// alone on the runtime's backend (a Docker daemon is shared): they find their instances by their own
// labels and IDs. Deadlines are generous (the machine running the tests is small and loaded); the
// scenarios assert outcomes, never durations.

import Foundation
import MLOpsKit
import Synchronization
import Testing

/// What the conformance suite needs from a runtime under test.
protocol ServingRuntimeHarness: Sendable {
    associatedtype Runtime: ServingRuntime

    /// A runtime on state of its own (a fresh state directory, a fresh label namespace, …).
    func makeRuntime() async throws -> Runtime

    /// Lets go of `runtime` as an agent that exits would (its instances keep running) and returns a new
    /// runtime object on the same state: the agent restarted.
    func reopen(_ runtime: Runtime) async throws -> Runtime

    /// A spec for `key` and `version` whose instance, once started, answers `GET /ping` with 200 at its
    /// endpoint and prints ``logMarker(for:)`` to stdout or stderr. The spec carries `name` (the
    /// stable name when `nil`), `extraLabels` and `configHash` unchanged.
    func makeSpec(
        key: ServingKey, version: String, name: String?, extraLabels: [String: String], configHash: String
    ) -> ServingSpec

    /// A line the instance of `spec` prints once it serves.
    func logMarker(for spec: ServingSpec) -> String

    /// Kills the instance's model server from outside the runtime (SIGKILL, as a crash or the OOM
    /// killer would), without telling the runtime.
    func killFromOutside(_ instance: ServingInstance, runtime: Runtime) async throws

    /// Removes every instance the runtime holds and everything the harness made for it.
    func cleanUp(_ runtime: Runtime) async

    /// How long an instance may take from `start` to answering `/ping`.
    var readyDeadline: Duration { get }
}

/// The scenarios every ``ServingRuntime`` passes.
enum ServingRuntimeConformance {
    enum Scenario: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case createDoesNotStart
        case startServesPing
        case listByLabels
        case nameConflict
        case stopAndStartAgain
        case stopOfStoppedSucceeds
        case rename
        case logs
        case killedFromOutside
        case remove
        case unknownID
        case adoption
        case labelsRoundTrip

        var testDescription: String { rawValue }
    }

    /// Runs `scenario` on a runtime of `harness`, then cleans up.
    static func run<Harness: ServingRuntimeHarness>(_ scenario: Scenario, with harness: Harness) async throws {
        var context = Context(harness: harness, runtime: try await harness.makeRuntime())
        do {
            try await run(scenario, &context)
        } catch {
            await harness.cleanUp(context.runtime)
            throw error
        }
        await harness.cleanUp(context.runtime)
    }

    /// A scenario's harness, its current runtime (replaced by ``ServingRuntimeHarness/reopen(_:)``), and
    /// a label that marks everything the scenario creates.
    struct Context<Harness: ServingRuntimeHarness> {
        let harness: Harness
        var runtime: Harness.Runtime
        let runLabel = ["conformance.run": UUID().uuidString.lowercased()]

        /// A key no other scenario uses.
        func uniqueKey(alias: String = "Production") -> ServingKey {
            ServingKey(model: "conformance-\(UUID().uuidString.prefix(8).lowercased())", alias: alias)
        }

        func spec(
            _ key: ServingKey, version: String = "1", name: String? = nil, extraLabels: [String: String] = [:],
            configHash: String = "conformance-hash"
        ) -> ServingSpec {
            harness.makeSpec(
                key: key, version: version, name: name, extraLabels: extraLabels.merging(runLabel) { _, new in new },
                configHash: configHash)
        }

        /// Creates and starts an instance of a new key and waits until it answers `/ping`.
        func startServing(version: String = "1") async throws -> ServingInstance {
            let instance = try await runtime.create(spec(uniqueKey(), version: version))
            try await runtime.start(instance.id)
            let running = try await runtime.inspect(instance.id)
            try await ServingProbe.waitForPing(running, within: harness.readyDeadline)
            return running
        }
    }

    private static func run<Harness>(_ scenario: Scenario, _ context: inout Context<Harness>) async throws {
        switch scenario {
        case .createDoesNotStart: try await createDoesNotStart(context)
        case .startServesPing: try await startServesPing(context)
        case .listByLabels: try await listByLabels(context)
        case .nameConflict: try await nameConflict(context)
        case .stopAndStartAgain: try await stopAndStartAgain(context)
        case .stopOfStoppedSucceeds: try await stopOfStoppedSucceeds(context)
        case .rename: try await rename(context)
        case .logs: try await logs(context)
        case .killedFromOutside: try await killedFromOutside(context)
        case .remove: try await remove(context)
        case .unknownID: try await unknownID(context)
        case .adoption: try await adoption(&context)
        case .labelsRoundTrip: try await labelsRoundTrip(&context)
        }
    }

    // MARK: - Scenarios

    /// `create` makes an instance that does not run, and it stays so.
    static func createDoesNotStart<Harness>(_ context: Context<Harness>) async throws {
        let spec = context.spec(context.uniqueKey())
        let created = try await context.runtime.create(spec)
        #expect(created.state == .created)
        #expect(created.name == spec.name)
        #expect(created.processID == nil)
        try await Task.sleep(for: .milliseconds(500))
        let later = try await context.runtime.inspect(created.id)
        #expect(later.state == .created)
        #expect(later.processID == nil)
        let listed = try await context.runtime.instances(matching: context.runLabel)
        #expect(listed.map(\.id) == [created.id])
        #expect(listed.first?.state == .created)
    }

    /// `start` runs it, its endpoint answers `/ping`, and starting it again changes nothing.
    static func startServesPing<Harness>(_ context: Context<Harness>) async throws {
        let instance = try await context.startServing()
        #expect(instance.state == .running)
        #expect(instance.processID != nil)
        #expect(instance.startedAt != nil)
        let endpoint = try #require(instance.endpoint)
        #expect(endpoint.host == "127.0.0.1" || endpoint.host == "localhost" || endpoint.host == "::1")
        try await context.runtime.start(instance.id)
        let again = try await context.runtime.inspect(instance.id)
        #expect(again.state == .running)
        #expect(again.processID == instance.processID)
        #expect(try await ServingProbe.ping(again) == 200)
    }

    /// Label selectors find exactly the instances carrying every label asked for.
    static func listByLabels<Harness>(_ context: Context<Harness>) async throws {
        let first = context.uniqueKey(alias: "Production")
        let second = context.uniqueKey(alias: "Production")
        let a = try await context.runtime.create(context.spec(first, version: "1"))
        let b = try await context.runtime.create(context.spec(
            ServingKey(model: first.model, alias: "Staging"), version: "2"))
        let c = try await context.runtime.create(context.spec(second, version: "1"))
        try await context.runtime.start(c.id)

        func ids(_ labels: [String: String]) async throws -> Set<String> {
            Set(try await context.runtime.instances(matching: labels).map(\.id))
        }
        #expect(try await ids(context.runLabel) == [a.id, b.id, c.id])
        #expect(try await ids([ServingLabels.model: first.model]) == [a.id, b.id])
        #expect(try await ids([ServingLabels.model: first.model, ServingLabels.alias: "Staging"]) == [b.id])
        #expect(try await ids([ServingLabels.model: first.model, ServingLabels.version: "1"]) == [a.id])
        #expect(try await ids([ServingLabels.model: second.model]) == [c.id])
        #expect(try await ids([ServingLabels.model: first.model, ServingLabels.alias: second.alias, "nonexistent": "x"]).isEmpty)
        let all = try await ids(ServingLabels.selector)
        #expect(all.isSuperset(of: [a.id, b.id, c.id]))
        // Running or not, an instance is listed, with its state.
        let listed = try await context.runtime.instances(matching: context.runLabel)
        #expect(listed.first { $0.id == c.id }?.state == .running)
        #expect(listed.first { $0.id == a.id }?.state == .created)
    }

    /// Two instances never share a name, by `create` or by `rename`.
    static func nameConflict<Harness>(_ context: Context<Harness>) async throws {
        let key = context.uniqueKey()
        let first = try await context.runtime.create(context.spec(key))
        await #expect(throws: ServingRuntimeError.nameConflict(first.name)) {
            _ = try await context.runtime.create(context.spec(key, version: "2"))
        }
        let candidate = try await context.runtime.create(
            context.spec(key, version: "2", name: ServingNames.candidate(for: key, version: "2")))
        await #expect(throws: ServingRuntimeError.nameConflict(first.name)) {
            try await context.runtime.rename(candidate.id, to: first.name)
        }
        #expect(try await context.runtime.instances(matching: context.runLabel).count == 2)
    }

    /// `stop` ends it (exited, no longer answering), `start` runs it again.
    static func stopAndStartAgain<Harness>(_ context: Context<Harness>) async throws {
        let instance = try await context.startServing()
        try await context.runtime.stop(instance.id, grace: .seconds(10))
        let stopped = try await context.runtime.inspect(instance.id)
        guard case .exited = stopped.state else {
            Issue.record("state after stop: \(stopped.state)")
            return
        }
        #expect(stopped.processID == nil)
        #expect(try await ServingProbe.ping(instance) != 200)

        try await context.runtime.start(instance.id)
        let restarted = try await context.runtime.inspect(instance.id)
        #expect(restarted.state == .running)
        #expect(restarted.id == instance.id)
        try await ServingProbe.waitForPing(restarted, within: context.harness.readyDeadline)
    }

    /// Stopping an instance that does not run succeeds and changes nothing.
    static func stopOfStoppedSucceeds<Harness>(_ context: Context<Harness>) async throws {
        let created = try await context.runtime.create(context.spec(context.uniqueKey()))
        try await context.runtime.stop(created.id, grace: .seconds(5))
        #expect(try await context.runtime.inspect(created.id).state.isRunning == false)

        let instance = try await context.startServing()
        try await context.runtime.stop(instance.id, grace: .seconds(10))
        try await context.runtime.stop(instance.id, grace: .seconds(10))
        let stopped = try await context.runtime.inspect(instance.id)
        guard case .exited = stopped.state else {
            Issue.record("state after two stops: \(stopped.state)")
            return
        }
    }

    /// `rename` gives it a new name, frees the old one, and leaves everything else alone.
    static func rename<Harness>(_ context: Context<Harness>) async throws {
        let key = context.uniqueKey()
        let candidateName = ServingNames.candidate(for: key, version: "3")
        let instance = try await context.runtime.create(context.spec(key, version: "3", name: candidateName))
        try await context.runtime.start(instance.id)
        let stable = ServingNames.stable(for: key)
        try await context.runtime.rename(instance.id, to: stable)
        let renamed = try await context.runtime.inspect(instance.id)
        #expect(renamed.name == stable)
        #expect(renamed.state == .running)
        #expect(renamed.labels == instance.labels)
        let listed = try await context.runtime.instances(matching: context.runLabel)
        #expect(listed.map(\.name) == [stable])
        try await context.runtime.rename(instance.id, to: stable)
        // The old name is free again.
        let next = try await context.runtime.create(context.spec(key, version: "4", name: candidateName))
        #expect(next.name == candidateName)
    }

    /// `logs` holds what the server printed; `tail` limits it to the last lines.
    static func logs<Harness>(_ context: Context<Harness>) async throws {
        let key = context.uniqueKey()
        let spec = context.spec(key)
        let instance = try await context.runtime.create(spec)
        #expect(try await context.runtime.logs(instance.id, tail: nil).isEmpty)
        try await context.runtime.start(instance.id)
        try await ServingProbe.waitForPing(try await context.runtime.inspect(instance.id), within: context.harness.readyDeadline)
        let marker = context.harness.logMarker(for: spec)
        let all = try await waitForLog(context, instance.id, containing: marker)
        #expect(all.contains(marker))
        let lines = all.split(separator: "\n", omittingEmptySubsequences: true)
        let last = try await context.runtime.logs(instance.id, tail: 1)
        let lastLines = last.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lastLines.count == 1)
        if lines.count > 1 {
            #expect(!last.contains(marker) || lines.last?.contains(marker) == true)
        }
    }

    /// A server killed from outside is reported at once (`.exited` for its ID), and inspect agrees.
    static func killedFromOutside<Harness>(_ context: Context<Harness>) async throws {
        let events = EventRecorder(context.runtime.events())
        defer { events.stop() }
        let instance = try await context.startServing()
        try await context.harness.killFromOutside(instance, runtime: context.runtime)
        let exited = await events.first(within: .seconds(30)) {
            if case .exited = $0.kind { $0.instanceID == instance.id } else { false }
        }
        #expect(exited != nil, "no .exited event for \(instance.id)")
        #expect(exited?.key == instance.key)
        let after = try await context.runtime.inspect(instance.id)
        guard case .exited = after.state else {
            Issue.record("state after the kill: \(after.state)")
            return
        }
        #expect(after.processID == nil)
    }

    /// `remove` stops and deletes it: inspect no longer finds it, lists leave it out, `.removed` is reported.
    static func remove<Harness>(_ context: Context<Harness>) async throws {
        let events = EventRecorder(context.runtime.events())
        defer { events.stop() }
        let instance = try await context.startServing()
        let never = try await context.runtime.create(context.spec(context.uniqueKey()))
        try await context.runtime.remove(instance.id)
        try await context.runtime.remove(never.id)
        await #expect(throws: ServingRuntimeError.instanceNotFound(instance.id)) {
            _ = try await context.runtime.inspect(instance.id)
        }
        #expect(try await context.runtime.instances(matching: context.runLabel).isEmpty)
        #expect(try await ServingProbe.ping(instance) != 200)
        let removed = await events.first(within: .seconds(30)) { $0.instanceID == instance.id && $0.kind == .removed }
        #expect(removed != nil, "no .removed event for \(instance.id)")
    }

    /// Every operation on an unknown ID throws `instanceNotFound` with that ID.
    static func unknownID<Harness>(_ context: Context<Harness>) async throws {
        let id = "deadbeefdeadbeef"
        let runtime = context.runtime
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { _ = try await runtime.inspect(id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.start(id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.stop(id, grace: .seconds(1)) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.remove(id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { try await runtime.rename(id, to: "conformance-unknown") }
        await #expect(throws: ServingRuntimeError.instanceNotFound(id)) { _ = try await runtime.logs(id, tail: 10) }
        // An instance removed is unknown too.
        let instance = try await runtime.create(context.spec(context.uniqueKey()))
        try await runtime.remove(instance.id)
        await #expect(throws: ServingRuntimeError.instanceNotFound(instance.id)) { try await runtime.start(instance.id) }
        await #expect(throws: ServingRuntimeError.instanceNotFound(instance.id)) { try await runtime.remove(instance.id) }
    }

    /// A runtime opened again on the same state finds every instance as it was: same IDs, same process
    /// IDs, still running and answering; nothing restarted. It watches them too: a kill is reported.
    static func adoption<Harness>(_ context: inout Context<Harness>) async throws {
        let first = try await context.startServing(version: "1")
        let second = try await context.startServing(version: "2")
        let stopped = try await context.runtime.create(context.spec(context.uniqueKey()))
        let before = try await context.runtime.instances(matching: context.runLabel)

        context.runtime = try await context.harness.reopen(context.runtime)
        let after = try await context.runtime.instances(matching: context.runLabel)
        #expect(Set(after.map(\.id)) == Set(before.map(\.id)))
        for old in before {
            let new = try #require(after.first { $0.id == old.id })
            #expect(new.processID == old.processID, "\(old.name) has another process")
            #expect(new.state == old.state)
            #expect(new.startedAt == old.startedAt)
            #expect(new.name == old.name)
            #expect(new.labels == old.labels)
            #expect(new.endpoint == old.endpoint)
        }
        #expect(after.first { $0.id == stopped.id }?.state == .created)
        #expect(try await ServingProbe.ping(first) == 200)
        #expect(try await ServingProbe.ping(second) == 200)

        // The new runtime watches what it adopted, and controls it.
        let events = EventRecorder(context.runtime.events())
        defer { events.stop() }
        try await context.harness.killFromOutside(first, runtime: context.runtime)
        let exited = await events.first(within: .seconds(30)) {
            if case .exited = $0.kind { $0.instanceID == first.id } else { false }
        }
        #expect(exited != nil, "no .exited event for the adopted \(first.id)")
        try await context.runtime.stop(second.id, grace: .seconds(10))
        guard case .exited = try await context.runtime.inspect(second.id).state else {
            Issue.record("an adopted instance still runs after stop")
            return
        }
        #expect(try await ServingProbe.ping(second) != 200)
    }

    /// The labels an instance carries are exactly ``ServingLabels`` from the spec plus its extra labels,
    /// through every read and across a reopen.
    static func labelsRoundTrip<Harness>(_ context: inout Context<Harness>) async throws {
        let key = ServingKey(model: "conformance-\(UUID().uuidString.prefix(8).lowercased())", alias: "Champion")
        let extra = ["team": "ml platform", "conformance.note": "a=b,c"]
        let spec = context.spec(key, version: "12", extraLabels: extra, configHash: "0123abcd")
        let created = try await context.runtime.create(spec)
        let port = try #require(created.port, "no \(ServingLabels.port) label")
        var expected = extra.merging(context.runLabel) { _, new in new }
        expected[ServingLabels.serve] = "true"
        expected[ServingLabels.model] = key.model
        expected[ServingLabels.alias] = key.alias
        expected[ServingLabels.version] = "12"
        expected[ServingLabels.configHash] = "0123abcd"
        expected[ServingLabels.port] = String(port)
        // A runtime may add labels of its own, but never other values for these.
        func check(_ instance: ServingInstance) {
            for (name, value) in expected {
                #expect(instance.labels[name] == value, "label \(name)")
            }
            #expect(instance.key == key)
            #expect(instance.version == "12")
            #expect(instance.configHash == "0123abcd")
            #expect(instance.name == spec.name)
        }
        check(created)
        check(try await context.runtime.inspect(created.id))
        try await context.runtime.start(created.id)
        let running = try await context.runtime.inspect(created.id)
        // The port may move at start when it was taken meanwhile; the label follows it.
        expected[ServingLabels.port] = try #require(running.port).description
        check(running)
        #expect(running.endpoint?.port == running.port)
        context.runtime = try await context.harness.reopen(context.runtime)
        let adopted = try await context.runtime.inspect(created.id)
        check(adopted)
        #expect(adopted.labels == running.labels)
        let listed = try await context.runtime.instances(matching: [ServingLabels.model: key.model])
        #expect(listed.map(\.labels) == [running.labels])
    }

    // MARK: - Helpers

    private static func waitForLog<Harness>(_ context: Context<Harness>, _ id: String, containing text: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let logs = try await context.runtime.logs(id, tail: nil)
            if logs.contains(text) || ContinuousClock.now >= deadline { return logs }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Asks serving instances whether they answer.
enum ServingProbe {
    private static let transport = CurlTransport()

    /// The status of `GET /ping` at the instance's endpoint, or `nil` when nothing answers.
    static func ping(_ instance: ServingInstance) async throws -> Int? {
        let endpoint = try #require(instance.endpoint, "\(instance.name) has no endpoint")
        let request = TransportRequest(url: endpoint.appendingPathComponent("ping"), timeout: .seconds(5))
        return try? await transport.send(request).status
    }

    /// Waits until `GET /ping` answers 200, failing after `deadline`.
    static func waitForPing(_ instance: ServingInstance, within deadline: Duration) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if try await ping(instance) == 200 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw NotServing(name: instance.name, endpoint: instance.endpoint)
    }

    struct NotServing: Error, CustomStringConvertible {
        var name: String
        var endpoint: URL?
        var description: String { "\(name) did not answer /ping at \(endpoint?.absoluteString ?? "no endpoint") in time" }
    }
}

/// Collects a runtime's events from the moment it is made, for scenarios to look for one later.
final class EventRecorder: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[ServingRuntimeEvent]>([])
    }

    private let storage: Storage
    private let task: Task<Void, Never>

    init(_ stream: AsyncThrowingStream<ServingRuntimeEvent, any Error>) {
        let storage = Storage()
        self.storage = storage
        task = Task {
            do {
                for try await event in stream { storage.events.withLock { $0.append(event) } }
            } catch {}
        }
    }

    /// The first event matching `predicate`, waiting up to `deadline` for it.
    func first(within deadline: Duration, where predicate: (ServingRuntimeEvent) -> Bool) async -> ServingRuntimeEvent? {
        let end = ContinuousClock.now + deadline
        while true {
            if let event = storage.events.withLock({ $0.first(where: predicate) }) { return event }
            if ContinuousClock.now >= end { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Every event so far.
    var all: [ServingRuntimeEvent] { storage.events.withLock { $0 } }

    func stop() { task.cancel() }
}
