import MLOpsCore
import MLOpsServing
import Logging

/// Logs what the reconciler reports: one line per decision (action, model, alias, versions, reason), one
/// per finished rollout and restart, and failed resyncs. Successful resyncs and registry reads log at
/// debug level.
public struct AutoserveLogObserver: AutoserveObserver {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func registryRead(_ snapshot: RegistrySnapshot, duration: Duration) {
        logger.debug(
            "registry read",
            metadata: [
                "models": "\(snapshot.models.count)", "versions": "\(snapshot.versions.count)",
                "requests": "\(snapshot.requestCount)", "duration_ms": "\(duration.milliseconds)",
            ])
    }

    public func reconcileFinished(duration: Duration, error: (any Error)?) {
        if error is CancellationError {
            logger.debug("resync cancelled", metadata: ["duration_ms": "\(duration.milliseconds)"])
        } else if let error {
            logger.error(
                "resync failed", metadata: ["error": "\(error)", "duration_ms": "\(duration.milliseconds)"])
        } else {
            logger.debug("resync finished", metadata: ["duration_ms": "\(duration.milliseconds)"])
        }
    }

    public func decided(_ decision: AutoserveDecision) {
        var metadata: Logger.Metadata = [
            "event": "decision", "action": "\(decision.action.rawValue)", "model": "\(decision.key.model)",
            "alias": "\(decision.key.alias)", "reason": "\(decision.reason)",
        ]
        if let from = decision.fromVersion { metadata["from_version"] = "\(from)" }
        if let to = decision.toVersion { metadata["to_version"] = "\(to)" }
        if let instance = decision.instanceID { metadata["instance"] = "\(instance)" }
        // Keeping what serves is the quiet, common case.
        let level: Logger.Level = decision.action == .keep ? .debug : (decision.action == .giveUp ? .warning : .info)
        logger.log(level: level, "\(decision)", metadata: metadata)
    }

    public func rolloutFinished(
        key: ServingKey, version: String, succeeded: Bool, duration: Duration, propagation: Duration?
    ) {
        var metadata: Logger.Metadata = [
            "event": "rollout", "model": "\(key.model)", "alias": "\(key.alias)", "version": "\(version)",
            "outcome": succeeded ? "success" : "failed", "duration_ms": "\(duration.milliseconds)",
        ]
        if let propagation { metadata["propagation_ms"] = "\(propagation.milliseconds)" }
        logger.log(
            level: succeeded ? .info : .warning,
            "rollout of \(key) v\(version) \(succeeded ? "succeeded" : "failed")", metadata: metadata)
    }

    public func instanceRestarted(key: ServingKey, version: String) {
        logger.warning(
            "restarted \(key) v\(version) after a crash",
            metadata: ["event": "restart", "model": "\(key.model)", "alias": "\(key.alias)", "version": "\(version)"])
    }
}
