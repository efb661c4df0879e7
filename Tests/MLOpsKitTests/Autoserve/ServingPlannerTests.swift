import MLOpsKit
import Testing

@Suite struct ServingPlannerTests {
    let key = ServingKey(model: "iris", alias: "Production")
    let planner = ServingPlanner(configHash: "h1", removesInstancesWhenAliasIsGone: true)

    func instance(
        _ id: String, version: String, state: ServingInstanceState = .running, name: String? = nil, hash: String = "h1"
    ) -> ServingInstance {
        ServingInstance(
            id: id, name: name ?? ServingNames.stable(for: key),
            labels: [
                ServingLabels.serve: "true", ServingLabels.model: key.model, ServingLabels.alias: key.alias,
                ServingLabels.version: version, ServingLabels.configHash: hash,
            ],
            state: state)
    }

    @Test func nothingServingCreates() {
        let steps = planner.steps(for: key, desiredVersion: "1", waiting: nil, instances: [])
        guard case .rollout(let version, nil, let retiring, _) = steps.first else {
            Issue.record("expected a rollout, got \(steps)")
            return
        }
        #expect(version == "1")
        #expect(retiring.isEmpty)
        #expect(steps.count == 1)
    }

    @Test func aliasMovedReplacesMakeBeforeBreak() {
        let old = instance("a", version: "1")
        let steps = planner.steps(for: key, desiredVersion: "2", waiting: nil, instances: [old])
        #expect(steps == [.rollout(version: "2", existing: nil, retiring: [old], reason: "alias moved from version 1 to 2")])
    }

    @Test func configurationChangeReplacesToo() {
        let old = instance("a", version: "1", hash: "old")
        let steps = planner.steps(for: key, desiredVersion: "1", waiting: nil, instances: [old])
        #expect(steps == [.rollout(version: "1", existing: nil, retiring: [old], reason: "the agent's configuration changed")])
    }

    @Test func runningDesiredInstanceIsKeptUntouched() {
        let current = instance("a", version: "1")
        #expect(planner.steps(for: key, desiredVersion: "1", waiting: nil, instances: [current])
            == [.keep(current, retiring: [], rename: false)])
    }

    @Test func interruptedRolloutIsFinished() {
        let old = instance("a", version: "1")
        let new = instance("b", version: "2", name: ServingNames.candidate(for: key, version: "2"))
        #expect(planner.steps(for: key, desiredVersion: "2", waiting: nil, instances: [old, new])
            == [.keep(new, retiring: [old], rename: true)])
    }

    @Test func crashedInstanceIsRestartedAndNeverCreated() {
        let crashed = instance("a", version: "1", state: .exited(exitCode: 137))
        let steps = planner.steps(for: key, desiredVersion: "1", waiting: nil, instances: [crashed])
        #expect(steps == [.restart(crashed, reason: "instance exited with code 137")])
    }

    @Test func duplicatesAreRemovedKeepingTheRunningOne() {
        let stopped = instance("a", version: "1", state: .exited(exitCode: 0), name: ServingNames.candidate(for: key, version: "1"))
        let running = instance("b", version: "1")
        let steps = planner.steps(for: key, desiredVersion: "1", waiting: nil, instances: [stopped, running])
        #expect(steps == [
            .remove(stopped, reason: "duplicate instance of iris@Production v1"),
            .keep(running, retiring: [], rename: false),
        ])
    }

    @Test func aliasGoneRemovesOrKeepsByPolicy() {
        let current = instance("a", version: "1")
        #expect(planner.steps(for: key, desiredVersion: nil, waiting: nil, instances: [current])
            == [.remove(current, reason: "iris@Production no longer exists in the registry")])
        let keeping = ServingPlanner(configHash: "h1", removesInstancesWhenAliasIsGone: false)
        guard case .wait(.degraded, "AliasRemoved", _) = keeping.steps(for: key, desiredVersion: nil, waiting: nil, instances: [current]).first
        else {
            Issue.record("expected AliasRemoved")
            return
        }
    }

    @Test func versionNotReadyWaitsAndKeepsServing() {
        let current = instance("a", version: "1")
        let steps = planner.steps(
            for: key, desiredVersion: nil, waiting: (version: "2", status: .pendingRegistration), instances: [current])
        guard case .wait(.progressing, "VersionNotReady", let message) = steps.first else {
            Issue.record("expected VersionNotReady, got \(steps)")
            return
        }
        #expect(message.contains("keeps serving"))
        let failed = planner.steps(
            for: key, desiredVersion: nil, waiting: (version: "2", status: .failedRegistration), instances: [current])
        guard case .wait(.degraded, "VersionRegistrationFailed", _) = failed.first else {
            Issue.record("expected VersionRegistrationFailed, got \(failed)")
            return
        }
    }

    @Test func aFailedVersionIsBlockedUntilItsRetryTime() {
        let old = instance("a", version: "1")
        let blocked = ServingPlanner.KeyContext(failedVersion: "2", failedReason: "ReadinessTimeout", blockedUntilPassed: false)
        let steps = planner.steps(for: key, desiredVersion: "2", waiting: nil, instances: [old], context: blocked)
        guard case .wait(.degraded, "ReadinessTimeout", let message) = steps.first else {
            Issue.record("expected a blocked wait, got \(steps)")
            return
        }
        #expect(message.contains("version 1 keeps serving"))
        let due = ServingPlanner.KeyContext(failedVersion: "2", failedReason: "ReadinessTimeout", blockedUntilPassed: true)
        guard case .rollout = planner.steps(for: key, desiredVersion: "2", waiting: nil, instances: [old], context: due).first else {
            Issue.record("expected a retry")
            return
        }
    }
}
