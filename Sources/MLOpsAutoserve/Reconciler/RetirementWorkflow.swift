import MLOpsCore
import MLOpsServing
import Logging

/// Takes replaced instances out of service: drains them (the data plane stops routing to them and
/// the requests in flight finish, for at most the drain grace; without a gateway, the whole grace),
/// then stops and removes each. Also renames a new instance to the key's stable
/// name once the old one has given it up.
struct RetirementWorkflow: Sendable {
    let dependencies: ReconcilerDependencies

    /// Retires `retiring`, replaced by `version`. A failure to stop or remove one is logged and the
    /// next resync tries again (the instance is still labelled as a leftover).
    func retire(_ retiring: [ServingInstance], key: ServingKey, replacedBy version: String) async {
        guard !retiring.isEmpty else { return }
        let configuration = dependencies.configuration
        if retiring.contains(where: { $0.state.isRunning }) {
            let clock = dependencies.clock
            let outcome = await dependencies.traffic.drain(
                retiring.map(\.id), until: clock.now + configuration.drainGrace, clock: clock)
            if case .deadlinePassed(let left) = outcome {
                dependencies.logger.warning(
                    "drain grace passed with requests in flight; stopping the replaced instance anyway",
                    metadata: ["model": "\(key.model)", "alias": "\(key.alias)", "in_flight": "\(left)"])
            }
        }
        for old in retiring {
            dependencies.record(
                AutoserveDecision(
                    action: .remove, key: key, fromVersion: old.version, toVersion: version,
                    reason: "replaced by version \(version)", instanceID: old.id))
            do {
                if old.state.isRunning { try await dependencies.runtime.stop(old.id, grace: configuration.stopGrace) }
                try await dependencies.runtime.remove(old.id)
            } catch {
                dependencies.logger.warning(
                    "could not remove a replaced instance", metadata: ["instance": "\(old.name)", "error": "\(error)"])
            }
        }
    }

    /// Renames `instance` to `name`; `false` when the runtime refused (logged; retried by a later resync).
    func rename(_ instance: ServingInstance, to name: String) async -> Bool {
        do {
            try await dependencies.runtime.rename(instance.id, to: name)
            return true
        } catch {
            dependencies.logger.warning("could not rename instance", metadata: ["instance": "\(instance.name)", "error": "\(error)"])
            return false
        }
    }
}
