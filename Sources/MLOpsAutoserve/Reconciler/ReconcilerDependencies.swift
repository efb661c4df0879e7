import MLOpsCore
import MLOpsServing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// What the reconciler's workflows share: the runtime they act on, the readiness rules, the settings,
/// the time, and where decisions are written (the log and the observer).
struct ReconcilerDependencies: Sendable {
    let runtime: any ServingRuntime
    let readiness: ServingReadinessChecker
    let configuration: AutoserveConfiguration
    let clock: ServingClock
    let observer: any AutoserveObserver
    let logger: Logger
    /// The data plane's routes; ``NoTrafficControl`` without a gateway.
    var traffic: any TrafficControl = NoTrafficControl()

    /// Logs `decision` and hands it to the observer.
    func record(_ decision: AutoserveDecision) {
        logger.info(
            "\(decision.action.rawValue)",
            metadata: Self.metadata(key: decision.key, from: decision.fromVersion, to: decision.toVersion, reason: decision.reason))
        observer.decided(decision)
    }

    static func metadata(key: ServingKey, from: String?, to: String?, reason: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["model": "\(key.model)", "alias": "\(key.alias)", "reason": "\(reason)"]
        if let from { metadata["from_version"] = "\(from)" }
        if let to { metadata["to_version"] = "\(to)" }
        return metadata
    }

    /// Why the instance `id` stopped, when it has: asked between readiness probes.
    func exitReason(of id: String) async -> String? {
        do {
            let instance = try await runtime.inspect(id)
            if case .exited = instance.state { return "\(instance.state)" }
            return nil
        } catch ServingRuntimeError.instanceNotFound {
            return "the instance was removed"
        } catch {
            return nil
        }
    }

    /// Waits until the instance answers its readiness checks (and the smoke invocation, with an example).
    func waitUntilReady(_ instance: ServingInstance, inputExample: Data? = nil) async throws {
        guard let endpoint = instance.endpoint else {
            throw ServingRuntimeError.startFailed(id: instance.id, reason: "the runtime reports no endpoint")
        }
        let id = instance.id
        try await readiness.waitUntilReady(endpoint: endpoint, inputExample: inputExample) {
            await self.exitReason(of: id)
        }
    }

    /// A failure as a status reason and message.
    static func describe(_ error: any Error) -> (reason: String, message: String) {
        switch error {
        case let failure as ReadinessFailure: (failure.reason.rawValue, failure.message)
        case let failure as ServingRuntimeError: ("StartFailed", failure.description)
        default: ("StartFailed", "\(error)")
        }
    }
}

extension AutoserveDecision {
    /// The decision a planner step stands for; `servingVersion` is what the key serves now.
    init(step: ServingPlanner.Step, key: ServingKey, servingVersion: String?) {
        switch step {
        case .rollout(let version, let existing, let retiring, let reason):
            let from = retiring.first { $0.version != nil }?.version
            self.init(
                action: retiring.isEmpty ? .create : .replace, key: key, fromVersion: from, toVersion: version,
                reason: reason, instanceID: existing?.id)
        case .restart(let instance, let reason):
            self.init(action: .restart, key: key, toVersion: instance.version, reason: reason, instanceID: instance.id)
        case .keep(let instance, let retiring, let rename):
            var reason = "serves the desired version"
            if !retiring.isEmpty { reason += "; \(retiring.count) replaced instance(s) to remove" }
            if rename { reason += "; to be renamed \(ServingNames.stable(for: key))" }
            self.init(action: .keep, key: key, fromVersion: instance.version, reason: reason, instanceID: instance.id)
        case .remove(let instance, let reason):
            self.init(action: .remove, key: key, fromVersion: instance.version, reason: reason, instanceID: instance.id)
        case .wait(_, let reason, let message):
            self.init(action: .wait, key: key, fromVersion: servingVersion, reason: "\(reason): \(message)")
        }
    }
}
