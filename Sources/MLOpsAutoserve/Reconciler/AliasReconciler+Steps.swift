import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// How the reconciler carries out the planner's steps for one key: at once when they are bookkeeping
/// (wait, keep), as the key's task when they act on instances (rollout, restart, adoption), and not
/// yet when a back-off, a burst or the rollout limit says so (a wake-up is scheduled instead).
extension AliasReconciler {
    func apply(_ steps: [ServingPlanner.Step], key: ServingKey) async {
        for step in steps {
            switch step {
            case .remove(let instance, let reason):
                record(step, key: key)
                do {
                    try await runtime.remove(instance.id)
                } catch {
                    dependencies.logger.warning(
                        "could not remove instance", metadata: ["instance": "\(instance.name)", "error": "\(error)"])
                }
                book.forgetServing(key, instanceID: instance.id)
                if book[key]?.desiredVersion == nil, steps.allSatisfy({ if case .remove = $0 { true } else { false } }) {
                    book.forget(key)
                    dependencies.logger.debug("key forgotten", metadata: ["key": "\(key)", "reason": "\(reason)"])
                }
            case .wait(let state, let reason, let message):
                if book[key]?.status.reason != reason { record(step, key: key) }
                book.setStatus(key, state, reason: reason, message: message)
            case .keep(let instance, let retiring, let rename):
                let confirmed = book[key]?.confirmedInstances.contains(instance.id) ?? false
                if confirmed && retiring.isEmpty && !rename {
                    if book[key]?.status.state != .ready || book[key]?.status.instanceID != instance.id {
                        book.markReady(key, instance: instance)
                    }
                    continue
                }
                startTask(key) { await $0.adopt(key, instance: instance, retiring: retiring, rename: rename, confirmed: confirmed) }
            case .restart(let instance, _):
                let earliest = book.earliestRestart(key)
                let now = clock.now
                if now >= earliest {
                    record(step, key: key)
                    startTask(key) { await $0.restart(key, instance: instance) }
                } else {
                    let seconds = Int(((earliest - now) / .seconds(1)).rounded(.up))
                    book.setStatus(
                        key, .degraded, reason: "CrashLoopBackOff",
                        message: "instance \(instance.name) exited (\(instance.state)); restarting in \(seconds) s")
                    triggers.wakeUp(at: earliest)
                }
            case .rollout(let version, let existing, let retiring, _):
                if !retiring.isEmpty, book[key]?.inBurst == true, let changed = book[key]?.desiredChangedAt {
                    let settled = changed + configuration.settleInterval
                    if clock.now < settled {
                        book.setStatus(
                            key, .progressing, reason: "Settling",
                            message: "the alias keeps moving; version \(version) is rolled out once it stays put for \(configuration.settleInterval)")
                        triggers.wakeUp(at: settled)
                        continue
                    }
                    book[key]?.inBurst = false
                }
                guard mayStartRollout else {
                    book.setStatus(key, .progressing, reason: "Queued", message: "waiting for another rollout to finish")
                    continue
                }
                record(step, key: key)
                startTask(key) { await $0.rollout(key, version: version, existing: existing, retiring: retiring) }
            }
        }
    }

    private func record(_ step: ServingPlanner.Step, key: ServingKey) {
        dependencies.record(AutoserveDecision(step: step, key: key, servingVersion: book[key]?.status.servingVersion))
    }

    // MARK: Key tasks

    /// Make-before-break: the new version comes up beside the one serving, takes over once ready, and
    /// only then is the old one drained and removed.
    private func rollout(_ key: ServingKey, version: String, existing: ServingInstance?, retiring: [ServingInstance]) async {
        let started = clock.now
        let serving = retiring.first { $0.state.isRunning && $0.version != nil }
        book.setStatus(
            key, .progressing, reason: "RollingOut",
            message: "starting version \(version)"
                + (serving.flatMap(\.version).map { "; version \($0) keeps serving until it is ready" } ?? ""))
        switch await rollouts.bringUp(key, version: version, existing: existing, retiring: retiring, serving: serving) {
        case .ready(let instance):
            // The switch: from here on the new instance is what serves the key.
            let propagation = book.switched(key, to: instance, version: version)
            dependencies.observer.rolloutFinished(
                key: key, version: version, succeeded: true, duration: clock.now - started, propagation: propagation)
            dependencies.logger.info(
                "serving",
                metadata: ReconcilerDependencies.metadata(
                    key: key, from: serving?.version, to: version, reason: "ready at \(instance.endpoint?.absoluteString ?? "?")"))
            if let serving, await verify(key, version: version, instance: instance, previous: serving) == false { return }
            await retirements.retire(retiring, key: key, replacedBy: version)
            await renameToStable(instance, key: key)
        case .failed(let reason, let message):
            let delay = book.rolloutFailed(key, version: version, reason: reason, message: message, keepServing: serving)
            dependencies.record(
                AutoserveDecision(action: .giveUp, key: key, fromVersion: serving?.version, toVersion: version, reason: message))
            dependencies.observer.rolloutFinished(
                key: key, version: version, succeeded: false, duration: clock.now - started, propagation: nil)
            triggers.wakeUp(at: clock.now + delay)
        }
    }

    /// Checks the switch on live traffic while `previous` stays warm; `false` when traffic went back to
    /// it, and the new instance was drained and removed.
    private func verify(_ key: ServingKey, version: String, instance: ServingInstance, previous: ServingInstance) async -> Bool {
        let outcome = await dependencies.traffic.verify(
            key, instance: instance, previous: previous, policy: configuration.verification, clock: clock)
        guard case .rolledBack(let answers, let errors) = outcome else { return true }
        let previousVersion = previous.version ?? "?"
        let message =
            "version \(version) answered \(errors) of \(answers) requests with 5xx; traffic is back on version \(previousVersion); "
            + "the alias still points at \(version): run `mlops alias rollback --model-name \(key.model) --alias \(key.alias)` to move it"
        book.trafficRolledBack(key, to: previous, version: version, message: message)
        dependencies.record(
            AutoserveDecision(action: .giveUp, key: key, fromVersion: version, toVersion: previousVersion, reason: message))
        dependencies.logger.warning(
            "traffic rolled back",
            metadata: ReconcilerDependencies.metadata(key: key, from: version, to: previousVersion, reason: message))
        await retirements.retire([instance], key: key, replacedBy: previousVersion)
        return false
    }

    private func restart(_ key: ServingKey, instance: ServingInstance) async {
        book.recordRestart(key)
        dependencies.observer.instanceRestarted(key: key, version: instance.version ?? "")
        book.setStatus(key, .progressing, reason: "Restarting", message: "restarting \(instance.name) after it exited")
        switch await restarts.restart(instance, key: key) {
        case .success(let started):
            book.markReady(key, instance: started)
        case .failure(let failure):
            let delay = book.restartFailed(key)
            book.setStatus(
                key, .degraded, reason: "CrashLoopBackOff",
                message: "\(instance.name) did not come back: \(failure.message); next restart in \(Int(delay / .seconds(1))) s")
            triggers.wakeUp(at: clock.now + delay)
        }
    }

    private func adopt(
        _ key: ServingKey, instance: ServingInstance, retiring: [ServingInstance], rename: Bool, confirmed: Bool
    ) async {
        if !confirmed {
            switch await adoptions.verify(instance, key: key) {
            case .success:
                book.markReady(key, instance: instance)
            case .failure(let failure):
                book.setStatus(key, .degraded, reason: failure.reason, message: failure.message)
                return
            }
        }
        await retirements.retire(retiring, key: key, replacedBy: instance.version ?? "")
        if rename { await renameToStable(instance, key: key) }
    }

    private func renameToStable(_ instance: ServingInstance, key: ServingKey) async {
        let stable = ServingNames.stable(for: key)
        guard instance.name != stable, await retirements.rename(instance, to: stable) else { return }
        if book[key]?.status.instanceID == instance.id { book[key]?.status.instanceName = stable }
    }
}
