import MLOpsCore
import MLOpsServing
import Logging

/// Takes over an instance found running (after an agent restart, or left by an interrupted rollout)
/// without restarting it: it counts as serving once it answers its readiness checks.
struct AdoptionWorkflow: Sendable {
    let dependencies: ReconcilerDependencies

    /// Checks that `instance` answers; the status reason and message when it does not.
    func verify(_ instance: ServingInstance, key: ServingKey) async -> Result<Void, AdoptionFailure> {
        dependencies.record(
            AutoserveDecision(
                action: .adopt, key: key, toVersion: instance.version,
                reason: "found \(instance.name) running; checking it answers", instanceID: instance.id))
        do {
            try await dependencies.waitUntilReady(instance)
            return .success(())
        } catch {
            let (reason, message) = ReconcilerDependencies.describe(error)
            return .failure(AdoptionFailure(reason: reason, message: "\(instance.name) runs but is not ready: \(message)"))
        }
    }
}

/// Why a running instance was not adopted.
struct AdoptionFailure: Error, Sendable {
    var reason: String
    var message: String
}
