import MLOpsCore
import MLOpsServing
import Logging

/// Brings a crashed instance back: starts it again (or, when the runtime cannot, creates it afresh in
/// its place) and waits until it answers. The back-off that decides *when* is the reconciler's.
struct CrashRestartWorkflow: Sendable {
    let dependencies: ReconcilerDependencies

    /// The instance serving again, or why it is not.
    func restart(_ instance: ServingInstance, key: ServingKey) async -> Result<ServingInstance, RestartFailure> {
        do {
            let started = try await startAgain(instance, key: key)
            try await dependencies.waitUntilReady(started)
            return .success(started)
        } catch {
            return .failure(RestartFailure(message: ReconcilerDependencies.describe(error).message))
        }
    }

    /// Starts an exited instance again. When the runtime cannot (a process runtime opened after the
    /// instance was created holds no environment for it), the instance is created afresh in its place.
    private func startAgain(_ instance: ServingInstance, key: ServingKey) async throws -> ServingInstance {
        let runtime = dependencies.runtime
        do {
            try await runtime.start(instance.id)
            return try await runtime.inspect(instance.id)
        } catch ServingRuntimeError.instanceNotFound {
            // Gone meanwhile: create it below.
        } catch ServingRuntimeError.mustBeRecreated(let id, let reason) {
            dependencies.logger.info(
                "recreating an instance that cannot be started again",
                metadata: ["instance": "\(instance.name)", "id": "\(id)", "error": "\(reason)"])
            try await runtime.remove(instance.id)
        }
        let configuration = dependencies.configuration
        let spec = ServingSpec(
            key: key, version: instance.version ?? "", name: ServingNames.stable(for: key),
            environment: configuration.environment, configHash: configuration.configHash)
        let created = try await runtime.create(spec)
        try await runtime.start(created.id)
        return try await runtime.inspect(created.id)
    }
}

/// Why a restarted instance did not come back, in words.
struct RestartFailure: Error, Sendable {
    var message: String
}
